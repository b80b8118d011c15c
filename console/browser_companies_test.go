package console_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/leadflow/leadflow/internal/apptest"
)

// TestBrowserCompanies: an admin ignores a company on the Companies page
// (its normalised name shown), a wrong entry is refused next to its field,
// the entry is removed again; the page reads in Chinese too.
func TestBrowserCompanies(t *testing.T) {
	s := apptest.NewStack(t)
	base := s.Served()
	ctx, shot := apptest.Chromium(t)
	apptest.Run(t, ctx, "sign in as an admin", chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), s.Admin), chromedp.Click(chromedp.ID("sign-in")), chromedp.WaitVisible(chromedp.ID("headlines")))
	apptest.Run(t, ctx, "open Companies from the menu", chromedp.Click(chromedp.ID("nav-companies")), chromedp.WaitVisible(chromedp.ID("ignore-form")))
	apptest.Run(t, ctx, "ignore a company", chromedp.SendKeys(chromedp.ID("ignore-name"), "Acme Trading Co., Ltd."),
		chromedp.Click(chromedp.ID("ignore-add")), chromedp.WaitVisible(chromedp.ID("ignored-list")))
	if got := apptest.Text(t, ctx, "#ignored-list tbody"); !strings.Contains(got, "acme trading") || !strings.Contains(got, "Everyone (global)") {
		t.Errorf("the list: %q", got)
	}
	shot("companies-01-ignored")
	apptest.Run(t, ctx, "a name of punctuation only", chromedp.SetValue(chromedp.ID("ignore-name"), "..."),
		chromedp.Click(chromedp.ID("ignore-add")), chromedp.WaitVisible(chromedp.ID("problem")))
	if got := apptest.Text(t, ctx, "#err-name"); got != "Enter a company name with letters or digits." {
		t.Errorf("the reason next to the name: %q", got)
	}
	shot("companies-02-refused")
	apptest.Run(t, ctx, "in Chinese", chromedp.Navigate(base+"/lang/zh-CN?next=/companies"), chromedp.WaitVisible(chromedp.ID("ignored-list")))
	if got := apptest.Text(t, ctx, "main h1"); got != "公司" {
		t.Errorf("the Chinese title: %q", got)
	}
	shot("companies-03-zh")
	apptest.Run(t, ctx, "remove it", chromedp.Click(chromedp.CSS("#ignored-list button")), chromedp.WaitVisible(chromedp.ID("empty")))
	shot("companies-04-removed")
}
