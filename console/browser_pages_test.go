package console_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestBrowserPagesInChinese: an admin who chose Chinese opens every page
// of issue 25's conversion (the dashboard, the imports and exports with a
// job each, the invite link, the e-mail settings, pools, users, teams,
// fields, option lists, the outbox and an e-mail, the rules with an
// editor and a version, the rejection report, the duplicate policies, the
// webhook subscriptions and one, and an unknown path): each page is in Chinese (<html lang>, Chinese text,
// no message id left unsaid) and nothing is wider than the window.
// Screenshots go to LEADFLOW_SCREENSHOTS (or the test's temporary folder).
func TestBrowserPagesInChinese(t *testing.T) {
	w := apptest.NewWorld(t)
	dashboardData(w)
	im := w.ImportFile("客户名单.csv", []byte("company,phone,country\nShanghai Import Trading Co,13800138901,CN\nBad Phone Co,123,CN\n"), time.Minute)
	ex := w.RunExport(w.Admin, `{"format":"xlsx","filters":{"status":"assigned"}}`)
	var mails struct {
		Items []lead.Notification `json:"items"`
	}
	w.Expect(w.Do("GET", "/api/v1/notifications", w.Admin, ""), 200).JSON(t, &mails)
	if len(mails.Items) == 0 {
		t.Fatal("no e-mail to open")
	}
	field := w.Field()
	hook := w.Webhook(w.PoolA, "http://127.0.0.1:9/h", false) // before Served: its server has no test guard
	base := w.Served()
	ctx, shot := apptest.Chromium(t)
	apptest.Run(t, ctx, "choose Chinese and sign in as an admin", chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/lang/zh-CN?next=/login"), chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), w.Admin), chromedp.Click(chromedp.ID("sign-in")), chromedp.WaitVisible(chromedp.ID("headlines")))

	pages := []struct{ name, path string }{
		{"dashboard", "/dashboard"},
		{"imports", "/imports"},
		{"import", "/imports/" + im.ID},
		{"exports", "/exports"},
		{"export", "/exports/" + ex.ID},
		{"invite", "/invite"},
		{"settings", "/settings/notifications"},
		{"pools", "/pools"},
		{"pool", "/pools/" + w.PoolA},
		{"users", "/users"},
		{"user", "/users/" + w.IDs[apptest.SubMember]},
		{"teams", "/teams"},
		{"team", "/teams/" + w.TeamOf(apptest.SubMember)},
		{"fields", "/fields"},
		{"field", "/fields/" + field},
		{"options", "/options"},
		{"outbox", "/outbox"},
		{"email", "/outbox/" + mails.Items[0].ID},
		{"rules", "/rules"},
		{"rule", "/rules/validation"},
		{"ruleversion", "/rules/validation/versions/1"},
		{"rejections", "/reports/rejections"},
		{"duplicates", "/settings/duplicates"},
		{"webhooks", "/webhooks"},
		{"webhook", "/webhooks/" + hook},
		{"calendars", "/calendars"},
		{"calendar", "/calendars/" + w.Calendar()},
		{"companies", "/companies"},
		{"not-found", "/no-such-page"},
	}
	for i, p := range pages {
		apptest.Run(t, ctx, "open "+p.path, chromedp.Navigate(base+p.path), chromedp.WaitVisible(chromedp.CSS("main h1")))
		type facts struct {
			Lang         string   `json:"lang"`
			Han          bool     `json:"han"`
			IDs          []string `json:"ids"`
			Width, Inner int
			Wide         []string `json:"wide"`
		}
		f, err := chromedp.Run(ctx, chromedp.Evaluate[facts](`(() => {
			const text = document.body.innerText;
			return {lang: document.documentElement.lang, han: /[\u4e00-\u9fff]/.test(document.querySelector('main').innerText),
				ids: text.match(/\b(dashboard|imports|exports|job|invite|settings|pools?|users|teams?|fields|options|outbox|rules|rejections|duplicates|webhooks|calendars|chat|profile|error|nav|role|problem|reason)\.[a-z_.]+[a-z]\b/g) || [],
				width: document.documentElement.scrollWidth, inner: window.innerWidth,
				wide: [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > window.innerWidth).slice(0, 3).map(e => e.tagName + '#' + e.id)};
		})()`))
		if err != nil {
			t.Fatalf("%s: %v", p.path, err)
		}
		if f.Lang != "zh-CN" || !f.Han || len(f.IDs) > 0 {
			t.Errorf("%s is not in Chinese: lang %q, Chinese text %v, ids left unsaid %q", p.path, f.Lang, f.Han, f.IDs)
		}
		if f.Width > f.Inner {
			t.Errorf("%s is %d px wide in a %d px window: %v", p.path, f.Width, f.Inner, f.Wide)
		}
		shot(fmt.Sprintf("%02d-%s", i+1, p.name))
	}
	apptest.Run(t, ctx, "the dashboard on a phone", chromedp.EmulateViewport(375, 667, chromedp.EmulateMobile),
		chromedp.Navigate(base+"/dashboard"), chromedp.WaitVisible(chromedp.ID("headlines")))
	shot("25-dashboard-phone")
}
