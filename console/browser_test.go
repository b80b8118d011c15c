package console_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// These tests drive the console in a real browser (Debian's chromium,
// headless): a rep signs in with a one-time link, claims a lead, records a
// follow-up and converts it; a customer registers through an invite link
// on a phone-sized window. Screenshots go to LEADFLOW_SCREENSHOTS (or the
// test's temporary folder).

// TestBrowserRepFlow: sign in with a one-time link, claim, follow up, convert.
func TestBrowserRepFlow(t *testing.T) {
	s := apptest.NewStack(t)
	base := s.Served()
	repID, rep := s.CreateRep("Rosa", 5)
	l := s.CreateLead(`{"company":"Browser Trading Co","name":"Zhang Wei","phone":"13800138555","country":"CN"}`)
	var link struct{ URL string }
	s.Expect(s.Do("POST", "/api/v1/users/"+repID+"/sign-in-link", s.Admin, ""), 201).JSON(t, &link)
	if !strings.HasPrefix(link.URL, base+"/login/") {
		t.Fatalf("sign-in link %q", link.URL)
	}
	ctx, shot := apptest.Chromium(t)

	// A page asked for before signing in opens after it.
	apptest.Run(t, ctx, "open a lead before signing in", chromedp.Navigate(base+"/leads/"+l.ID), chromedp.WaitVisible(chromedp.ID("token")))
	shot("01-sign-in")
	apptest.Run(t, ctx, "open the one-time link", chromedp.Navigate(link.URL+"?next=/leads?tab="+lead.DefaultPoolID),
		chromedp.WaitVisible(chromedp.ID("continue")), chromedp.Click(chromedp.ID("continue")), chromedp.WaitVisible(chromedp.ID("lead-list")))
	// The stylesheet and the script loaded under the page's CSP.
	styled, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('header.top')).backgroundColor`))
	if err != nil || styled != "rgb(16, 42, 67)" {
		t.Errorf("the console's stylesheet did not apply: %q (%v)", styled, err)
	}
	shot("02-pool")
	apptest.Run(t, ctx, "open the lead", chromedp.Click(chromedp.CSS(`a[href="/leads/`+l.ID+`"]`)), chromedp.WaitVisible(chromedp.ID("claim")))
	shot("03-lead")

	apptest.Run(t, ctx, "claim", chromedp.SendKeys(chromedp.ID("claim-reason"), "asked for a catalogue"),
		chromedp.Click(chromedp.ID("claim")), chromedp.WaitVisible(chromedp.ID("follow-up")))
	if got := apptest.Text(t, ctx, "#notice"); got != "You claimed this lead." {
		t.Errorf("notice after the claim: %q", got)
	}
	apptest.Run(t, ctx, "follow up", chromedp.SetValue(chromedp.ID("fu-type"), "call"),
		chromedp.SendKeys(chromedp.ID("fu-content"), "Called; wants a quote for 200 units"),
		chromedp.SendKeys(chromedp.ID("fu-next"), "send the quote"),
		chromedp.SetValue(chromedp.ID("fu-stage"), "Follow-up"),
		chromedp.Click(chromedp.ID("follow-up")), chromedp.WaitVisible(chromedp.CSS(".follow-up")))
	if got := apptest.Text(t, ctx, "#notice"); got != "Follow-up recorded." {
		t.Errorf("notice after the follow-up: %q", got)
	}
	if got := apptest.Text(t, ctx, "#lead-stage"); got != "Follow-up" {
		t.Errorf("stage after the follow-up: %q", got)
	}
	shot("04-followed-up")
	// Convert opens the conversion form (its own page), which converts and shows the customer.
	apptest.Run(t, ctx, "open the convert form", chromedp.Click(chromedp.ID("convert")), chromedp.WaitVisible(chromedp.ID("convert-page-form")),
		chromedp.Click(chromedp.ID("convert-submit")), chromedp.WaitVisible(chromedp.ID("customer-page")))
	apptest.Run(t, ctx, "the converted lead", chromedp.Navigate(base+"/leads/"+l.ID), chromedp.WaitVisible(chromedp.ID("customer")))
	shot("05-converted")
	if got := apptest.Text(t, ctx, "#lead-status"); got != "converted" {
		t.Errorf("status on the page: %q", got)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.actions form, .actions .action').length`)); err != nil || n != 0 {
		t.Errorf("a converted lead offers %d actions (%v)", n, err)
	}
	if got := s.GetLead(l.ID); got.Status != lead.StatusConverted || got.OwnerID != repID {
		t.Fatalf("after the browser: %+v", got)
	}

	// On a phone: the list and the lead fit the width.
	apptest.Run(t, ctx, "my leads on a phone", chromedp.EmulateViewport(375, 667, chromedp.EmulateMobile),
		chromedp.Navigate(base+"/leads"), chromedp.WaitVisible(chromedp.ID("lead-list")))
	for _, page := range []string{"/leads", "/leads/" + l.ID} {
		apptest.Run(t, ctx, "open "+page+" on a phone", chromedp.Navigate(base+page), chromedp.WaitVisible(chromedp.CSS("main h1")))
		width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil || width > 375 {
			t.Errorf("%s is %d px wide on a 375 px screen (%v)", page, width, err)
		}
	}
	shot("07-lead-on-phone")
	apptest.Run(t, ctx, "back to a desktop window", chromedp.ResetViewport())

	apptest.Run(t, ctx, "invite page", chromedp.Navigate(base+"/invite"), chromedp.WaitVisible(chromedp.ID("qr")))
	loaded, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById('qr').complete && document.getElementById('qr').naturalWidth > 0`))
	if err != nil || !loaded {
		t.Errorf("the QR code did not load: %v", err)
	}
	apptest.Run(t, ctx, "copy the invite link", chromedp.Click(chromedp.ID("copy")),
		chromedp.Poll[chromedp.Void](`document.getElementById('copy').textContent === 'Copied'`))
	shot("06-invite")

	// The token works on the sign-in page too (in a fresh browser).
	ctx2, _ := apptest.Chromium(t)
	apptest.Run(t, ctx2, "sign in with the token", chromedp.Navigate(base+"/settings/notifications"), chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), rep), chromedp.Click(chromedp.ID("sign-in")), chromedp.WaitVisible(chromedp.ID("settings-form")))
	apptest.Run(t, ctx2, "sign out", chromedp.Click(chromedp.ID("sign-out")), chromedp.WaitVisible(chromedp.ID("token")))
}

// TestBrowserRegisterPhone registers through an invite link on a 375x667
// window: the browser's own checks, the server's field errors, then success.
func TestBrowserRegisterPhone(t *testing.T) {
	s := apptest.NewStack(t)
	base := s.Served()
	_, rep := s.CreateRep("Pia", 5)
	var inv struct{ URL string }
	s.Expect(s.Do("GET", "/api/v1/me/invite", rep, ""), 200).JSON(t, &inv)
	if !strings.HasPrefix(inv.URL, base+"/r/") {
		t.Fatalf("invite %q", inv.URL)
	}
	ctx, shot := apptest.Chromium(t)
	apptest.Run(t, ctx, "open the invite link on a phone", chromedp.EmulateViewport(375, 667, chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(inv.URL+"?lang=zh"), chromedp.WaitVisible(chromedp.ID("company")))
	if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`getComputedStyle(document.querySelector('button')).backgroundColor === 'rgb(11, 105, 163)'`)); err != nil || !ok {
		t.Errorf("the registration page's stylesheet did not apply (%v)", err)
	}
	if got := apptest.Text(t, ctx, "h1"); got != "企业登记" {
		t.Errorf("Chinese title: %q", got)
	}
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil || width > 375 {
		t.Errorf("the page is %d px wide on a 375 px screen (%v)", width, err)
	}
	shot("01-zh")
	apptest.Run(t, ctx, "switch to English", chromedp.Click(chromedp.ID("lang-switch")), chromedp.WaitVisible(chromedp.ID("submit")))
	if got := apptest.Text(t, ctx, "h1"); got != "Register your company" {
		t.Errorf("English title: %q", got)
	}

	// The browser's checks: required fields, before anything is sent.
	apptest.Run(t, ctx, "send an empty form", chromedp.Click(chromedp.ID("submit")),
		chromedp.Poll[chromedp.Void](`document.getElementById('err-company').textContent !== ''`))
	if got := apptest.Text(t, ctx, "#err-phone"); got != "Please fill in this field." {
		t.Errorf("phone message: %q", got)
	}
	shot("02-required")

	// The server's checks, next to their field.
	apptest.Run(t, ctx, "send a bad phone", chromedp.SendKeys(chromedp.ID("company"), "Mobile Trading Co"),
		chromedp.SendKeys(chromedp.ID("phone"), "12345"), chromedp.SendKeys(chromedp.ID("country"), "CN"),
		chromedp.Click(chromedp.ID("submit")), chromedp.Poll[chromedp.Void](`document.getElementById('err-phone').textContent !== ''`))
	if got := apptest.Text(t, ctx, "#err-phone"); !strings.Contains(got, "phone") {
		t.Errorf("the server's phone message: %q", got)
	}
	shot("03-server-error")
	apptest.Run(t, ctx, "send a good phone", chromedp.SetValue(chromedp.ID("phone"), "13800138666"),
		chromedp.Click(chromedp.ID("submit")), chromedp.WaitVisible(chromedp.ID("done")))
	shot("04-done")
	leads := s.LeadsOf("company=Mobile%20Trading&status=assigned")
	if len(leads) != 1 || leads[0].Source != lead.SourceInvite {
		t.Fatalf("registered leads: %+v", leads)
	}
}
