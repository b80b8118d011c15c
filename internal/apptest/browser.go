package apptest

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

	"github.com/leadflow/leadflow/server"
)

// These tests drive the console in a real browser (Debian's chromium,
// headless): a rep signs in with a one-time link, claims a lead, records a
// follow-up and converts it; a customer registers through an invite link
// on a phone-sized window. Screenshots go to LEADFLOW_SCREENSHOTS (or the
// test's temporary folder).

// Served starts the app on a real port with its public URL, for a browser.
func (s *Stack) Served() string {
	s.T.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.T.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	s.App = server.New(server.Config{Store: s.DB, Temporal: s.TC, UpdateTimeout: 20 * time.Second, PublicURL: base})
	go func() { _ = s.App.Listener(ln) }()
	s.T.Cleanup(func() { _ = s.App.Shutdown() })
	return base
}

// Chromium is a headless browser tab for the test, and a func that saves
// a full-page screenshot under a name.
func Chromium(t *testing.T) (context.Context, func(name string)) {
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
		file := filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "-")+"-"+name+".png") // a subtest's name has slashes
		if err := os.WriteFile(file, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot %s", file)
	}
	return ctx, shot
}

// Run runs the steps of what in the browser of ctx, failing the test on an error.
func Run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// Text is the text of the element sel. A node the page replaced between
// the query and the read (a form's answer still loading, a refreshed
// fragment) is looked up again, a few times.
func Text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	var err error
	for range 5 {
		var v string
		if v, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel))); err == nil {
			return v
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("text of %s: %v", sel, err)
	return ""
}
