package console_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestBrowserPoolPolicy: an admin signs in, opens a pool from the pools
// page, saves a reclaim timer under the minimum and sees the refusal next
// to the field, then saves a good one.
func TestBrowserPoolPolicy(t *testing.T) {
	s := apptest.NewStack(t)
	base := s.Served() // the default minimum timer: 1m
	poolID := s.CreatePool(`{"name":"Browser Pool","scope":"global","policy":{"distribution":"claim_only"}}`)
	ctx, shot := apptest.Chromium(t)

	apptest.Run(t, ctx, "sign in as the admin", chromedp.Navigate(base+"/pools"), chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), s.Admin), chromedp.Click(chromedp.ID("sign-in")), chromedp.WaitVisible(chromedp.ID("pool-list")))
	shot("01-pools")
	apptest.Run(t, ctx, "open the pool", chromedp.Click(chromedp.CSS(`a[href="/pools/`+poolID+`"]`)), chromedp.WaitVisible(chromedp.ID("policy-form")))
	if got := apptest.Text(t, ctx, "#field-no_follow_up_after .help"); !strings.Contains(got, "at least 1m") {
		t.Errorf("the field does not say its minimum: %q", got)
	}
	shot("02-pool")

	apptest.Run(t, ctx, "save a timer under the minimum", chromedp.SendKeys(chromedp.ID("policy-no_follow_up_after"), "30s"), chromedp.Click(chromedp.ID("save-policy")),
		chromedp.WaitVisible(chromedp.ID("problem")))
	if got := apptest.Text(t, ctx, "#err-no_follow_up_after"); got != "Too short: use 0 (off) or at least the minimum shown under the field." {
		t.Errorf("the refusal next to the field: %q", got)
	}
	if v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('policy-no_follow_up_after').value`)); err != nil || v != "30s" {
		t.Errorf("the field lost what was typed: %q (%v)", v, err)
	}
	// The refused field is marked (the stylesheet's :has rule).
	border, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.getElementById('policy-no_follow_up_after')).borderTopColor`))
	if err != nil || border != "rgb(180, 35, 24)" {
		t.Errorf("the refused field is not marked: %q (%v)", border, err)
	}
	apptest.Run(t, ctx, "scroll to the field", chromedp.ScrollIntoView(chromedp.ID("field-no_follow_up_after")))
	shot("03-refused")
	if p := s.Pool(poolID); p.Policy.NoFollowUpAfter.On() {
		t.Fatalf("a refused policy was saved: %+v", p.Policy)
	}

	apptest.Run(t, ctx, "save a good timer", chromedp.SetValue(chromedp.ID("policy-no_follow_up_after"), "7d"),
		chromedp.Click(chromedp.ID("save-policy")), chromedp.WaitVisible(chromedp.ID("notice")))
	if got := apptest.Text(t, ctx, "#notice"); !strings.Contains(got, "The policy is saved") {
		t.Errorf("notice after saving: %q", got)
	}
	shot("04-saved")
	if p := s.Pool(poolID); p.Policy.NoFollowUpAfter.String() != "7d" {
		t.Fatalf("the policy after the browser: %+v", p.Policy)
	}

	// The other management pages, through the nav: a user created, their
	// token shown once with a copy button.
	apptest.Run(t, ctx, "create a user", chromedp.Click(chromedp.CSS(`header a[href="/users"]`)), chromedp.WaitVisible(chromedp.ID("create-user-form")),
		chromedp.SendKeys(chromedp.ID("user-name"), "Browser Rep"), chromedp.SendKeys(chromedp.ID("user-email"), "browser.rep@example.com"),
		chromedp.Click(chromedp.ID("create-user")), chromedp.WaitVisible(chromedp.ID("secret")))
	if v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('secret-value').value`)); err != nil || !strings.HasPrefix(v, "lf_") {
		t.Errorf("the new user's token: %q (%v)", v, err)
	}
	shot("05-user-created")
	n, err := s.DB.ClaimNotification(context.Background(), lead.Notification{Key: "browser/1", Kind: lead.EmailNewLead,
		ToEmail: "browser.rep@example.com", Subject: "New lead: Browser Trading Co", Text: "A new lead is waiting in Browser Pool.\n\nOpen it: " + base + "/leads/1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, page := range []struct{ nav, wait string }{{"/fields", "field-form"}, {"/options", "options-stages"}, {"/outbox", "outbox-filters"}} {
		// These pages are in the bar's "More" list: open it, then the page.
		apptest.Run(t, ctx, "open "+page.nav, chromedp.Click(chromedp.CSS("#nav-more summary")),
			chromedp.Click(chromedp.CSS(`header a[href="`+page.nav+`"]`)), chromedp.WaitVisible(chromedp.ID(page.wait)))
		shot("06" + strings.ReplaceAll(page.nav, "/", "-"))
	}
	apptest.Run(t, ctx, "open the e-mail", chromedp.Click(chromedp.CSS(`a[href="/outbox/`+n.ID+`"]`)), chromedp.WaitVisible(chromedp.ID("email-text")))
	if got := apptest.Text(t, ctx, "#email-text"); !strings.Contains(got, "A new lead is waiting in Browser Pool.") {
		t.Errorf("the e-mail's text: %q", got)
	}
	shot("07-email")

	// On a phone the pages fit the width (wide tables scroll in their box).
	apptest.Run(t, ctx, "a phone", chromedp.EmulateViewport(375, 667, chromedp.EmulateMobile))
	for _, page := range []string{"/pools", "/pools/" + poolID, "/users", "/outbox"} {
		apptest.Run(t, ctx, "open "+page+" on a phone", chromedp.Navigate(base+page), chromedp.WaitVisible(chromedp.CSS("main h1")))
		width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil || width > 375 {
			t.Errorf("%s is %d px wide on a 375 px screen (%v)", page, width, err)
		}
	}
	shot("08-outbox-on-phone")
}
