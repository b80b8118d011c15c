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

// TestBrowserCampaigns: a manager makes a campaign in the browser to the
// leads of a filter, starts it, watches its progress reach done and its
// funnel count the messages sent; the list and the campaign's page read
// in Chinese too.
func TestBrowserCampaigns(t *testing.T) {
	m := apptest.NewCampaignStack(t)
	m.StartWorker(true)
	s := m.Stack
	base := s.Served()
	mgrID, _ := s.PoolStaff("Mona", lead.RoleManager)
	pool := s.CreatePool(fmt.Sprintf(`{"name":"Fair pool","scope":"global","admin_ids":[%q],"policy":{"distribution":"claim_only"}}`, mgrID))
	for i := 0; i < 3; i++ {
		s.CreateLead(fmt.Sprintf(`{"company":"Browser Fair %d Ltd","name":"Guest %d","phone":"1390013911%d","email":"guest%d@fair.cn","country":"CN","pool_id":%q,"tags":["fair"]}`, i, i, i, i, pool))
	}
	var tpl lead.Template
	s.Expect(s.Do("POST", "/api/v1/templates", s.Admin, `{"name":"Fair news","channel":"email","language":"en","subject":"News","body":"Dear {{.Lead.Name}}"}`), 201).JSON(t, &tpl)
	var link struct{ URL string }
	s.Expect(s.Do("POST", "/api/v1/users/"+mgrID+"/sign-in-link", s.Admin, ""), 201).JSON(t, &link)
	ctx, shot := apptest.Chromium(t)
	apptest.Run(t, ctx, "sign in", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(link.URL+"?next=/campaigns"),
		chromedp.WaitVisible(chromedp.ID("continue")), chromedp.Click(chromedp.ID("continue")), chromedp.WaitVisible(chromedp.ID("campaign-form")))

	// No template: refused at the field.
	apptest.Run(t, ctx, "a campaign without a template", chromedp.SendKeys(chromedp.ID("c-name"), "Fair news"),
		chromedp.SetValue(chromedp.ID("c-filter"), "tag=fair"), chromedp.Click(chromedp.ID("create-campaign")),
		chromedp.WaitVisible(chromedp.ID("problem"))) // the answer, not the form's empty place for the reason
	if got := apptest.Text(t, ctx, "#err-template_id"); got == "" {
		t.Errorf("no reason at the template")
	}
	apptest.Run(t, ctx, "the draft", chromedp.SetValue(chromedp.ID("c-template"), tpl.ID), chromedp.Click(chromedp.ID("create-campaign")),
		chromedp.WaitVisible(chromedp.ID("campaign-start")))
	shot("01-campaign-draft")
	apptest.Run(t, ctx, "start it", chromedp.Click(chromedp.ID("campaign-start")), chromedp.WaitVisible(chromedp.ID("campaign-bar")))
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Second) {
		// The page refreshes itself while the campaign runs: a reload that
		// meets its own refresh is aborted, and tried again.
		if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("campaign-status"))); err != nil {
			if time.Now().After(deadline) {
				t.Fatalf("reload: %v", err)
			}
			continue
		}
		if apptest.Text(t, ctx, "#campaign-status") == "Done" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the campaign is %q after a minute", apptest.Text(t, ctx, "#campaign-status"))
		}
	}
	if got := apptest.Text(t, ctx, "#count-sent"); got != "3" {
		t.Errorf("sent %q, want 3", got)
	}
	if got := apptest.Text(t, ctx, "#campaign-funnel"); !strings.Contains(got, "Sent") || !strings.Contains(got, "3") {
		t.Errorf("the funnel: %q", got)
	}
	shot("02-campaign-done")
	apptest.Run(t, ctx, "in Chinese", chromedp.Navigate(base+"/lang/zh-CN?next=/campaigns"), chromedp.WaitVisible(chromedp.ID("campaign-list")))
	if h1 := apptest.Text(t, ctx, "main h1"); h1 != "群发活动" {
		t.Errorf("the Chinese title %q", h1)
	}
	if got := apptest.Text(t, ctx, "#campaign-list"); !strings.Contains(got, "已完成") || !strings.Contains(got, "3 位收件人中已处理 3 位") {
		t.Errorf("the Chinese list: %q", got)
	}
	shot("03-campaigns-zh")
}
