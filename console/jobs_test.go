package console_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// jobID is the id of the import or export a form's redirect opens.
func jobID(t *testing.T, r apptest.Response, kind string) string {
	t.Helper()
	loc := r.Header.Get("Location")
	id, ok := strings.CutPrefix(loc, "/"+kind+"/")
	if r.Status != http.StatusSeeOther || !ok || len(id) != 36 {
		t.Fatalf("answer %d to %q, want 303 to /%s/{id}; %.1000s", r.Status, loc, kind, r.Body)
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
	s := apptest.NewStack(t)
	admin := s.Browser()
	apptest.WantRedirect(t, admin.SignIn(s.Admin, "/imports"), "/imports")
	list := s.Expect(admin.Get("/imports"), 200)
	apptest.WantText(t, list, `id="nav-imports" class="on"`, `href="/exports"`, `id="import-form"`, `enctype="multipart/form-data"`,
		`<option value="`+lead.DefaultPoolID+`"`, `id="empty"`)

	// The matching step: every column with the automatic match and its first values.
	match := s.Expect(admin.Upload(list, "/imports/preview", "kunden.csv", germanFile), 200)
	apptest.WantText(t, match, "kunden.csv", "2 data rows", `data-header="Firma"`, `<option value="custom.Firma" selected>`,
		`<option value="phone" selected>`, `<option value="country" selected>`, "Match Step Trading Co · Second Match Trading Co")
	if strings.Contains(string(match.Body), "<html") {
		t.Errorf("the matching step is a whole page, not a fragment")
	}
	apptest.WantText(t, match, `id="match-errors"`, "no column maps to company")
	// A changed match is checked again, the choices kept.
	again := s.Expect(admin.Upload(list, "/imports/preview", "kunden.csv", germanFile, "map", "company", "map", "phone", "map", "country", "map", "notes"), 200)
	apptest.WantText(t, again, `<option value="company" selected>`, `<option value="notes" selected>`)
	if strings.Contains(string(again.Body), `id="match-errors"`) {
		t.Errorf("rows refused with every column matched: %s", again.Body)
	}
	twice := s.Expect(admin.Upload(list, "/imports/preview", "kunden.csv", germanFile, "map", "company", "map", "company", "map", "country", "map", "notes"), 200)
	apptest.WantText(t, twice, `id="match-errors"`, "a field takes one column")
	template := s.Expect(admin.Get("/imports/template?format=csv"), 200)
	apptest.WantText(t, template, "company")
	apptest.WantText(t, s.Expect(admin.Upload(list, "/imports/preview", "broken.xlsx", []byte("not a workbook")), 422), `id="match-problem"`, "file")

	// With the automatic match no column is the company: refused, the reason on the page.
	refused := s.Expect(admin.Upload(list, "/imports", "kunden.csv", germanFile, "pool_id", lead.DefaultPoolID), 422)
	apptest.WantText(t, refused, `id="problem"`, "no column maps to company", `id="import-form"`)
	apptest.WantText(t, s.Expect(admin.Upload(list, "/imports", "kunden.csv", germanFile, "map", "company"), 422), "match the columns again")

	// One column matched by hand.
	id := jobID(t, admin.Upload(list, "/imports", "kunden.csv", germanFile, "pool_id", lead.DefaultPoolID, "duplicate_policy", "reject",
		"map", "company", "map", "phone", "map", "country", "map", "notes"), "imports")
	first := s.Expect(admin.Get("/imports/"+id), 200)
	apptest.WantText(t, first, "Import kunden.csv", `<progress id="job-progress" max="2"`)
	im := s.WaitImport(id, time.Minute)
	if im.Created != 1 || im.Rejected != 1 || im.Mapping["Firma"] != "company" || im.Mapping["Notiz"] != "notes" || im.DuplicatePolicy != "reject" {
		t.Fatalf("the import: %+v", im)
	}
	if got := s.LeadsOf("company=Match%20Step"); len(got) != 1 || got[0].Notes != "met at the fair" {
		t.Fatalf("imported leads: %+v", got)
	}
	done := s.Expect(admin.Get("/imports/"+id+"/progress"), 200)
	apptest.WantText(t, done, `id="job-status">completed`, `<progress id="job-progress" max="2" value="2">`, "<dt>Created</dt><dd>1</dd>",
		"<dt>Rejected</dt><dd>1</dd>", `href="/imports/`+id+`/errors.csv"`)
	if strings.Contains(string(done.Body), "data-poll") || strings.Contains(string(done.Body), "<html") {
		t.Errorf("a finished import's fragment still polls, or is a whole page: %s", done.Body)
	}
	if running := string(first.Body); strings.Contains(running, `id="job-status">running`) != strings.Contains(running, `data-poll="/imports/`+id+`/progress"`) {
		t.Errorf("the page of a running import does not refresh itself, or a finished one does: %s", running)
	}
	apptest.WantText(t, s.Expect(admin.Get("/imports"), 200), `href="/imports/`+id+`"`, "kunden.csv", "2 rows, 1 created, 1 rejected")

	// The API lists the same import.
	var page struct{ Items []store.Import }
	s.Expect(s.Do("GET", "/api/v1/imports", s.Admin, ""), 200).JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0].ID != id {
		t.Fatalf("GET /api/v1/imports: %+v", page.Items)
	}

	// A manager of no pool is told why the pool list is empty.
	_, mgr := s.PoolStaff("Mona", lead.RoleManager)
	mb := s.Browser()
	mb.SignIn(mgr, "/imports")
	apptest.WantText(t, s.Expect(mb.Get("/imports"), 200), `id="no-pool"`)
	if strings.Contains(string(list.Body), `id="no-pool"`) {
		t.Errorf("the admin is told there is no pool to import into")
	}

	// A rep has no import pages, and no link to them.
	_, rep := s.CreateRep("Ria", 5)
	rb := s.Browser()
	rb.SignIn(rep, "/leads")
	leads := s.Expect(rb.Get("/leads"), 200)
	if strings.Contains(string(leads.Body), `href="/imports"`) {
		t.Errorf("a rep's nav links to the imports")
	}
	apptest.WantText(t, leads, `href="/exports"`)
	apptest.WantText(t, s.Expect(rb.Get("/imports"), 403), "Imports are for admins and managers")
	s.Expect(rb.Upload(leads, "/imports", "kunden.csv", germanFile), 403)
	s.Expect(rb.Get("/imports/"+id), 404)
	s.Expect(s.Do("GET", "/api/v1/imports", rep, ""), 403)
}

// TestConsoleExport walks the export pages: the form with filters and
// fields, refusals next to their field, an export of two chosen columns
// (formulas neutralised), its page and download, and the lists.
func TestConsoleExport(t *testing.T) {
	s := apptest.NewStack(t)
	_, rep := s.CreateRep("Edda", 5)
	for _, body := range []string{`{"company":"Export Form Trading Co","name":"Li Lei","phone":"13800138911","country":"CN"}`,
		`{"company":"=HYPERLINK(\"http://x\") Export Form Co","phone":"13800138912","country":"CN"}`,
		`{"company":"Other Trading Co","phone":"13800138913","country":"CN"}`} {
		l := s.CreateLead(body)
		s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 200)
	}
	b := s.Browser()
	apptest.WantRedirect(t, b.SignIn(rep, "/exports"), "/exports")
	form := s.Expect(b.Get("/exports"), 200)
	apptest.WantText(t, form, `id="nav-exports" class="on"`, `id="export-form"`, `name="company"`, `id="field-id" checked`,
		`id="field-phone_e164"`, `id="empty"`)
	if strings.Contains(string(form.Body), `id="field-phone_e164" checked`) {
		t.Errorf("a field outside the defaults is checked")
	}

	apptest.WantText(t, s.Expect(b.Post(form, "/exports", url.Values{"format": {"csv"}}), 422), "fields: choose at least one field")
	bad := s.Expect(b.Post(form, "/exports", url.Values{"format": {"csv"}, "status": {"bogus"}, "fields": {"company"}}), 422)
	apptest.WantText(t, bad, `<span class="err">`, "filters.status")
	apptest.WantText(t, s.Expect(b.Post(form, "/exports", url.Values{"format": {"pdf"}, "fields": {"company"}}), 422), "format: must be csv or xlsx")

	id := jobID(t, b.Post(form, "/exports", url.Values{"format": {"csv"}, "company": {"export form"}, "fields": {"company", "name"}}), "exports")
	s.WaitExport(rep, id)
	page := s.Expect(b.Get("/exports/"+id), 200)
	apptest.WantText(t, page, `id="job-status">completed`, `href="/exports/`+id+`/file"`, "company export form", "company, name", "Kept until")
	if strings.Contains(string(page.Body), "data-poll") {
		t.Errorf("a finished export's page still polls")
	}
	file := s.Expect(b.Get("/exports/"+id+"/file"), 200)
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(file.Body, []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(recs)
	if len(recs) != 3 || fmt.Sprint(recs[0]) != "[company name]" || !strings.Contains(got, "[Export Form Trading Co Li Lei]") ||
		!strings.Contains(got, `'=HYPERLINK("http://x") Export Form Co`) || strings.Contains(got, "Other Trading") {
		t.Fatalf("the export's file: %q", recs)
	}
	apptest.WantText(t, s.Expect(b.Get("/exports/"+id+"/progress"), 200), `id="job-status">completed`)
	apptest.WantText(t, s.Expect(b.Get("/exports"), 200), `href="/exports/`+id+`"`, "CSV of company export form", "2 leads, CSV")

	// The API lists it; another rep sees neither the list entry nor the page.
	var list struct{ Items []store.Export }
	s.Expect(s.Do("GET", "/api/v1/exports", rep, ""), 200).JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != id {
		t.Fatalf("GET /api/v1/exports: %+v", list.Items)
	}
	_, other := s.CreateRep("Otto", 5)
	ob := s.Browser()
	ob.SignIn(other, "/exports")
	if body := string(s.Expect(ob.Get("/exports"), 200).Body); strings.Contains(body, id) {
		t.Errorf("another rep lists the export")
	}
	s.Expect(ob.Get("/exports/"+id), 404)
	s.Expect(ob.Get("/exports/"+id+"/progress"), 404)
	s.Expect(s.Do("GET", "/api/v1/exports?limit=0", rep, ""), 422)
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
	s, sg := apptest.NewMailStack(t)
	repID, rep := s.CreateRep("Lotte", 5)
	l := s.CreateLead(`{"company":"Email Link Trading Co","phone":"13800138921","country":"CN"}`)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/assign", s.Admin, fmt.Sprintf(`{"rep_id":%q}`, repID)), 200)
	leadMail := s.MailLinks(sg, "lotte@example.com", "Email Link Trading Co")

	t.Run("lead", func(t *testing.T) {
		page := s.FollowEmailLink(linkTo(t, leadMail, "/leads/"+l.ID), rep)
		apptest.WantText(t, page, "Email Link Trading Co", `id="follow-up"`)
	})
	t.Run("import errors", func(t *testing.T) {
		im := s.ImportFile("mail.csv", []byte("company,phone,country\nMail Import Trading Co,13800138922,CN\nMail Bad Phone Co,123,CN\n"), time.Minute)
		link := linkTo(t, s.MailLinks(sg, "ada@example.com", "Your import"), "/imports/"+im.ID)
		page := s.FollowEmailLink(link, s.Admin)
		apptest.WantText(t, page, "Import mail.csv", `href="/imports/`+im.ID+`/errors.csv"`)
		errs := s.FollowEmailLink("https://leadflow.example.com/imports/"+im.ID+"/errors.csv", s.Admin)
		apptest.WantText(t, errs, "Mail Bad Phone Co")
	})
	t.Run("export file", func(t *testing.T) {
		e := s.RunExport(rep, `{"format":"csv","fields":["company"]}`)
		link := linkTo(t, s.MailLinks(sg, "lotte@example.com", "Your export"), "/exports/"+e.ID)
		if link != "https://leadflow.example.com/exports/"+e.ID {
			t.Fatalf("the export's link %q, want its page", link)
		}
		page := s.FollowEmailLink(link, rep)
		apptest.WantText(t, page, `href="/exports/`+e.ID+`/file"`, "Download the file")
		file := s.FollowEmailLink("https://leadflow.example.com/exports/"+e.ID+"/file", rep)
		if !strings.Contains(file.Header.Get("Content-Disposition"), "attachment") || !strings.Contains(string(file.Body), "Email Link Trading Co") {
			t.Errorf("the export's file: %v %s", file.Header, file.Body)
		}
	})
	t.Run("settings", func(t *testing.T) {
		var links []string
		for _, m := range sg.DeliveredTo("lotte@example.com") {
			links = append(links, apptest.EmailLink.FindAllString(m.Body("text/plain")+m.Body("text/html"), -1)...)
		}
		page := s.FollowEmailLink(linkTo(t, links, "/settings/notifications"), rep)
		apptest.WantText(t, page, `id="settings-form"`)
	})
	s.FinishLead(l.ID)
}

// TestConsoleImportLists: the imports a manager lists are those they
// started and those into a pool they administer, in the API and on the
// page, as GET /imports/{id} decides for one import.
func TestConsoleImportLists(t *testing.T) {
	w := apptest.NewWorld(t)
	var byAdmin, byOther struct{ ID string }
	w.Expect(w.Upload("/api/v1/imports", w.Admin, "into-a.csv", []byte("company,phone,country\nList A Trading Co,13800000031,CN\n"),
		"pool_id", w.PoolA), 202).JSON(t, &byAdmin)
	w.Expect(w.Upload("/api/v1/imports", w.Tokens[apptest.SubOtherMgr], "into-b.csv", []byte("company,phone,country\nList B Trading Co,13800000032,CN\n"),
		"pool_id", w.PoolB), 202).JSON(t, &byOther)
	ids := func(token string) string {
		var p struct{ Items []store.Import }
		w.Expect(w.Do("GET", "/api/v1/imports?limit=10", token, ""), 200).JSON(t, &p)
		var out []string
		for _, im := range p.Items {
			out = append(out, im.FileName)
		}
		return strings.Join(out, ",")
	}
	for _, c := range []struct {
		sub  int
		want string
	}{{apptest.SubAdmin, "into-b.csv,into-a.csv"}, {apptest.SubMgr, "into-a.csv"}, {apptest.SubOtherMgr, "into-b.csv"}} {
		if got := ids(w.Tokens[c.sub]); got != c.want {
			t.Errorf("%s lists %q, want %q", apptest.SubjectNames[c.sub], got, c.want)
		}
		b := w.Browser()
		b.SignIn(w.Tokens[c.sub], "/imports")
		page := string(w.Expect(b.Get("/imports"), 200).Body)
		for _, name := range []string{"into-a.csv", "into-b.csv"} {
			if strings.Contains(page, ">"+name+"<") != strings.Contains(c.want, name) {
				t.Errorf("the imports page of %s and %s: %v", apptest.SubjectNames[c.sub], name, strings.Contains(page, name))
			}
		}
	}
	// One page at a time, newest first.
	var first struct {
		Items      []store.Import
		NextCursor string `json:"next_cursor"`
	}
	w.Expect(w.Do("GET", "/api/v1/imports?limit=1", w.Admin, ""), 200).JSON(t, &first)
	if len(first.Items) != 1 || first.Items[0].ID != byOther.ID || first.NextCursor == "" {
		t.Fatalf("the first page: %+v", first)
	}
	var second struct{ Items []store.Import }
	w.Expect(w.Do("GET", "/api/v1/imports?limit=1&cursor="+url.QueryEscape(first.NextCursor), w.Admin, ""), 200).JSON(t, &second)
	if len(second.Items) != 1 || second.Items[0].ID != byAdmin.ID {
		t.Fatalf("the second page: %+v", second)
	}
}
