package api_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/activities"
	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/sheet"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/workflows"
)

// TestImportRows imports 200 rows of which 16 are bad (no company, a
// malformed e-mail, an invalid phone, a too-short company name): the
// import completes with the right counts and an errors.csv naming exactly
// the bad rows; the same file imported again creates no lead. The same
// import of 10,000 and 100,000 rows is BenchmarkImport.
func TestImportRows(t *testing.T) {
	n := 200
	if v, err := strconv.Atoi(os.Getenv("LEADFLOW_TEST_IMPORT_ROWS")); err == nil && v > 0 && v%50 == 0 {
		n = v // a longer run while working on the import
	}
	checkBulkImport(apptest.NewStack(t), n, func() {})
}

// bulkImportFile is a CSV of n rows (n a multiple of 50), 4 of every 50
// bad, and the reasons the bad rows must be refused with, by sheet row.
func bulkImportFile(n int) ([]byte, map[int]string) {
	var b strings.Builder
	b.WriteString("Company Name,Contact,Mobile,E-mail,Country,Tags,Budget\n")
	bad := map[int]string{} // sheet row number -> what the reason must say
	for i := 0; i < n; i++ {
		row := i + 2
		company, phone, email := fmt.Sprintf("Bulk Trading %05d Co., Ltd.", i), fmt.Sprintf("138%08d", i), fmt.Sprintf("buyer%d@example.com", i)
		switch i % 50 {
		case 7:
			company, bad[row] = "", "company: is required"
		case 17:
			email, bad[row] = "not-an-email", "email: is not a valid e-mail address"
		case 27:
			phone, bad[row] = "12345", "phone"
		case 37:
			company, bad[row] = fmt.Sprintf("X%d", i%10), "company"
		}
		fmt.Fprintf(&b, "%q,Buyer %d,%s,%s,CN,\"bulk,batch %d\",%d\n", company, i, phone, email, i%10, i*10)
	}
	return []byte(b.String()), bad
}

// checkBulkImport imports bulkImportFile(n), checks its outcome and that a
// second import of the same file creates nothing, and returns how long
// the first import took; imported is called as soon as it has finished.
func checkBulkImport(s *apptest.Stack, n int, imported func()) time.Duration {
	t := s.T
	t.Helper()
	data, bad := bulkImportFile(n)

	limit := 5*time.Minute + time.Duration(n)*100*time.Millisecond
	start := time.Now()
	im := s.ImportFile(fmt.Sprintf("leads-%d.csv", n), data, limit)
	took := time.Since(start)
	imported()
	t.Logf("imported %d rows in %s (%.0f rows/s)", n, took.Round(time.Millisecond), float64(n)/took.Seconds())
	want := lead.ImportCounts{Total: n, Processed: n, Created: n - n/50*4, Rejected: n / 50 * 4}
	got := im.ImportCounts
	got.Warnings = 0 // not counted here
	if im.Status != store.JobCompleted || got != want {
		t.Fatalf("status %s counts %+v, want %+v (error %q)", im.Status, got, want, im.Error)
	}
	if im.FinishedAt == nil || im.Format != "csv" || im.Mapping["Company Name"] != "company" || im.Mapping["Budget"] != "custom.Budget" {
		t.Fatalf("import %+v", im)
	}
	if c := s.CountLeads(); c != n-n/50*2 {
		t.Fatalf("%d leads stored, want %d (the rows rejected by rules are stored as rejected leads)", c, n-n/50*2)
	}

	header, rows := s.ErrorRows(im.ID)
	if want := []string{"row", "outcome", "reason", "lead_id", "Company Name", "Contact", "Mobile", "E-mail", "Country", "Tags", "Budget"}; !reflect.DeepEqual(header, want) {
		t.Fatalf("errors.csv header %q", header)
	}
	if len(rows) != len(bad) {
		t.Fatalf("errors.csv has %d rows, want %d", len(rows), len(bad))
	}
	for row, frag := range bad {
		rec, ok := rows[fmt.Sprint(row)]
		if !ok {
			t.Fatalf("row %d is missing from errors.csv", row)
		}
		if rec[1] != "rejected" || !strings.Contains(rec[2], frag) {
			t.Fatalf("row %d: %q, want rejected with %q", row, rec, frag)
		}
	}
	// A rule-rejected row names its stored lead; a bad-input row has none.
	if r := rows["29"]; r[3] == "" || !strings.Contains(r[2], "phone number is not valid") {
		t.Fatalf("row 29 (invalid phone): %q", r)
	}
	if r := rows["9"]; r[3] != "" || r[4] != "" || r[5] != "Buyer 7" {
		t.Fatalf("row 9 (no company): %q", r)
	}

	// An imported lead carries every mapped field.
	l := s.GetLead(activities.ImportLeadID(im, 3)) // data row 1
	if l.Company != "Bulk Trading 00001 Co., Ltd." || l.Name != "Buyer 1" || l.PhoneE164 != "+8613800000001" ||
		l.Email != "buyer1@example.com" || l.Country != "CN" || l.Source != lead.SourceImport ||
		!reflect.DeepEqual(l.Tags, []string{"bulk", "batch 1"}) || l.Custom["Budget"] != "10" || l.Status != lead.StatusPooled {
		t.Fatalf("imported lead %+v", l)
	}
	// Its workflow runs: a rep claims it.
	_, rep := s.CreateRep("Ines", 5)
	var claimed lead.Lead
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 200).JSON(t, &claimed)
	if claimed.Status != lead.StatusAssigned {
		t.Fatalf("claimed imported lead %+v", claimed)
	}
	if apptest.Recording() {
		// The replay test's history of a lead taken in by an import.
		s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/close", s.Admin, `{"reason":"recorded"}`), 200)
		historyLength(t, s.TC, workflows.WorkflowID(l.ID))
		apptest.RecordHistory(t, s.TC, workflows.WorkflowID(l.ID), "lead_imported_claim_close")
	}

	// The same file again: every row is found, nothing is created.
	start = time.Now()
	again := s.ImportFile(fmt.Sprintf("leads-%d-again.csv", n), data, limit)
	t.Logf("re-imported %d rows in %s", n, time.Since(start).Round(time.Millisecond))
	if again.ID == im.ID || again.Status != store.JobCompleted || again.Processed != n || again.Created != 0 || again.Merged != 0 ||
		again.AlreadyImported != n-n/50*2 || again.Rejected != n/50*2 || again.Failed != 0 {
		t.Fatalf("second import %+v", again)
	}
	if c := s.CountLeads(); c != n-n/50*2 {
		t.Fatalf("%d leads after the second import, want %d", c, n-n/50*2)
	}
	return took
}

// TestImportXLSXFromLibreOffice imports a workbook written by a real office
// suite: LibreOffice converts a CSV with Chinese headers to XLSX, turning
// the phone numbers into numeric cells (and "+86..." into a bare number).
func TestImportXLSXFromLibreOffice(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Fatal("soffice (LibreOffice) is not installed: scripts/deps.sh test installs it, as make test does")
	}
	dir := t.TempDir()
	csvText := "公司名称,联系人,手机,邮箱,国家,地址,标签,备注,职业,区县,预算\n" +
		"上海星辰贸易有限公司,张伟,13812345678,zhang@xingchen.cn,CN,上海市浦东新区世纪大道88号,\"展会,VIP\",老客户介绍,采购经理,浦东新区,50000\n" +
		"Bright Star Imports,Jane Doe,+1 650 253 0000,jane@brightstar.example,US,1600 Amphitheatre Parkway,distributor,,Owner,Santa Clara,1200.5\n" +
		"Gamma Works Ltd,Wang Fang,+8613900139000,,,,,,,,\n" +
		",无名氏,13700137000,,CN,,,,,,\n"
	if err := os.WriteFile(filepath.Join(dir, "leads.csv"), []byte(csvText), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, soffice, "--headless", "--norestore", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", dir, filepath.Join(dir, "leads.csv"))
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(dir, "leads.xlsx"))
	if err != nil {
		t.Fatalf("LibreOffice wrote no workbook: %v", err)
	}

	s := apptest.NewStack(t)
	// The preview shows the suggested matching of the Chinese headers.
	var p struct {
		Format           string            `json:"format"`
		Headers          []string          `json:"headers"`
		Rows             int               `json:"rows"`
		SuggestedMapping map[string]string `json:"suggested_mapping"`
		Sample           []struct {
			Row    int               `json:"row"`
			Lead   *lead.Input       `json:"lead"`
			Errors []lead.FieldError `json:"errors"`
		} `json:"sample"`
	}
	s.Expect(s.Upload("/api/v1/imports/preview", s.Admin, "leads.xlsx", data), 200).JSON(t, &p)
	wantMapping := map[string]string{"公司名称": "company", "联系人": "name", "手机": "phone", "邮箱": "email", "国家": "country",
		"地址": "address", "标签": "tags", "备注": "notes", "职业": "profession", "区县": "district", "预算": "custom.预算"}
	if p.Format != "xlsx" || p.Rows != 4 || !reflect.DeepEqual(p.SuggestedMapping, wantMapping) || len(p.Sample) != 4 ||
		p.Sample[0].Lead == nil || p.Sample[3].Errors == nil {
		t.Fatalf("preview %+v", p)
	}

	im := s.ImportFile("leads.xlsx", data, 2*time.Minute)
	if im.Status != store.JobCompleted || im.Format != "xlsx" || im.Total != 4 || im.Created != 3 || im.Rejected != 1 || im.Failed != 0 {
		t.Fatalf("import %+v", im)
	}
	_, rows := s.ErrorRows(im.ID)
	if r, ok := rows["5"]; len(rows) != 1 || !ok || !strings.Contains(r[2], `company: is required (column "公司名称")`) {
		t.Fatalf("errors.csv rows %q", rows)
	}

	leadAt := func(row int) lead.Lead { return s.GetLead(activities.ImportLeadID(im, row)) }
	zh := leadAt(2)
	if zh.Company != "上海星辰贸易有限公司" || zh.Name != "张伟" || zh.PhoneE164 != "+8613812345678" || zh.Email != "zhang@xingchen.cn" ||
		zh.Country != "CN" || zh.Address != "上海市浦东新区世纪大道88号" || !reflect.DeepEqual(zh.Tags, []string{"展会", "VIP"}) ||
		zh.Notes != "老客户介绍" || zh.Profession != "采购经理" || zh.District != "浦东新区" || zh.Custom["预算"] != "50000" ||
		zh.Status != lead.StatusPooled || zh.Source != lead.SourceImport {
		t.Fatalf("Chinese row: %+v", zh)
	}
	us := leadAt(3)
	if us.PhoneE164 != "+16502530000" || us.Country != "US" || us.Custom["预算"] != "1200.5" || us.Status != lead.StatusPooled {
		t.Fatalf("US row: %+v", us)
	}
	// LibreOffice stored "+8613900139000" as the number 8613900139000: the plus is restored.
	if g := leadAt(4); g.PhoneE164 != "+8613900139000" || g.Country != "CN" || g.Status != lead.StatusPooled {
		t.Fatalf("row with the lost plus: %+v", g)
	}
}

// TestImportTargetsAndTemplate: the sample sheet imports into the chosen
// pool; a rep may download the template but not import.
func TestImportTargetsAndTemplate(t *testing.T) {
	s := apptest.NewStack(t)
	_, rep := s.CreateRep("Tina", 5)
	poolID := s.CreatePool(`{"name":"Import pool","scope":"global","policy":{"distribution":"claim_only"}}`)
	for _, f := range []string{"csv", "xlsx"} {
		r := s.Expect(s.Do("GET", "/api/v1/imports/template?format="+f, rep, ""), 200)
		if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="leads-sample.`+f+`"` {
			t.Fatalf("template disposition %q", cd)
		}
		tab, err := sheet.Read("t."+f, r.Body)
		if err != nil || len(tab.Rows) != 2 || tab.Headers[0] != "company" {
			t.Fatalf("%s template: %+v %v", f, tab, err)
		}
		if f == "xlsx" {
			im := s.ImportFile("leads-sample.xlsx", r.Body, time.Minute, "pool_id", poolID, "duplicate_policy", "warn")
			if im.Created != 2 || im.PoolID != poolID || im.DuplicatePolicy != "warn" {
				t.Fatalf("template import %+v", im)
			}
			// import_template.json holds one recorded before ImportInput.Parallel (one batch at a time).
			apptest.RecordHistory(t, s.TC, workflows.ImportWorkflowID(im.ID), "import_template_parallel")
			if l := s.GetLead(activities.ImportLeadID(im, 2)); l.Company != "Acme Trading Co., Ltd." ||
				l.Status != lead.StatusPooled || l.PoolID != poolID || l.Source != lead.SourceImport {
				t.Fatalf("template lead %+v", l)
			}
		}
	}
	s.Expect(s.Upload("/api/v1/imports", rep, "a.csv", []byte("company,phone\nAcme,1\n")), 403)
	s.Expect(s.Do("GET", "/api/v1/imports/template?format=pdf", rep, ""), 422)
}

// TestImportDuplicatePolicies: a row duplicating a live lead is rejected,
// merged or created with a warning as the import's policy says, and the
// errors file names it.
func TestImportDuplicatePolicies(t *testing.T) {
	s := apptest.NewStack(t)
	existing := s.CreateLead(`{"company":"Duplicate Source Trading","phone":"13800138777","country":"CN"}`)
	for _, c := range []struct {
		policy                    string
		created, merged, rejected int
		warnings                  int
		outcome, reason           string
	}{
		{"reject", 0, 0, 1, 0, "rejected", lead.DuplicateReasonPrefix + existing.ID},
		{"warn", 1, 0, 0, 1, "warning", "duplicates lead " + existing.ID},
		{"merge", 0, 1, 0, 0, "", ""},
	} {
		// A different note per policy: another file, so other lead ids.
		data := []byte("公司名称,手机,国家,备注\n\"Duplicate Source Trading Co., Ltd.\",138 0013 8777,CN," + c.policy + "\n")
		im := s.ImportFile(c.policy+".csv", data, time.Minute, "duplicate_policy", c.policy)
		if im.Created != c.created || im.Merged != c.merged || im.Rejected != c.rejected || im.Warnings != c.warnings || im.Failed != 0 {
			t.Fatalf("%s: %+v", c.policy, im)
		}
		_, rows := s.ErrorRows(im.ID)
		if c.outcome == "" {
			if len(rows) != 0 {
				t.Fatalf("%s: errors.csv %q", c.policy, rows)
			}
			continue
		}
		if r := rows["2"]; len(rows) != 1 || r[1] != c.outcome || !strings.Contains(r[2], c.reason) {
			t.Fatalf("%s: errors.csv %q", c.policy, rows)
		}
	}
}

// TestImportRefusals: every bad request is a problem naming the field,
// never a 500.
func TestImportRefusals(t *testing.T) {
	s := apptest.NewStack(t)
	ok := []byte("公司,电话\nAcme Trading,13800138000\n")
	field := func(r apptest.Response, status int, name, frag string) {
		t.Helper()
		p := s.Expect(r, status).Problem(t)
		for _, f := range p.Errors {
			if f.Field == name && strings.Contains(f.Reason, frag) {
				return
			}
		}
		t.Fatalf("problem %+v lacks %s ~ %q", p, name, frag)
	}
	big := bytes.Repeat([]byte("Acme Trading,13800138000\n"), sheet.MaxFileBytes/25+10)
	field(s.Upload("/api/v1/imports", s.Admin, "big.csv", append([]byte("company,phone\n"), big...)), 413, "file", "larger than 20 MB")
	field(s.Upload("/api/v1/imports", s.Admin, "", nil, "pool_id", ""), 422, "file", "is required")
	field(s.Do("POST", "/api/v1/imports", s.Admin, `{"file":"x"}`), 415, "file", "is required")
	field(s.Upload("/api/v1/imports", s.Admin, "a.csv", ok, "mapping", "[1,2]"), 422, "mapping", "JSON object")
	field(s.Upload("/api/v1/imports", s.Admin, "a.csv", ok, "mapping", `{"Firma":"company"}`), 422, "mapping.Firma", "not a column")
	field(s.Upload("/api/v1/imports", s.Admin, "a.csv", ok, "mapping", `{"公司":"birthday"}`), 422, "mapping.公司", "must be one of")
	field(s.Upload("/api/v1/imports", s.Admin, "a.csv", []byte("Firma,Telefon\nAcme,1\n")), 422, "mapping", "no column maps to company")
	field(s.Upload("/api/v1/imports", s.Admin, "a.csv", ok, "duplicate_policy", "ignore"), 422, "duplicate_policy", "merge, warn or reject")
	field(s.Upload("/api/v1/imports", s.Admin, "a.csv", ok, "pool_id", "00000000-0000-0000-0000-00000000dead"), 422, "pool_id", "not an existing pool")
	field(s.Upload("/api/v1/imports", s.Admin, "a.csv", ok, "pool_id", "not-a-uuid"), 422, "pool_id", "not an existing pool")
	field(s.Upload("/api/v1/imports", s.Admin, "a.xls", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")), 422, "file", "save it as .xlsx")
	field(s.Upload("/api/v1/imports", s.Admin, "a.csv", []byte("公司,电话\n")), 422, "file", "no data rows")
	field(s.Upload("/api/v1/imports", s.Admin, "a.csv", ok, "dry_run", "maybe"), 422, "dry_run", "true or false")
	s.Expect(s.Do("GET", "/api/v1/imports/00000000-0000-0000-0000-000000000000", s.Admin, ""), 404)
	s.Expect(s.Do("GET", "/api/v1/imports/nope/errors.csv", s.Admin, ""), 404)

	// dry_run answers the preview and imports nothing; a mapping the caller
	// gives is completed by the suggestion.
	var p struct {
		Mapping map[string]string `json:"mapping"`
		Sample  []struct {
			Lead *lead.Input `json:"lead"`
		} `json:"sample"`
	}
	s.Expect(s.Upload("/api/v1/imports", s.Admin, "a.csv", ok, "dry_run", "true", "mapping", `{"电话":"phone"}`), 200).JSON(t, &p)
	if p.Mapping["公司"] != "company" || p.Mapping["电话"] != "phone" || len(p.Sample) != 1 || p.Sample[0].Lead.Company != "Acme Trading" {
		t.Fatalf("dry run %+v", p)
	}
	if c := s.CountLeads(); c != 0 {
		t.Fatalf("a dry run stored %d leads", c)
	}
}

// TestExport: exports run in the background, hold only what the caller
// may see (exactly what the caller's lead list shows), and come as CSV or
// XLSX with the chosen fields.
func TestExport(t *testing.T) {
	s := apptest.NewStack(t)
	ritaID, rita := s.CreateRep("Rita", 10)
	_, otto := s.CreateRep("Otto", 10)
	var ids []string
	for i, body := range []string{
		`{"company":"Export Alpha Trading","phone":"13800138101","country":"CN","tags":["expo"],"custom":{"Budget":"5000"}}`,
		`{"company":"Export Beta Trading","phone":"13800138102","country":"CN"}`,
		`{"company":"Export Gamma Trading","phone":"13800138103","country":"CN","name":"=cmd"}`,
		`{"company":"Export Delta Trading","phone":"13800138104","country":"CN"}`,
	} {
		l := s.CreateLead(body)
		ids = append(ids, l.ID)
		switch i {
		case 0:
			s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", rita, ""), 200)
		case 1:
			s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", otto, ""), 200)
		}
	}

	// Rita exports CSV: the leads her list shows, not Otto's.
	fields := `["id","company","phone","status","owner_id","tags","name","custom.Budget"]`
	e := s.RunExport(rita, `{"format":"csv","fields":`+fields+`}`)
	apptest.RecordHistory(t, s.TC, workflows.ExportWorkflowID(e.ID), "export_csv")
	if e.Rows == 0 || e.Format != "csv" {
		t.Fatalf("export %+v", e)
	}
	r := s.Expect(s.Do("GET", "/api/v1/exports/"+e.ID+"/file", rita, ""), 200)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(r.Header.Get("Content-Disposition"), ".csv") {
		t.Fatalf("file headers %v", r.Header)
	}
	tab, err := sheet.Read("x.csv", r.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tab.Headers, []string{"id", "company", "phone", "status", "owner_id", "tags", "name", "custom.Budget"}) {
		t.Fatalf("headers %q", tab.Headers)
	}
	got := map[string][]string{}
	for _, row := range tab.Rows {
		got[row.Cells[0]] = row.Cells
	}
	if _, ok := got[ids[1]]; ok {
		t.Fatal("Rita's export holds Otto's lead")
	}
	if a := got[ids[0]]; a == nil || a[1] != "Export Alpha Trading" || a[3] != "assigned" || a[4] != ritaID || a[5] != "expo" || a[7] != "5000" {
		t.Fatalf("Rita's lead row %q", a)
	}
	if g := got[ids[2]]; g != nil && g[6] != "'=cmd" {
		t.Fatalf("a formula-like value is not defused: %q", g)
	}
	var visible struct {
		Items []lead.Lead `json:"items"`
	}
	s.Expect(s.Do("GET", "/api/v1/leads?limit=500", rita, ""), 200).JSON(t, &visible)
	var want, have []string
	for _, l := range visible.Items {
		want = append(want, l.ID)
	}
	for id := range got {
		have = append(have, id)
	}
	sort.Strings(want)
	sort.Strings(have)
	if !reflect.DeepEqual(want, have) || e.Rows != len(want) {
		t.Fatalf("export holds %v (%d rows), Rita's list %v", have, e.Rows, want)
	}

	// The consent column: each channel the lead has an address on, and
	// why and since when one is suppressed (issue 27: consent is exported).
	if err := s.DB.Suppress(context.Background(), lead.ChannelSMS, "+8613800138101", "unsubscribed", ids[0]); err != nil {
		t.Fatal(err)
	}
	ce := s.RunExport(rita, `{"format":"csv","fields":["id","consent"]}`)
	cr := s.Expect(s.Do("GET", "/api/v1/exports/"+ce.ID+"/file", rita, ""), 200)
	ctab, err := sheet.Read("c.csv", cr.Body)
	if err != nil {
		t.Fatal(err)
	}
	consent := map[string]string{}
	for _, row := range ctab.Rows {
		consent[row.Cells[0]] = row.Cells[1]
	}
	if c := consent[ids[0]]; !strings.HasPrefix(c, "sms: unsubscribed 20") || !strings.HasSuffix(c, "; whatsapp: ok") || strings.Contains(c, "email") {
		t.Fatalf("the consent of a lead unsubscribed from SMS: %q", c)
	}

	// Otto may not see Rita's export: for him it does not exist.
	s.Expect(s.Do("GET", "/api/v1/exports/"+e.ID, otto, ""), 404)
	s.Expect(s.Do("GET", "/api/v1/exports/"+e.ID+"/file", otto, ""), 404)

	// The admin exports XLSX with a filter, given in the body or the query.
	for _, req := range []struct{ path, body string }{
		{"/api/v1/exports", `{"format":"xlsx","filters":{"status":"assigned"}}`},
		{"/api/v1/exports?status=assigned&limit=10&format=xlsx", ``},
	} {
		var x apptest.ExportResult
		s.Expect(s.Do("POST", req.path, s.Admin, req.body), 202).JSON(t, &x)
		x = s.WaitExport(s.Admin, x.ID)
		if x.Status != store.JobCompleted || x.Rows != 2 || x.Filters["status"] != "assigned" || x.FileURL != "/api/v1/exports/"+x.ID+"/file" {
			t.Fatalf("admin export %+v", x)
		}
		r = s.Expect(s.Do("GET", x.FileURL, s.Admin, ""), 200)
		if !strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("xlsx content type %q", r.Header.Get("Content-Type"))
		}
		book, err := sheet.Read("x.xlsx", r.Body)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(book.Headers, sheet.DefaultExportFields) || len(book.Rows) != 2 {
			t.Fatalf("xlsx %q %+v", book.Headers, book.Rows)
		}
		companies := []string{book.Rows[0].Cells[3], book.Rows[1].Cells[3]}
		sort.Strings(companies)
		if !reflect.DeepEqual(companies, []string{"Export Alpha Trading", "Export Beta Trading"}) {
			t.Fatalf("xlsx companies %q", companies)
		}
		// The export is importable again: its headers map to the lead fields.
		if m := sheet.Suggest(book.Headers); m["company"] != "company" || m["phone"] != "phone" || m["tags"] != "tags" {
			t.Fatalf("export headers map to %v", m)
		}
	}

	// Bad requests name the field.
	for body, f := range map[string]string{
		`{"format":"pdf"}`:                      "format",
		`{"fields":["company","password"]}`:     "fields[1]",
		`{"filters":{"colour":"red"}}`:          "filters.colour",
		`{"filters":{"status":"happy"}}`:        "filters.status",
		`{"filters":{"created_from":"monday"}}`: "filters.created_from",
		`{"filters":{"owner_id":"bob"}}`:        "filters.owner_id",
		`{"format":1}`:                          "format",
	} {
		p := s.Expect(s.Do("POST", "/api/v1/exports", rita, body), 422).Problem(t)
		if len(p.Errors) == 0 || p.Errors[0].Field != f {
			t.Fatalf("%s: %+v, want field %s", body, p, f)
		}
	}
	s.Expect(s.Do("GET", "/api/v1/exports/00000000-0000-0000-0000-000000000000", s.Admin, ""), 404)
}
