package console_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/leadflow/leadflow/internal/apptest"
)

// TestBrowserBulkActions: on a pool's lead list an admin ticks two leads,
// picks "assign to" a rep who may hold three, confirms the count and
// watches the job's page update itself until done; then selects all the
// pooled leads matching the filter, and the summary says one was
// assigned and two refused for the rep's capacity, with the CSV of them.
// In Chinese, every lead of the page is tagged the same way.
func TestBrowserBulkActions(t *testing.T) {
	s := apptest.NewStack(t)
	base := s.Served()
	repID, _ := s.CreateRep("Bea", 3)
	poolID := s.CreatePool(fmt.Sprintf(`{"name":"Browser bulk","scope":"global","member_ids":[%q],"policy":{"distribution":"claim_only"}}`, repID))
	s.PooledLeads("Browser Bulk", 5, 500, poolID)
	list := base + "/leads?tab=" + url.QueryEscape(poolID)
	ctx, shot := apptest.Chromium(t)
	waitDone := func(status string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](`document.getElementById('job-status').textContent === '`+status+`'`,
			chromedp.WithPollingTimeout(90*time.Second))); err != nil {
			t.Fatalf("the job's page did not reach %s: %v (%s)", status, err, apptest.Text(t, ctx, "#job-card"))
		}
	}
	// confirm goes on to the confirmation, checks its question, confirms
	// and waits on the job's page until it reaches status.
	confirm := func(question, status, shotConfirm string) {
		t.Helper()
		apptest.Run(t, ctx, "continue to the confirmation", chromedp.Click(chromedp.ID("bulk-go")), chromedp.WaitVisible(chromedp.ID("bulk-confirm")))
		if got := apptest.Text(t, ctx, "#bulk-question"); got != question {
			t.Errorf("the confirmation: %q, want %q", got, question)
		}
		shot(shotConfirm)
		apptest.Run(t, ctx, "confirm", chromedp.Click(chromedp.ID("bulk-confirm-go")), chromedp.WaitVisible(chromedp.ID("job-card")))
		// A mark on the page: it survives only if the page updates itself rather than reloading.
		first, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.stayed = true; document.getElementById('job-status').textContent`))
		if err != nil {
			t.Fatal(err)
		}
		waitDone(status)
		if stayed, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.stayed === true`)); first != status && (err != nil || !stayed) {
			t.Errorf("the page reloaded instead of updating its progress (%v)", err)
		}
		t.Logf("the job's page began %q", first)
	}
	counts := func() map[string]string {
		t.Helper()
		m, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](
			`Object.fromEntries([...document.querySelectorAll('#job dt')].map(dt => [dt.textContent, dt.nextElementSibling.textContent]))`))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}

	apptest.Run(t, ctx, "sign in on the way to the pool's leads", chromedp.Navigate(list), chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), s.Admin), chromedp.Click(chromedp.ID("sign-in")), chromedp.WaitVisible(chromedp.ID("bulk-form")))
	apptest.Run(t, ctx, "tick two leads and pick assign",
		chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll('input.pick[name=lead_ids]')].slice(0, 2).forEach(p => p.click())`),
		chromedp.SetValue(chromedp.ID("bulk-action"), "assign"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('bulk-action').dispatchEvent(new Event('change', {bubbles: true}))`),
		chromedp.SetValue(chromedp.ID("bulk-rep"), repID))
	if got := apptest.Text(t, ctx, "#bulk-count"); got != "2 selected" {
		t.Errorf("the count: %q", got)
	}
	if hidden, _ := chromedp.Run(ctx, chromedp.Evaluate[[]bool](`[document.querySelector('[data-for=assign]').hidden, document.querySelector('[data-for=set_stage]').hidden]`)); len(hidden) != 2 || hidden[0] || !hidden[1] {
		t.Errorf("the assign choices shown, the others hidden: %v", hidden)
	}
	shot("01-selected")
	confirm("Assign 2 leads to Bea?", "done", "02-confirm")
	shot("03-done")
	if c := counts(); c["Done"] != "2" || c["Refused"] != "0" {
		t.Errorf("the summary: %v", c)
	}

	// Every pooled lead matching the filter: three, of which the rep may take one more.
	apptest.Run(t, ctx, "select all the pooled leads", chromedp.Navigate(list+"&status=pooled"), chromedp.WaitVisible(chromedp.ID("bulk-form")),
		chromedp.Click(chromedp.ID("bulk-all")), chromedp.SetValue(chromedp.ID("bulk-action"), "assign"), chromedp.SetValue(chromedp.ID("bulk-rep"), repID),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('bulk-action').dispatchEvent(new Event('change', {bubbles: true}))`))
	confirm("Assign 3 leads to Bea?", "done", "04-confirm-all")
	shot("05-summary")
	if c := counts(); c["Done"] != "1" || c["Refused"] != "2" || c["Refused by reason"] != "capacity reached: 2" {
		t.Errorf("the summary of all matching: %v", c)
	}
	if got := apptest.Text(t, ctx, "#download"); got != "Download the refused leads (CSV)" {
		t.Errorf("the refused leads' link: %q", got)
	}

	// In Chinese: the page's box ticks all five, and each is tagged.
	apptest.Run(t, ctx, "in Chinese", chromedp.Navigate(base+"/lang/zh-CN?next="+url.QueryEscape("/leads?tab="+poolID)), chromedp.WaitVisible(chromedp.ID("bulk-form")),
		chromedp.Click(chromedp.ID("pick-page")), chromedp.SetValue(chromedp.ID("bulk-action"), "add_tags"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('bulk-action').dispatchEvent(new Event('change', {bubbles: true}))`),
		chromedp.SendKeys(chromedp.ID("bulk-tags"), "vip"))
	if got := apptest.Text(t, ctx, "#bulk-count"); got != "已选 5 条" {
		t.Errorf("the count in Chinese: %q", got)
	}
	shot("06-zh-selected")
	confirm("为 5 条线索添加标签 vip？", "已完成", "07-zh-confirm")
	shot("08-zh-summary")
	if c := counts(); c["已完成"] != "5" {
		t.Errorf("the summary in Chinese: %v", c)
	}
	if got := apptest.Text(t, ctx, "#job-done"); got != "5 / 5 条线索" {
		t.Errorf("the progress in Chinese: %q", got)
	}
	for _, l := range s.LeadsOf("company=Browser%20Bulk&limit=10") {
		if !strings.Contains(strings.Join(l.Tags, ","), "vip") {
			t.Errorf("lead %s has tags %v", l.Company, l.Tags)
		}
	}
}
