package console_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestBrowserSequences: a manager makes a sequence in the browser (a step
// that is no step is refused at its field), enrols a lead of their pool
// from its page, sees the first step go out and where the lead is in the
// Sequences panel, takes it out, and reads the sequence's report; the
// pages read in Chinese too.
func TestBrowserSequences(t *testing.T) {
	m := apptest.NewCampaignStack(t)
	m.StartWorker(true)
	s := m.Stack
	base := s.Served()
	mgrID, _ := s.PoolStaff("Sunny", lead.RoleManager)
	pool := s.CreatePool(fmt.Sprintf(`{"name":"Drip pool","scope":"global","admin_ids":[%q],"policy":{"distribution":"claim_only"}}`, mgrID))
	l := s.CreateLead(fmt.Sprintf(`{"company":"Browser Drip Ltd","name":"Dana","phone":"13900139333","country":"CN","pool_id":%q}`, pool))
	s.Expect(s.Do("POST", "/api/v1/templates", s.Admin, `{"name":"Drip hello","channel":"sms","language":"en","body":"Hi {{.Lead.Name}}"}`), 201)
	var link struct{ URL string }
	s.Expect(s.Do("POST", "/api/v1/users/"+mgrID+"/sign-in-link", s.Admin, ""), 201).JSON(t, &link)
	ctx, shot := apptest.Chromium(t)
	apptest.Run(t, ctx, "sign in", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(link.URL+"?next=/sequences"),
		chromedp.WaitVisible(chromedp.ID("continue")), chromedp.Click(chromedp.ID("continue")), chromedp.WaitVisible(chromedp.ID("sequence-form")))

	apptest.Run(t, ctx, "a step that is no step", chromedp.SendKeys(chromedp.ID("s-name"), "Welcome drip"),
		chromedp.Click(`input[name="pool_ids"]`),
		chromedp.SetValue(chromedp.ID("s-steps"), "send Drip hello\nwait 1h\nshout loudly"), chromedp.Click(chromedp.ID("save-sequence")),
		chromedp.WaitVisible(`#err-steps li`))
	if got := apptest.Text(t, ctx, "#err-steps"); !strings.Contains(got, "steps[2]") {
		t.Errorf("the refusal %q names no step 2", got)
	}
	apptest.Run(t, ctx, "the sequence", chromedp.SetValue(chromedp.ID("s-steps"), "send Drip hello\nwait 1h\nsend Drip hello"),
		chromedp.Click(chromedp.ID("save-sequence")), chromedp.WaitVisible(chromedp.ID("sequence-funnel")))
	if got := apptest.Text(t, ctx, "#sequence-steps"); !strings.Contains(got, "Send Drip hello by") || !strings.Contains(got, "Wait 1h") {
		t.Errorf("the steps: %q", got)
	}
	shot("01-sequence")

	apptest.Run(t, ctx, "the lead's page", chromedp.Navigate(base+"/leads/"+l.ID), chromedp.WaitVisible(chromedp.ID("enrol-form")),
		chromedp.Click(chromedp.ID("enrol")), chromedp.WaitVisible(`#enrolments .enrolment-active`))
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Second) {
		apptest.Run(t, ctx, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("enrolments")))
		if strings.Contains(apptest.Text(t, ctx, "#enrolments"), "Step 2 of 3") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the panel reads %q after 30 s", apptest.Text(t, ctx, "#enrolments"))
		}
	}
	if got := apptest.Text(t, ctx, "#enrolments"); !strings.Contains(got, "Welcome drip") || !strings.Contains(got, "next step") {
		t.Errorf("the panel: %q", got)
	}
	shot("02-lead-panel")
	apptest.Run(t, ctx, "take it out", chromedp.Click(`#enrolments button.danger`),
		chromedp.WaitVisible(`#enrolments .enrolment-exited`))
	if got := apptest.Text(t, ctx, "#enrolments"); !strings.Contains(got, "taken out") {
		t.Errorf("the panel after taking it out: %q", got)
	}

	apptest.Run(t, ctx, "in Chinese", chromedp.Navigate(base+"/lang/zh-CN?next=/leads/"+l.ID), chromedp.WaitVisible(chromedp.ID("enrolments")))
	if got := apptest.Text(t, ctx, "#sequences-box h2"); got != "培育序列" {
		t.Errorf("the Chinese panel's title %q", got)
	}
	if got := apptest.Text(t, ctx, "#enrolments"); !strings.Contains(got, "已退出") || !strings.Contains(got, "已移出") {
		t.Errorf("the Chinese panel: %q", got)
	}
	apptest.Run(t, ctx, "the list in Chinese", chromedp.Navigate(base+"/sequences"), chromedp.WaitVisible(chromedp.ID("sequence-list")))
	if h1 := apptest.Text(t, ctx, "main h1"); h1 != "培育序列" {
		t.Errorf("the Chinese title %q", h1)
	}
	apptest.Run(t, ctx, "the report in Chinese", chromedp.Click(`#sequence-list a`), chromedp.WaitVisible(chromedp.ID("sequence-funnel")))
	if got := apptest.Text(t, ctx, "#sequence-funnel"); !strings.Contains(got, "已发送") || !strings.Contains(got, "1") {
		t.Errorf("the Chinese report: %q", got)
	}
	shot("03-sequence-zh")
}
