package console_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/leadflow/leadflow/internal/apptest"
)

// TestBrowserLeadPage opens a lead's page and the lead list in a real
// browser as its rep, its pool's manager and an admin, in English and in
// Chinese: the details with the main phone marked, the timers (red under
// a day), the follow-ups beside the history, the actions each may take
// (the rep's convert link, the manager's and the admin's "Assign to"
// list), and both pages at 390 px without sideways scrolling.
func TestBrowserLeadPage(t *testing.T) {
	w := apptest.NewWorld(t)
	base := w.Served()
	w.Expect(w.Do("POST", "/api/v1/fields", w.Admin, `{"entity":"lead","name":"budget","label":"Budget","type":"number"}`), 201)
	w.Expect(w.Do("PATCH", "/api/v1/pools/"+w.PoolA, w.Admin, `{"policy":{"no_follow_up_after":"20h","no_conversion_after":"30d","remind_before":"2h"}}`), 200)
	l := w.Assigned()
	w.Expect(w.Do("PATCH", "/api/v1/leads/"+l.ID, w.Admin, `{"name":"Zhao Min","phones":["13900000002"],"email":"zhao@example.com",
		"emails":["sales@example.com"],"address":"88 Century Avenue","district":"Pudong","division":"Shanghai","custom":{"budget":50000}}`), 200)
	for _, c := range []string{"Called: wants a quote for 200 units", "Sent the quote; meeting on Friday"} {
		w.Expect(w.Do("POST", "/api/v1/leads/"+l.ID+"/follow-ups", w.Tokens[apptest.SubOwner], fmt.Sprintf(`{"type":"call","content":%q,"next_step":"visit"}`, c)), 201)
	}
	// A rejected duplicate and a merged one, for the admin's tabs.
	dup := fmt.Sprintf(`{"company":%q,"phone":%q,"country":"CN","duplicate_policy":`, l.Company, l.Phone)
	w.Expect(w.Do("POST", "/api/v1/leads", w.Admin, dup+`"reject"}`), 409)
	w.Expect(w.Do("POST", "/api/v1/leads", w.Admin, dup+`"merge"}`), 200)
	for _, who := range []struct {
		sub  int
		name string
	}{{apptest.SubOwner, "rep"}, {apptest.SubMgr, "manager"}, {apptest.SubAdmin, "admin"}} {
		var link struct{ URL string }
		w.Expect(w.Do("POST", "/api/v1/users/"+w.IDs[who.sub]+"/sign-in-link", w.Admin, ""), 201).JSON(t, &link)
		ctx, shot := apptest.Chromium(t)
		apptest.Run(t, ctx, who.name+" signs in", chromedp.Navigate(link.URL+"?next=/leads/"+l.ID),
			chromedp.WaitVisible(chromedp.ID("continue")), chromedp.Click(chromedp.ID("continue")), chromedp.WaitVisible(chromedp.ID("deadlines")))
		for _, lang := range []string{"en", "zh-CN"} {
			apptest.Run(t, ctx, who.name+" reads in "+lang, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/lang/"+lang+"?next=/leads/"+l.ID),
				chromedp.WaitVisible(chromedp.ID("deadlines")))
			if got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`)); got != lang {
				t.Errorf("%s: <html lang=%q>, want %q", who.name, got, lang)
			}
			red, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('.timer.soon .left')).color`))
			if err != nil || red != "rgb(176, 0, 32)" {
				t.Errorf("%s, %s: the timer under a day is %q, not red (%v)", who.name, lang, red, err)
			}
			text := apptest.Text(t, ctx, "main")
			want := map[string][]string{"en": {"Back to the pool: no follow-up within 20h", "Follow-ups", "History", "Zhao Min", "Pool A", "Owen", "Budget"},
				"zh-CN": {"收回公海：20小时内未跟进", "跟进记录", "操作记录", "Zhao Min", "Pool A", "Owen", "Budget"}}[lang]
			for _, s := range want {
				if !strings.Contains(text, s) {
					t.Errorf("%s, %s: the page lacks %q", who.name, lang, s)
				}
			}
			if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#follow-ups li').length`)); n != 2 {
				t.Errorf("%s: %d follow-ups listed", who.name, n)
			}
			convert, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.getElementById('convert')`))
			assign, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#assign-rep option[value]:not([value=""])').length`))
			if !convert || (assign > 0) == (who.sub == apptest.SubOwner) { // the owner and staff convert; staff assign
				t.Errorf("%s: convert %v, %d people to assign to", who.name, convert, assign)
			}
			shot(who.name + "-" + lang + "-lead")
			if who.sub == apptest.SubOwner {
				apptest.Run(t, ctx, "open the edit form", chromedp.Click(chromedp.CSS("#edit-box summary")), chromedp.WaitVisible(chromedp.ID("edit")))
				if main, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('input[name=phone_main]:checked').closest('.contact-row').querySelector('input[name=phones]').value`)); main != l.Phone {
					t.Errorf("the main phone in the edit form: %q", main)
				}
				shot(who.name + "-" + lang + "-edit")
			}

			apptest.Run(t, ctx, "the lead on a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(base+"/leads/"+l.ID),
				chromedp.WaitVisible(chromedp.ID("deadlines")))
			wantFits(t, ctx, who.name+" "+lang+" lead")
			shot(who.name + "-" + lang + "-lead-phone")
			list := "/leads"
			if who.sub != apptest.SubOwner {
				list = "/leads?tab=" + w.PoolA
			}
			apptest.Run(t, ctx, "the list on a phone", chromedp.Navigate(base+list), chromedp.WaitVisible(chromedp.ID("lead-list")))
			wantFits(t, ctx, who.name+" "+lang+" list")
			shot(who.name + "-" + lang + "-list-phone")
			apptest.Run(t, ctx, "back to a desktop window", chromedp.ResetViewport())
		}
		if who.sub == apptest.SubAdmin {
			for _, tab := range []string{"rejected", "merged"} {
				apptest.Run(t, ctx, "the "+tab+" leads", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/leads?tab="+tab),
					chromedp.WaitVisible(chromedp.ID("lead-list")))
				shot("admin-" + tab)
			}
		}
	}
}

// wantFits fails the test when the page scrolls sideways at 390 px.
func wantFits(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil || width > 390 {
		t.Errorf("%s is %d px wide on a 390 px screen (%v)", what, width, err)
	}
}
