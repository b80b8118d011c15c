package console_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestBrowserRuleEditor: an admin opens the validation rules, saves a
// broken rule and sees the error at its line (the line marked, a band on
// it, the caret in it), tests and previews the fixed draft, saves it, and
// rolls back to version 1 after looking at the diff.
func TestBrowserRuleEditor(t *testing.T) {
	s := apptest.NewStack(t)
	base := s.Served()
	for _, company := range []string{"Acmes", "Globex", "Initech Labs"} {
		s.CreateLead(fmt.Sprintf(`{"company":%q,"phone":"13800138000","country":"CN"}`, company))
	}
	var me, link struct{ ID, URL string }
	s.Expect(s.Do("GET", "/api/v1/me", s.Admin, ""), 200).JSON(t, &me)
	s.Expect(s.Do("POST", "/api/v1/users/"+me.ID+"/sign-in-link", s.Admin, ""), 201).JSON(t, &link)
	if !strings.HasPrefix(link.URL, base+"/login/") {
		t.Fatalf("sign-in link %q", link.URL)
	}
	ctx, shot := apptest.Chromium(t)

	apptest.Run(t, ctx, "sign in", chromedp.Navigate(link.URL+"?next=/leads"), chromedp.WaitVisible(chromedp.ID("continue")),
		chromedp.Click(chromedp.ID("continue")), chromedp.WaitVisible(chromedp.ID("nav-rules")))
	apptest.Run(t, ctx, "open the rules", chromedp.Click(chromedp.ID("nav-rules")), chromedp.WaitVisible(chromedp.ID("rule-kinds")))
	shot("01-kinds")
	apptest.Run(t, ctx, "open the validation rules", chromedp.Click(chromedp.ID("kind-validation")), chromedp.WaitVisible(chromedp.ID("rule-source")))
	if got := apptest.Text(t, ctx, "#active-version"); got != "active: v1" {
		t.Errorf("active version: %q", got)
	}
	shot("02-editor")

	// A broken rule: the error names line 5 and its column; the editor marks line 5.
	col := strings.Index(strings.Split(brokenValidation, "\n")[4], "minimum") + 1
	apptest.Run(t, ctx, "save a broken rule", chromedp.SetValue(chromedp.ID("rule-source"), brokenValidation),
		chromedp.Click(chromedp.ID("save-rules")), chromedp.WaitVisible(chromedp.ID("compile-errors")))
	if got, want := apptest.Text(t, ctx, "#compile-errors a"), fmt.Sprintf("line 5, column %d", col); got != want {
		t.Errorf("the error says %q, want %q", got, want)
	}
	if got := apptest.Text(t, ctx, "#compile-errors"); !strings.Contains(got, "rules[1].when") || !strings.Contains(got, "minimum") {
		t.Errorf("the error: %q", got)
	}
	if got := apptest.Text(t, ctx, "#gutter .bad"); got != "5" {
		t.Errorf("the marked line number: %q", got)
	}
	// The band lies on line 5's number, and the caret is at the error.
	at, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => {
		const band = document.getElementById('error-band'), src = document.getElementById('rule-source');
		const five = document.querySelectorAll('#gutter span')[4];
		const before = src.value.slice(0, src.selectionStart);
		return [band.hidden ? -1 : Math.abs(band.getBoundingClientRect().top - five.getBoundingClientRect().top),
			before.split('\n').length, before.length - before.lastIndexOf('\n'), document.activeElement === src ? 1 : 0];
	})()`))
	if err != nil || len(at) != 4 || at[0] < 0 || at[0] > 2 || at[1] != 5 || int(at[2]) != col || at[3] != 1 {
		t.Errorf("band offset from line 5, caret line, caret column, focused: %v, want [≤2 5 %d 1] (%v)", at, col, err)
	}
	shot("03-broken")

	// The fixed draft, tested on a sample lead and previewed over the recent leads.
	good := strings.Replace(brokenValidation, "lead.minimum", "6", 1)
	apptest.Run(t, ctx, "test the draft", chromedp.SetValue(chromedp.ID("rule-source"), good),
		chromedp.SetValue(chromedp.ID("sample-lead"), `{"company":"Hooli","phone":"13800138000","country":"CN"}`),
		chromedp.Click(chromedp.ID("test-rules")), chromedp.WaitVisible(chromedp.ID("test-result")))
	if got := apptest.Text(t, ctx, "#test-decision"); got != "rejected: company name must be longer than 6 characters" {
		t.Errorf("decision: %q", got)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#test-trace tbody tr').length`)); err != nil || n != 2 {
		t.Errorf("the trace has %d rules (%v)", n, err)
	}
	shot("04-tested")
	apptest.Run(t, ctx, "preview the draft", chromedp.Click(chromedp.ID("preview-rules")), chromedp.WaitVisible(chromedp.ID("preview-table")))
	changed, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#preview-table tr.changed td:first-child')].map(td => td.textContent).sort()`))
	if err != nil || strings.Join(changed, ",") != "Acmes,Globex" {
		t.Errorf("highlighted rows: %q (%v)", changed, err)
	}
	bg, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('#preview-table tr.changed td')).backgroundColor`))
	if err != nil || bg != "rgb(255, 243, 196)" {
		t.Errorf("a changed row's background: %q (%v)", bg, err)
	}
	shot("05-preview")

	apptest.Run(t, ctx, "save the fixed draft", chromedp.Click(chromedp.ID("save-rules")), chromedp.WaitVisible(chromedp.ID("notice")))
	if got := apptest.Text(t, ctx, "#notice"); got != "Saved as version 2; it is active now." {
		t.Errorf("notice: %q", got)
	}
	shot("06-saved")

	// Roll back: the diff from the active version, a confirmation, then version 1 again.
	apptest.Run(t, ctx, "compare version 1", chromedp.Click(chromedp.ID("version-1")), chromedp.WaitVisible(chromedp.ID("diff")))
	diff, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`['removed', 'added'].map(k => [...document.querySelectorAll('#diff .' + k)].map(e => e.textContent).join('\n'))`))
	if err != nil || len(diff) != 2 || !strings.Contains(diff[0], "longer than 6") || !strings.Contains(diff[1], "longer than 4") || !strings.Contains(diff[1], "ip_many_companies") {
		t.Errorf("removed and added lines: %q (%v)", diff, err)
	}
	shot("07-diff")
	apptest.Run(t, ctx, "roll back", chromedp.Click(chromedp.ID("confirm-activate")), chromedp.Click(chromedp.ID("activate")),
		chromedp.WaitVisible(chromedp.ID("notice")))
	if got := apptest.Text(t, ctx, "#notice"); got != "Version 1 is active now." {
		t.Errorf("notice: %q", got)
	}
	shot("08-rolled-back")
	var active lead.RuleSet
	s.Expect(s.Do("GET", "/api/v1/rules/validation", s.Admin, ""), 200).JSON(t, &active)
	if active.Version != 1 {
		t.Fatalf("after the rollback version %d is active", active.Version)
	}
}
