package api_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/sendgridtest"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// upload sends a multipart form of page (with its CSRF token): a file
// and the fields, a name then its value (a name may come again).
func (b *browser) upload(page response, path, fileName string, data []byte, fields ...string) response {
	b.s.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fields = append([]string{"csrf", b.csrf(page)}, fields...)
	for i := 0; i+1 < len(fields); i += 2 {
		if err := mw.WriteField(fields[i], fields[i+1]); err != nil {
			b.s.t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("file", fileName)
	if err == nil {
		_, err = fw.Write(data)
	}
	if err != nil || mw.Close() != nil {
		b.s.t.Fatalf("multipart: %v", err)
	}
	req := httptest.NewRequest("POST", path, bytes.NewReader(body.Bytes()))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for name, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: v})
	}
	return b.s.send(req, body.Bytes())
}

// jobID is the id of the import or export a form's redirect opens.
func jobID(t *testing.T, r response, kind string) string {
	t.Helper()
	loc := r.header.Get("Location")
	id, ok := strings.CutPrefix(loc, "/"+kind+"/")
	if r.status != http.StatusSeeOther || !ok || len(id) != 36 {
		t.Fatalf("answer %d to %q, want 303 to /%s/{id}; %.1000s", r.status, loc, kind, r.body)
	}
	return id
}

// germanFile has columns the automatic match does not know: "Firma" (company), "Notiz" (notes).
var germanFile = []byte("Firma,Phone,Country,Notiz\nMatch Step Trading Co,13800138901,CN,met at the fair\nSecond Match Trading Co,123,CN,bad phone\n")

// TestConsoleImport walks the import pages: the list and the form, the
// matching step with the automatic match, a start refused for want of a
// company column, a start with one column matched by hand, the import's
// page with its progress and counts, and a rep kept out.
func TestConsoleImport(t *testing.T) {
	s := newStack(t)
	admin := s.browser()
	wantRedirect(t, admin.signIn(s.admin, "/imports"), "/imports")
	list := s.expect(admin.get("/imports"), 200)
	wantText(t, list, `id="nav-imports" class="on"`, `href="/exports"`, `id="import-form"`, `enctype="multipart/form-data"`,
		`<option value="`+lead.DefaultPoolID+`"`, `id="empty"`)

	// The matching step: every column with the automatic match and its first values.
	match := s.expect(admin.upload(list, "/imports/preview", "kunden.csv", germanFile), 200)
	wantText(t, match, "kunden.csv", "2 data rows", `data-header="Firma"`, `<option value="custom.Firma" selected>`,
		`<option value="phone" selected>`, `<option value="country" selected>`, "Match Step Trading Co · Second Match Trading Co")
	if strings.Contains(string(match.body), "<html") {
		t.Errorf("the matching step is a whole page, not a fragment")
	}
	wantText(t, match, `id="match-errors"`, "no column maps to company")
	// A changed match is checked again, the choices kept.
	again := s.expect(admin.upload(list, "/imports/preview", "kunden.csv", germanFile, "map", "company", "map", "phone", "map", "country", "map", "notes"), 200)
	wantText(t, again, `<option value="company" selected>`, `<option value="notes" selected>`)
	if strings.Contains(string(again.body), `id="match-errors"`) {
		t.Errorf("rows refused with every column matched: %s", again.body)
	}
	twice := s.expect(admin.upload(list, "/imports/preview", "kunden.csv", germanFile, "map", "company", "map", "company", "map", "country", "map", "notes"), 200)
	wantText(t, twice, `id="match-errors"`, "a field takes one column")
	template := s.expect(admin.get("/imports/template?format=csv"), 200)
	wantText(t, template, "company")
	wantText(t, s.expect(admin.upload(list, "/imports/preview", "broken.xlsx", []byte("not a workbook")), 422), `id="match-problem"`, "file")

	// With the automatic match no column is the company: refused, the reason on the page.
	refused := s.expect(admin.upload(list, "/imports", "kunden.csv", germanFile, "pool_id", lead.DefaultPoolID), 422)
	wantText(t, refused, `id="problem"`, "no column maps to company", `id="import-form"`)
	wantText(t, s.expect(admin.upload(list, "/imports", "kunden.csv", germanFile, "map", "company"), 422), "match the columns again")

	// One column matched by hand.
	id := jobID(t, admin.upload(list, "/imports", "kunden.csv", germanFile, "pool_id", lead.DefaultPoolID, "duplicate_policy", "reject",
		"map", "company", "map", "phone", "map", "country", "map", "notes"), "imports")
	first := s.expect(admin.get("/imports/"+id), 200)
	wantText(t, first, "Import kunden.csv", `<progress id="job-progress" max="2"`)
	im := s.waitImport(id, time.Minute)
	if im.Created != 1 || im.Rejected != 1 || im.Mapping["Firma"] != "company" || im.Mapping["Notiz"] != "notes" || im.DuplicatePolicy != "reject" {
		t.Fatalf("the import: %+v", im)
	}
	if got := s.leadsOf("company=Match%20Step"); len(got) != 1 || got[0].Notes != "met at the fair" {
		t.Fatalf("imported leads: %+v", got)
	}
	done := s.expect(admin.get("/imports/"+id+"/progress"), 200)
	wantText(t, done, `id="job-status">completed`, `<progress id="job-progress" max="2" value="2">`, "<dt>Created</dt><dd>1</dd>",
		"<dt>Rejected</dt><dd>1</dd>", `href="/imports/`+id+`/errors.csv"`)
	if strings.Contains(string(done.body), "data-poll") || strings.Contains(string(done.body), "<html") {
		t.Errorf("a finished import's fragment still polls, or is a whole page: %s", done.body)
	}
	if running := string(first.body); strings.Contains(running, `id="job-status">running`) != strings.Contains(running, `data-poll="/imports/`+id+`/progress"`) {
		t.Errorf("the page of a running import does not refresh itself, or a finished one does: %s", running)
	}
	wantText(t, s.expect(admin.get("/imports"), 200), `href="/imports/`+id+`"`, "kunden.csv", "2 rows, 1 created, 1 rejected")

	// The API lists the same import.
	var page struct{ Items []store.Import }
	s.expect(s.do("GET", "/api/v1/imports", s.admin, ""), 200).json(t, &page)
	if len(page.Items) != 1 || page.Items[0].ID != id {
		t.Fatalf("GET /api/v1/imports: %+v", page.Items)
	}

	// A manager of no pool is told why the pool list is empty.
	_, mgr := s.poolStaff("Mona", lead.RoleManager)
	mb := s.browser()
	mb.signIn(mgr, "/imports")
	wantText(t, s.expect(mb.get("/imports"), 200), `id="no-pool"`)
	if strings.Contains(string(list.body), `id="no-pool"`) {
		t.Errorf("the admin is told there is no pool to import into")
	}

	// A rep has no import pages, and no link to them.
	_, rep := s.createRep("Ria", 5)
	rb := s.browser()
	rb.signIn(rep, "/leads")
	leads := s.expect(rb.get("/leads"), 200)
	if strings.Contains(string(leads.body), `href="/imports"`) {
		t.Errorf("a rep's nav links to the imports")
	}
	wantText(t, leads, `href="/exports"`)
	wantText(t, s.expect(rb.get("/imports"), 403), "Imports are for admins and managers")
	s.expect(rb.upload(leads, "/imports", "kunden.csv", germanFile), 403)
	s.expect(rb.get("/imports/"+id), 404)
	s.expect(s.do("GET", "/api/v1/imports", rep, ""), 403)
}

// TestConsoleExport walks the export pages: the form with filters and
// fields, refusals next to their field, an export of two chosen columns
// (formulas neutralised), its page and download, and the lists.
func TestConsoleExport(t *testing.T) {
	s := newStack(t)
	_, rep := s.createRep("Edda", 5)
	for _, body := range []string{`{"company":"Export Form Trading Co","name":"Li Lei","phone":"13800138911","country":"CN"}`,
		`{"company":"=HYPERLINK(\"http://x\") Export Form Co","phone":"13800138912","country":"CN"}`,
		`{"company":"Other Trading Co","phone":"13800138913","country":"CN"}`} {
		l := s.createLead(body)
		s.expect(s.do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 200)
	}
	b := s.browser()
	wantRedirect(t, b.signIn(rep, "/exports"), "/exports")
	form := s.expect(b.get("/exports"), 200)
	wantText(t, form, `id="nav-exports" class="on"`, `id="export-form"`, `name="company"`, `id="field-id" checked`,
		`id="field-phone_e164"`, `id="empty"`)
	if strings.Contains(string(form.body), `id="field-phone_e164" checked`) {
		t.Errorf("a field outside the defaults is checked")
	}

	wantText(t, s.expect(b.post(form, "/exports", url.Values{"format": {"csv"}}), 422), "fields: choose at least one field")
	bad := s.expect(b.post(form, "/exports", url.Values{"format": {"csv"}, "status": {"bogus"}, "fields": {"company"}}), 422)
	wantText(t, bad, `<span class="err">`, "filters.status")
	wantText(t, s.expect(b.post(form, "/exports", url.Values{"format": {"pdf"}, "fields": {"company"}}), 422), "format: must be csv or xlsx")

	id := jobID(t, b.post(form, "/exports", url.Values{"format": {"csv"}, "company": {"export form"}, "fields": {"company", "name"}}), "exports")
	s.waitExport(rep, id)
	page := s.expect(b.get("/exports/"+id), 200)
	wantText(t, page, `id="job-status">completed`, `href="/exports/`+id+`/file"`, "company export form", "company, name", "Kept until")
	if strings.Contains(string(page.body), "data-poll") {
		t.Errorf("a finished export's page still polls")
	}
	file := s.expect(b.get("/exports/"+id+"/file"), 200)
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(file.body, []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(recs)
	if len(recs) != 3 || fmt.Sprint(recs[0]) != "[company name]" || !strings.Contains(got, "[Export Form Trading Co Li Lei]") ||
		!strings.Contains(got, `'=HYPERLINK("http://x") Export Form Co`) || strings.Contains(got, "Other Trading") {
		t.Fatalf("the export's file: %q", recs)
	}
	wantText(t, s.expect(b.get("/exports/"+id+"/progress"), 200), `id="job-status">completed`)
	wantText(t, s.expect(b.get("/exports"), 200), `href="/exports/`+id+`"`, "CSV of company export form", "2 leads, CSV")

	// The API lists it; another rep sees neither the list entry nor the page.
	var list struct{ Items []store.Export }
	s.expect(s.do("GET", "/api/v1/exports", rep, ""), 200).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != id {
		t.Fatalf("GET /api/v1/exports: %+v", list.Items)
	}
	_, other := s.createRep("Otto", 5)
	ob := s.browser()
	ob.signIn(other, "/exports")
	if body := string(s.expect(ob.get("/exports"), 200).body); strings.Contains(body, id) {
		t.Errorf("another rep lists the export")
	}
	s.expect(ob.get("/exports/"+id), 404)
	s.expect(ob.get("/exports/"+id+"/progress"), 404)
	s.expect(s.do("GET", "/api/v1/exports?limit=0", rep, ""), 422)
}

var emailLink = regexp.MustCompile(`https://leadflow\.example\.com/[^\s"<>]*`)

var nextField = regexp.MustCompile(`name="next" value="([^"]*)"`)

// followEmailLink opens an e-mail's link in a browser without a session:
// the sign-in page comes first, and signing in with token brings the user
// back to the link's page, which it returns.
func (s *stack) followEmailLink(link, token string) response {
	s.t.Helper()
	path := strings.TrimPrefix(link, "https://leadflow.example.com")
	b := s.browser()
	first := b.get(path)
	wantRedirect(s.t, first, "/login?next="+url.QueryEscape(path))
	login := s.expect(b.get(first.header.Get("Location")), 200)
	m := nextField.FindSubmatch(login.body)
	if m == nil || html.UnescapeString(string(m[1])) != path {
		s.t.Fatalf("the sign-in page for %s keeps next %q", path, m)
	}
	wantRedirect(s.t, b.post(login, "/login", url.Values{"token": {token}, "next": {html.UnescapeString(string(m[1]))}}), path)
	return s.expect(b.get(path), 200)
}

// mailLinks are the links of the last e-mail to addr whose subject has subject.
func (s *stack) mailLinks(sg *sendgridtest.Server, addr, subject string) []string {
	s.t.Helper()
	var links []string
	s.waitFor(30*time.Second, "an e-mail to "+addr+" about "+subject, func() bool {
		for _, m := range sg.DeliveredTo(addr) {
			if strings.Contains(m.Subject, subject) {
				links = nil
				links = append(links, emailLink.FindAllString(m.Body("text/plain")+m.Body("text/html"), -1)...)
			}
		}
		return links != nil
	})
	return links
}

// linkTo is the link of links whose path starts with prefix.
func linkTo(t *testing.T, links []string, prefix string) string {
	t.Helper()
	for _, l := range links {
		if strings.HasPrefix(l, "https://leadflow.example.com"+prefix) {
			return l
		}
	}
	t.Fatalf("no link to %s in %q", prefix, links)
	return ""
}

// TestEmailLinks follows each kind of link the e-mails carry (a lead, an
// import's page with its rows to fix, an export's page with its file, the
// notification settings) in a browser without a session: after signing
// in, the user lands on the page the link names.
func TestEmailLinks(t *testing.T) {
	s, sg := newMailStack(t)
	repID, rep := s.createRep("Lotte", 5)
	l := s.createLead(`{"company":"Email Link Trading Co","phone":"13800138921","country":"CN"}`)
	s.expect(s.do("POST", "/api/v1/leads/"+l.ID+"/assign", s.admin, fmt.Sprintf(`{"rep_id":%q}`, repID)), 200)
	leadMail := s.mailLinks(sg, "lotte@example.com", "Email Link Trading Co")

	t.Run("lead", func(t *testing.T) {
		page := s.followEmailLink(linkTo(t, leadMail, "/leads/"+l.ID), rep)
		wantText(t, page, "Email Link Trading Co", `id="follow-up"`)
	})
	t.Run("import errors", func(t *testing.T) {
		im := s.importFile("mail.csv", []byte("company,phone,country\nMail Import Trading Co,13800138922,CN\nMail Bad Phone Co,123,CN\n"), time.Minute)
		link := linkTo(t, s.mailLinks(sg, "ada@example.com", "Your import"), "/imports/"+im.ID)
		page := s.followEmailLink(link, s.admin)
		wantText(t, page, "Import mail.csv", `href="/imports/`+im.ID+`/errors.csv"`)
		errs := s.followEmailLink("https://leadflow.example.com/imports/"+im.ID+"/errors.csv", s.admin)
		wantText(t, errs, "Mail Bad Phone Co")
	})
	t.Run("export file", func(t *testing.T) {
		e := s.runExport(rep, `{"format":"csv","fields":["company"]}`)
		link := linkTo(t, s.mailLinks(sg, "lotte@example.com", "Your export"), "/exports/"+e.ID)
		if link != "https://leadflow.example.com/exports/"+e.ID {
			t.Fatalf("the export's link %q, want its page", link)
		}
		page := s.followEmailLink(link, rep)
		wantText(t, page, `href="/exports/`+e.ID+`/file"`, "Download the file")
		file := s.followEmailLink("https://leadflow.example.com/exports/"+e.ID+"/file", rep)
		if !strings.Contains(file.header.Get("Content-Disposition"), "attachment") || !strings.Contains(string(file.body), "Email Link Trading Co") {
			t.Errorf("the export's file: %v %s", file.header, file.body)
		}
	})
	t.Run("settings", func(t *testing.T) {
		var links []string
		for _, m := range sg.DeliveredTo("lotte@example.com") {
			links = append(links, emailLink.FindAllString(m.Body("text/plain")+m.Body("text/html"), -1)...)
		}
		page := s.followEmailLink(linkTo(t, links, "/settings/notifications"), rep)
		wantText(t, page, `id="settings-form"`)
	})
	s.finishLead(l.ID)
}

// TestConsoleImportLists: the imports a manager lists are those they
// started and those into a pool they administer, in the API and on the
// page, as GET /imports/{id} decides for one import.
func TestConsoleImportLists(t *testing.T) {
	w := newWorld(t)
	var byAdmin, byOther struct{ ID string }
	w.expect(w.upload("/api/v1/imports", w.admin, "into-a.csv", []byte("company,phone,country\nList A Trading Co,13800000031,CN\n"),
		"pool_id", w.poolA), 202).json(t, &byAdmin)
	w.expect(w.upload("/api/v1/imports", w.tokens[subOtherMgr], "into-b.csv", []byte("company,phone,country\nList B Trading Co,13800000032,CN\n"),
		"pool_id", w.poolB), 202).json(t, &byOther)
	ids := func(token string) string {
		var p struct{ Items []store.Import }
		w.expect(w.do("GET", "/api/v1/imports?limit=10", token, ""), 200).json(t, &p)
		var out []string
		for _, im := range p.Items {
			out = append(out, im.FileName)
		}
		return strings.Join(out, ",")
	}
	for _, c := range []struct {
		sub  int
		want string
	}{{subAdmin, "into-b.csv,into-a.csv"}, {subMgr, "into-a.csv"}, {subOtherMgr, "into-b.csv"}} {
		if got := ids(w.tokens[c.sub]); got != c.want {
			t.Errorf("%s lists %q, want %q", subjectNames[c.sub], got, c.want)
		}
		b := w.browser()
		b.signIn(w.tokens[c.sub], "/imports")
		page := string(w.expect(b.get("/imports"), 200).body)
		for _, name := range []string{"into-a.csv", "into-b.csv"} {
			if strings.Contains(page, ">"+name+"<") != strings.Contains(c.want, name) {
				t.Errorf("the imports page of %s and %s: %v", subjectNames[c.sub], name, strings.Contains(page, name))
			}
		}
	}
	// One page at a time, newest first.
	var first struct {
		Items      []store.Import
		NextCursor string `json:"next_cursor"`
	}
	w.expect(w.do("GET", "/api/v1/imports?limit=1", w.admin, ""), 200).json(t, &first)
	if len(first.Items) != 1 || first.Items[0].ID != byOther.ID || first.NextCursor == "" {
		t.Fatalf("the first page: %+v", first)
	}
	var second struct{ Items []store.Import }
	w.expect(w.do("GET", "/api/v1/imports?limit=1&cursor="+url.QueryEscape(first.NextCursor), w.admin, ""), 200).json(t, &second)
	if len(second.Items) != 1 || second.Items[0].ID != byAdmin.ID {
		t.Fatalf("the second page: %+v", second)
	}
}
