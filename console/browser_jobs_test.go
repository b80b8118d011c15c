package console_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestBrowserImport: an admin uploads a small CSV, the matching step
// shows its columns, one column's match is changed by hand, the import
// starts, and its page's progress bar reaches done by itself.
func TestBrowserImport(t *testing.T) {
	s := apptest.NewStack(t)
	base := s.Served()
	const rows = 40
	var csv strings.Builder
	csv.WriteString("Firma,phone,country,Notiz\n")
	for i := range rows {
		fmt.Fprintf(&csv, "Browser Import Trading %02d,1380013%04d,CN,row %d\n", i, 8000+i, i)
	}
	file := filepath.Join(t.TempDir(), "browser-leads.csv")
	if err := os.WriteFile(file, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, shot := apptest.Chromium(t)

	apptest.Run(t, ctx, "sign in on the way to the imports", chromedp.Navigate(base+"/imports"), chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), s.Admin), chromedp.Click(chromedp.ID("sign-in")), chromedp.WaitVisible(chromedp.ID("import-form")))
	shot("01-imports")
	apptest.Run(t, ctx, "choose the file and match its columns", chromedp.SetUploadFiles(chromedp.ID("import-file"), []string{file}),
		chromedp.Click(chromedp.ID("match-columns")), chromedp.WaitVisible(chromedp.ID("columns")))
	auto, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#columns select')].map(s => s.value)`))
	if err != nil || strings.Join(auto, ",") != "custom.Firma,phone,country,custom.Notiz" {
		t.Fatalf("the automatic match: %q (%v)", auto, err)
	}
	if got := apptest.Text(t, ctx, "#columns tbody tr:first-child td:last-child"); !strings.Contains(got, "Browser Import Trading 00") {
		t.Errorf("the first values of Firma: %q", got)
	}
	if got := apptest.Text(t, ctx, "#match-errors"); !strings.Contains(got, "no column maps to company") {
		t.Errorf("the automatic match's refusal: %q", got)
	}
	shot("02-match")
	// The user picks another field for one column; the page checks the first rows again.
	apptest.Run(t, ctx, "match Firma to the company", chromedp.SetValue(chromedp.CSS(`select[data-header="Firma"]`), "company"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('select[data-header="Firma"]').dispatchEvent(new Event('change', {bubbles: true}))`),
		chromedp.Poll[chromedp.Void](`!document.getElementById('match-errors') && document.querySelector('select[data-header="Firma"]').value === 'company'`,
			chromedp.WithPollingTimeout(20*time.Second)))
	shot("03-matched")

	apptest.Run(t, ctx, "start the import", chromedp.Click(chromedp.ID("start-import")), chromedp.WaitVisible(chromedp.ID("job-card")))
	// A mark on the page: it survives only if the page updates itself rather than reloading.
	first, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.stayed = true; document.getElementById('job-status').textContent`))
	if err != nil {
		t.Fatal(err)
	}
	shot("04-progress")
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](`document.getElementById('job-status').textContent === 'completed'`,
		chromedp.WithPollingTimeout(90*time.Second))); err != nil {
		t.Fatalf("the import's page did not reach completed (it began %q): %v", first, err)
	}
	shot("05-done")
	bar, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`[document.getElementById('job-progress').value, document.getElementById('job-progress').max]`))
	if err != nil || len(bar) != 2 || bar[0] != rows || bar[1] != rows {
		t.Errorf("the progress bar at the end: %v (%v)", bar, err)
	}
	if first == "running" {
		if stayed, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.stayed === true`)); err != nil || !stayed {
			t.Errorf("the page reloaded instead of updating its progress (%v)", err)
		}
	}
	t.Logf("the page began %q", first)
	counts, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](
		`Object.fromEntries([...document.querySelectorAll('#job dt')].map(dt => [dt.textContent, dt.nextElementSibling.textContent]))`))
	if err != nil || counts["Created"] != "40" || counts["Rejected"] != "0" || counts["Failed"] != "0" || counts["Merged"] != "0" {
		t.Errorf("the counts on the page: %v (%v)", counts, err)
	}
	leads := s.LeadsOf("company=Browser%20Import%20Trading&limit=100")
	if len(leads) != rows || leads[0].Status != lead.StatusPooled || !strings.HasPrefix(fmt.Sprint(leads[0].Custom["Notiz"]), "row ") {
		t.Fatalf("imported leads: %d, the first %+v", len(leads), leads[0])
	}

	apptest.Run(t, ctx, "the imports list", chromedp.Navigate(base+"/imports"), chromedp.WaitVisible(chromedp.ID("job-list")))
	if got := apptest.Text(t, ctx, "#job-list tbody"); !strings.Contains(got, "browser-leads.csv") || !strings.Contains(got, "40 rows, 40 created") {
		t.Errorf("the imports list: %q", got)
	}
	shot("06-list")

	// Export the imported leads: two fields, a filter, the page updating itself until the file is ready.
	apptest.Run(t, ctx, "the export form", chromedp.Navigate(base+"/exports"), chromedp.WaitVisible(chromedp.ID("export-form")),
		chromedp.SendKeys(chromedp.ID("f-company"), "Browser Import Trading 0"),
		chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('#export-fields input').forEach(c => { c.checked = ['company', 'phone_e164'].includes(c.value) })`))
	shot("07-export-form")
	apptest.Run(t, ctx, "export", chromedp.Click(chromedp.ID("start-export")), chromedp.WaitVisible(chromedp.ID("job-card")),
		chromedp.Poll[chromedp.Void](`!!document.getElementById('download')`, chromedp.WithPollingTimeout(60*time.Second)))
	shot("08-export-done")
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('download').getAttribute('href')`))
	if err != nil || !strings.HasPrefix(href, "/exports/") || !strings.HasSuffix(href, "/file") {
		t.Fatalf("the download link %q (%v)", href, err)
	}
	exported := string(s.Expect(s.Do("GET", "/api/v1"+href, s.Admin, ""), 200).Body)
	if lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(exported, "\uFEFF")), "\n"); len(lines) != 11 || strings.TrimSpace(lines[0]) != "company,phone_e164" {
		t.Errorf("the exported file:\n%s", exported)
	}
}
