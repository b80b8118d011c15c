package api_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/server"
)

// These tests drive the console in a real browser (Debian's chromium,
// headless): a rep signs in with a one-time link, claims a lead, records a
// follow-up and converts it; a customer registers through an invite link
// on a phone-sized window. Screenshots go to LEADFLOW_SCREENSHOTS (or the
// test's temporary folder).

// served starts the app on a real port with its public URL, for a browser.
func (s *stack) served() string {
	s.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	s.app = server.New(server.Config{Store: s.db, Temporal: s.tc, UpdateTimeout: 20 * time.Second, PublicURL: base})
	go func() { _ = s.app.Listener(ln) }()
	s.t.Cleanup(func() { _ = s.app.Shutdown() })
	return base
}

// chromium is a headless browser tab for the test, and a func that saves
// a full-page screenshot under a name.
func chromium(t *testing.T) (context.Context, func(name string)) {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("the browser tests need chromium: scripts/deps.sh test installs it, as make test does")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(ctx)
	t.Cleanup(cancelTab)
	dir := os.Getenv("LEADFLOW_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		file := filepath.Join(dir, t.Name()+"-"+name+".png")
		if err := os.WriteFile(file, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot %s", file)
	}
	return ctx, shot
}

func run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return v
}

// TestBrowserRepFlow: sign in with a one-time link, claim, follow up, convert.
func TestBrowserRepFlow(t *testing.T) {
	s := newStack(t)
	base := s.served()
	repID, rep := s.createRep("Rosa", 5)
	l := s.createLead(`{"company":"Browser Trading Co","name":"Zhang Wei","phone":"13800138555","country":"CN"}`)
	var link struct{ URL string }
	s.expect(s.do("POST", "/api/v1/users/"+repID+"/sign-in-link", s.admin, ""), 201).json(t, &link)
	if !strings.HasPrefix(link.URL, base+"/login/") {
		t.Fatalf("sign-in link %q", link.URL)
	}
	ctx, shot := chromium(t)

	// A page asked for before signing in opens after it.
	run(t, ctx, "open a lead before signing in", chromedp.Navigate(base+"/leads/"+l.ID), chromedp.WaitVisible(chromedp.ID("token")))
	shot("01-sign-in")
	run(t, ctx, "open the one-time link", chromedp.Navigate(link.URL+"?next=/leads?tab="+lead.DefaultPoolID),
		chromedp.WaitVisible(chromedp.ID("continue")), chromedp.Click(chromedp.ID("continue")), chromedp.WaitVisible(chromedp.ID("lead-list")))
	// The stylesheet and the script loaded under the page's CSP.
	styled, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('header.top')).backgroundColor`))
	if err != nil || styled != "rgb(16, 42, 67)" {
		t.Errorf("the console's stylesheet did not apply: %q (%v)", styled, err)
	}
	shot("02-pool")
	run(t, ctx, "open the lead", chromedp.Click(chromedp.CSS(`a[href="/leads/`+l.ID+`"]`)), chromedp.WaitVisible(chromedp.ID("claim")))
	shot("03-lead")

	run(t, ctx, "claim", chromedp.SendKeys(chromedp.ID("claim-reason"), "asked for a catalogue"),
		chromedp.Click(chromedp.ID("claim")), chromedp.WaitVisible(chromedp.ID("follow-up")))
	if got := text(t, ctx, "#notice"); got != "You claimed this lead." {
		t.Errorf("notice after the claim: %q", got)
	}
	run(t, ctx, "follow up", chromedp.SetValue(chromedp.ID("fu-type"), "call"),
		chromedp.SendKeys(chromedp.ID("fu-content"), "Called; wants a quote for 200 units"),
		chromedp.SendKeys(chromedp.ID("fu-next"), "send the quote"),
		chromedp.SetValue(chromedp.ID("fu-stage"), "Follow-up"),
		chromedp.Click(chromedp.ID("follow-up")), chromedp.WaitVisible(chromedp.CSS(".follow-up")))
	if got := text(t, ctx, "#notice"); got != "Follow-up recorded." {
		t.Errorf("notice after the follow-up: %q", got)
	}
	if got := text(t, ctx, "#lead-stage"); got != "Follow-up" {
		t.Errorf("stage after the follow-up: %q", got)
	}
	shot("04-followed-up")
	run(t, ctx, "convert", chromedp.Click(chromedp.ID("convert")), chromedp.WaitVisible(chromedp.ID("customer")))
	shot("05-converted")
	if got := text(t, ctx, "#lead-status"); got != "converted" {
		t.Errorf("status on the page: %q", got)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.actions form').length`)); err != nil || n != 0 {
		t.Errorf("a converted lead offers %d actions (%v)", n, err)
	}
	if got := s.getLead(l.ID); got.Status != lead.StatusConverted || got.OwnerID != repID {
		t.Fatalf("after the browser: %+v", got)
	}

	// On a phone: the list and the lead fit the width.
	run(t, ctx, "my leads on a phone", chromedp.EmulateViewport(375, 667, chromedp.EmulateMobile),
		chromedp.Navigate(base+"/leads"), chromedp.WaitVisible(chromedp.ID("lead-list")))
	for _, page := range []string{"/leads", "/leads/" + l.ID} {
		run(t, ctx, "open "+page+" on a phone", chromedp.Navigate(base+page), chromedp.WaitVisible(chromedp.CSS("main h1")))
		width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil || width > 375 {
			t.Errorf("%s is %d px wide on a 375 px screen (%v)", page, width, err)
		}
	}
	shot("07-lead-on-phone")
	run(t, ctx, "back to a desktop window", chromedp.ResetViewport())

	run(t, ctx, "invite page", chromedp.Navigate(base+"/invite"), chromedp.WaitVisible(chromedp.ID("qr")))
	loaded, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById('qr').complete && document.getElementById('qr').naturalWidth > 0`))
	if err != nil || !loaded {
		t.Errorf("the QR code did not load: %v", err)
	}
	run(t, ctx, "copy the invite link", chromedp.Click(chromedp.ID("copy")),
		chromedp.Poll[chromedp.Void](`document.getElementById('copy').textContent === 'Copied'`))
	shot("06-invite")

	// The token works on the sign-in page too (in a fresh browser).
	ctx2, _ := chromium(t)
	run(t, ctx2, "sign in with the token", chromedp.Navigate(base+"/settings/notifications"), chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), rep), chromedp.Click(chromedp.ID("sign-in")), chromedp.WaitVisible(chromedp.ID("settings-form")))
	run(t, ctx2, "sign out", chromedp.Click(chromedp.ID("sign-out")), chromedp.WaitVisible(chromedp.ID("token")))
}

// TestBrowserRegisterPhone registers through an invite link on a 375x667
// window: the browser's own checks, the server's field errors, then success.
func TestBrowserRegisterPhone(t *testing.T) {
	s := newStack(t)
	base := s.served()
	_, rep := s.createRep("Pia", 5)
	var inv struct{ URL string }
	s.expect(s.do("GET", "/api/v1/me/invite", rep, ""), 200).json(t, &inv)
	if !strings.HasPrefix(inv.URL, base+"/r/") {
		t.Fatalf("invite %q", inv.URL)
	}
	ctx, shot := chromium(t)
	run(t, ctx, "open the invite link on a phone", chromedp.EmulateViewport(375, 667, chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(inv.URL+"?lang=zh"), chromedp.WaitVisible(chromedp.ID("company")))
	if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`getComputedStyle(document.querySelector('button')).backgroundColor === 'rgb(11, 105, 163)'`)); err != nil || !ok {
		t.Errorf("the registration page's stylesheet did not apply (%v)", err)
	}
	if got := text(t, ctx, "h1"); got != "企业登记" {
		t.Errorf("Chinese title: %q", got)
	}
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil || width > 375 {
		t.Errorf("the page is %d px wide on a 375 px screen (%v)", width, err)
	}
	shot("01-zh")
	run(t, ctx, "switch to English", chromedp.Click(chromedp.ID("lang-switch")), chromedp.WaitVisible(chromedp.ID("submit")))
	if got := text(t, ctx, "h1"); got != "Register your company" {
		t.Errorf("English title: %q", got)
	}

	// The browser's checks: required fields, before anything is sent.
	run(t, ctx, "send an empty form", chromedp.Click(chromedp.ID("submit")),
		chromedp.Poll[chromedp.Void](`document.getElementById('err-company').textContent !== ''`))
	if got := text(t, ctx, "#err-phone"); got != "Please fill in this field." {
		t.Errorf("phone message: %q", got)
	}
	shot("02-required")

	// The server's checks, next to their field.
	run(t, ctx, "send a bad phone", chromedp.SendKeys(chromedp.ID("company"), "Mobile Trading Co"),
		chromedp.SendKeys(chromedp.ID("phone"), "12345"), chromedp.SendKeys(chromedp.ID("country"), "CN"),
		chromedp.Click(chromedp.ID("submit")), chromedp.Poll[chromedp.Void](`document.getElementById('err-phone').textContent !== ''`))
	if got := text(t, ctx, "#err-phone"); !strings.Contains(got, "phone") {
		t.Errorf("the server's phone message: %q", got)
	}
	shot("03-server-error")
	run(t, ctx, "send a good phone", chromedp.SetValue(chromedp.ID("phone"), "13800138666"),
		chromedp.Click(chromedp.ID("submit")), chromedp.WaitVisible(chromedp.ID("done")))
	shot("04-done")
	leads := s.leadsOf("company=Mobile%20Trading&status=assigned")
	if len(leads) != 1 || leads[0].Source != lead.SourceInvite {
		t.Fatalf("registered leads: %+v", leads)
	}
}
