package console_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/leadflow/leadflow/internal/apptest"
)

// TestBrowserPhoneLayout (issue 28): every page a rep uses, at 390×844
// (a phone) and at 1366×768, in English and in Chinese: nothing is wider
// than the window; on the phone the menu is one row, the lead list is
// cards with the time left before reclaim in red when short and the next
// step of the latest follow-up, the filters
// are folded behind a button and the buttons are thumb-sized; the saved
// views are tabs with their counts. Screenshots of each page at each size
// go to LEADFLOW_SCREENSHOTS (or the test's temporary folder).
func TestBrowserPhoneLayout(t *testing.T) {
	w := apptest.NewWorld(t)
	base := w.Served()
	w.Expect(w.Do("PATCH", "/api/v1/pools/"+w.PoolA, w.Admin, `{"policy":{"no_follow_up_after":"20h","no_conversion_after":"30d"}}`), 200)
	l := w.Assigned()
	w.Assigned()
	w.Expect(w.Do("POST", "/api/v1/leads/"+l.ID+"/follow-ups", w.Tokens[apptest.SubOwner], `{"type":"call","content":"Called","next_step":"send the quote"}`), 201)
	var link struct{ URL string }
	w.Expect(w.Do("POST", "/api/v1/users/"+w.IDs[apptest.SubOwner]+"/sign-in-link", w.Admin, ""), 201).JSON(t, &link)
	ctx, shot := apptest.Chromium(t)
	apptest.Run(t, ctx, "the rep signs in", chromedp.Navigate(link.URL+"?next=/leads"),
		chromedp.WaitVisible(chromedp.ID("continue")), chromedp.Click(chromedp.ID("continue")), chromedp.WaitVisible(chromedp.ID("tabs")))
	pages := []struct{ name, path string }{
		{"leads", "/leads"}, {"view", "/leads?view=reclaim-soon"}, {"lead", "/leads/" + l.ID}, {"dashboard", "/dashboard"},
		{"invite", "/invite"}, {"settings", "/settings/notifications"}, {"exports", "/exports"}, {"customers", "/customers"},
		{"templates", "/templates"},
	}
	type facts struct {
		Width, Inner int
		Wide         []string `json:"wide"`
		MenuRows     int      `json:"menuRows"`
		Cards        bool     `json:"cards"`
		Red          string   `json:"red"`
		FiltersOpen  bool     `json:"filtersOpen"`
		SmallButtons []string `json:"smallButtons"`
		Count        string   `json:"count"`
	}
	for _, lang := range []string{"en", "zh-CN"} {
		for _, size := range []struct {
			name   string
			w, h   int64
			mobile bool
		}{{"phone", 390, 844, true}, {"desktop", 1366, 768, false}} {
			vp := chromedp.EmulateViewport(size.w, size.h)
			if size.mobile {
				vp = chromedp.EmulateViewport(size.w, size.h, chromedp.EmulateMobile)
			}
			apptest.Run(t, ctx, "the language", vp, chromedp.Navigate(base+"/lang/"+lang+"?next=/leads"), chromedp.WaitVisible(chromedp.ID("tabs")))
			for i, p := range pages {
				apptest.Run(t, ctx, "open "+p.path, chromedp.Navigate(base+p.path), chromedp.WaitVisible(chromedp.CSS("main h1")))
				f, err := chromedp.Run(ctx, chromedp.Evaluate[facts](`(() => {
					const tops = new Set([...document.querySelectorAll('header.top > a, header.top > details, header.top > form')]
						.filter(e => e.offsetParent !== null).map(e => Math.round(e.getBoundingClientRect().top / 8)));
					const row = document.querySelector('table.leads tbody tr');
					const soon = document.querySelector('table.leads .reclaim .soon');
					const box = document.getElementById('filters-box');
					const count = document.querySelector('.view-tab[data-view="reclaim-soon"] .count');
					return {width: document.documentElement.scrollWidth, inner: window.innerWidth,
						wide: [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 3).map(e => e.tagName + '#' + e.id + '.' + e.className),
						menuRows: tops.size, cards: !!row && getComputedStyle(row).display === 'block',
						red: soon ? getComputedStyle(soon).color : '', filtersOpen: !!box && box.open,
						smallButtons: [...document.querySelectorAll('main button, main .button')].filter(b => b.offsetParent !== null && b.getBoundingClientRect().height < 40).slice(0, 3).map(b => b.id || b.textContent.trim()),
						count: count ? count.textContent : ''};
				})()`))
				if err != nil {
					t.Fatalf("%s: %v", p.path, err)
				}
				where := fmt.Sprintf("%s at %s in %s", p.path, size.name, lang)
				if f.Width > f.Inner {
					t.Errorf("%s is %d px wide in a %d px window: %v", where, f.Width, f.Inner, f.Wide)
				}
				if size.mobile && f.MenuRows != 1 {
					t.Errorf("%s: the menu takes %d rows", where, f.MenuRows)
				}
				if size.mobile && len(f.SmallButtons) > 0 {
					t.Errorf("%s: buttons too small for a thumb: %v", where, f.SmallButtons)
				}
				if p.name == "leads" || p.name == "view" {
					if f.Cards != size.mobile {
						t.Errorf("%s: the list shows cards: %v", where, f.Cards)
					}
					if f.Red != "rgb(176, 0, 32)" {
						t.Errorf("%s: the reclaim under a day is %q, not red", where, f.Red)
					}
					if f.FiltersOpen {
						t.Errorf("%s: the filters are not folded", where)
					}
					if main := apptest.Text(t, ctx, "main"); !strings.Contains(main, "send the quote") {
						t.Errorf("%s: the card does not show the next step", where)
					}
					if f.Count != "2" {
						t.Errorf("%s: the reclaimed-soon tab counts %q, want 2", where, f.Count)
					}
				}
				shot(fmt.Sprintf("%s-%s-%02d-%s", lang, size.name, i+1, p.name))
			}
		}
	}
}
