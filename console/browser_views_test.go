package console_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/leadflow/leadflow/internal/apptest"
)

// TestBrowserSavedViews (issue 28): in a real browser, in English and in
// Chinese, a rep filters the list, saves it as a view through the folded
// form, lands on the view's tab with its count, and deletes it.
func TestBrowserSavedViews(t *testing.T) {
	w := apptest.NewWorld(t)
	base := w.Served()
	w.Assigned()
	w.Assigned()
	var link struct{ URL string }
	w.Expect(w.Do("POST", "/api/v1/users/"+w.IDs[apptest.SubOwner]+"/sign-in-link", w.Admin, ""), 201).JSON(t, &link)
	ctx, shot := apptest.Chromium(t)
	apptest.Run(t, ctx, "the rep signs in", chromedp.EmulateViewport(1366, 768), chromedp.Navigate(link.URL+"?next=/leads"),
		chromedp.WaitVisible(chromedp.ID("continue")), chromedp.Click(chromedp.ID("continue")), chromedp.WaitVisible(chromedp.ID("tabs")))
	for _, lang := range []string{"en", "zh-CN"} {
		name := "Assigned " + lang
		apptest.Run(t, ctx, "filter and save in "+lang, chromedp.Navigate(base+"/lang/"+lang+"?next="+"/leads%3Fstatus%3Dassigned%26sort%3Dcompany"),
			chromedp.WaitVisible(chromedp.ID("lead-list")),
			chromedp.Click(chromedp.CSS("#save-view-box summary")), chromedp.WaitVisible(chromedp.ID("view-name")),
			chromedp.SendKeys(chromedp.ID("view-name"), name), chromedp.Submit(chromedp.ID("view-name")),
			chromedp.WaitVisible(chromedp.CSS(".view-tab.on")))
		tab := apptest.Text(t, ctx, ".view-tab.on")
		if !strings.Contains(tab, name) || !strings.HasSuffix(strings.TrimSpace(tab), "2") {
			t.Errorf("%s: the saved view's tab reads %q, want %q with its count 2", lang, tab, name)
		}
		if title := apptest.Text(t, ctx, "main h1"); title != name {
			t.Errorf("%s: the page is titled %q", lang, title)
		}
		shot(fmt.Sprintf("%s-saved-view", lang))
		apptest.Run(t, ctx, "delete in "+lang, chromedp.Click(chromedp.CSS("#save-view-box summary")),
			chromedp.WaitVisible(chromedp.CSS("#delete-view button")), chromedp.Click(chromedp.CSS("#delete-view button")),
			chromedp.WaitNotPresent(chromedp.ID("delete-view")), // the page after the delete, not the one before it
			chromedp.WaitVisible(chromedp.ID("tabs")))
		left, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`[...document.querySelectorAll('.view-tab')].filter(a => a.textContent.includes(%q)).length`, name)))
		if err != nil || left != 0 {
			t.Errorf("%s: %d tabs of the deleted view (%v)", lang, left, err)
		}
	}
}
