package webhook_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/leadflow/leadflow/webhook"
)

// TestGuard: private, loopback, link-local and metadata addresses are
// refused unless allowed by host or network; the client checks again when
// it dials and follows no redirect.
func TestGuard(t *testing.T) {
	ctx := context.Background()
	var none webhook.Guard
	for _, u := range []string{"http://127.0.0.1/x", "http://10.1.2.3/x", "https://192.168.0.10/", "http://172.16.5.5/",
		"http://169.254.169.254/latest/meta-data/", "http://[::1]:8080/", "http://[fe80::1]/", "http://[fd00::1]/",
		"http://100.64.1.1/", "http://0.0.0.0/", "http://[::ffff:127.0.0.1]/", "http://localhost/", "ftp://example.com/",
		"http://user:pw@93.184.216.34/", "not a url"} {
		if err := none.CheckURL(ctx, u); err == nil {
			t.Errorf("%s allowed", u)
		}
	}
	if err := none.CheckURL(ctx, "https://93.184.216.34/hooks"); err != nil {
		t.Errorf("a public address refused: %v", err)
	}
	allow, err := webhook.ParseAllow(" 127.0.0.1, 10.0.0.0/8,hooks.internal ")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"http://127.0.0.1:9/x", "http://10.9.8.7/x"} {
		if err := allow.CheckURL(ctx, u); err != nil {
			t.Errorf("%s refused although allowed: %v", u, err)
		}
	}
	if err := allow.CheckURL(ctx, "http://192.168.1.1/"); err == nil {
		t.Error("a network outside the allow list allowed")
	}
	if _, err := webhook.ParseAllow("10.0.0.0/99"); err == nil {
		t.Error("a bad CIDR accepted")
	}

	redirect := httptest.NewServer(http.RedirectHandler("http://169.254.169.254/", http.StatusFound))
	defer redirect.Close()
	// At dial time: a receiver on loopback is refused without the allow list.
	r := webhook.Post(ctx, none.Client(time.Second), webhook.Message{URL: redirect.URL, ID: "msg_1", Secrets: []string{webhook.NewSecret()}}, time.Now())
	if r.Err == nil || !errors.Is(r.Err, webhook.ErrRefused) {
		t.Fatalf("dialled a loopback address: %+v", r)
	}
	// Allowed, the redirect is not followed: its answer is the attempt's.
	r = webhook.Post(ctx, allow.Client(time.Second), webhook.Message{URL: redirect.URL, ID: "msg_1", Secrets: []string{webhook.NewSecret()}}, time.Now())
	if r.StatusCode != http.StatusFound || r.OK() {
		t.Fatalf("redirect: %+v", r)
	}
}
