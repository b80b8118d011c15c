package api_test

import (
	"fmt"
	"net/url"
	"strconv"
	"testing"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/server"
)

// from makes a request come from ip: the tests' peer is a trusted proxy.
func from(ip string) []string { return []string{"X-Forwarded-For", ip} }

// wantLimited checks a 429 with its Retry-After, within the window.
func wantLimited(t *testing.T, r apptest.Response, contentType string) {
	t.Helper()
	secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if r.Status != 429 || err != nil || secs < 1 || secs > 15*60 {
		t.Fatalf("answer %d, Retry-After %q; want 429 within 15 minutes: %.500s", r.Status, r.Header.Get("Retry-After"), r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != contentType {
		t.Fatalf("429 of type %q, want %q", ct, contentType)
	}
}

// TestFailedSignInsAreLimited (issue 23, item 10): failed bearer tokens,
// tokens pasted on /login and sign-in codes of a client address count
// together, in PostgreSQL; past the limit every attempt from the address,
// a good token's too, is answered 429 with Retry-After until the window
// ends, on every replica. Other addresses are not affected; IPv6
// addresses count by their /64.
func TestFailedSignInsAreLimited(t *testing.T) {
	db := testenv.Store(t)
	cfg := server.Config{Store: db, TrustedProxies: []string{"0.0.0.0/32"}, FailureLimit: 3}
	s := apptest.StackOn(t, db, nil, cfg)

	for i := range 3 {
		s.Expect(s.Do("GET", "/api/v1/me", "lf_wrong"+strconv.Itoa(i), "", from("192.0.2.10")...), 401)
	}
	r := s.Do("GET", "/api/v1/me", s.Admin, "", from("192.0.2.10")...)
	wantLimited(t, r, "application/problem+json")
	if p := r.Problem(t); p.Code != "rate_limited" || p.Title != "too many failed sign-ins from your network" {
		t.Fatalf("problem %+v", p)
	}
	s.Expect(s.Do("GET", "/api/v1/me", s.Admin, "", from("192.0.2.11")...), 200)

	// Another replica counts the same failures: it refuses the address
	// from its next failure there, and then its good tokens too.
	replica := &apptest.Stack{T: t, DB: db, App: server.New(cfg), Admin: s.Admin}
	wantLimited(t, replica.Do("GET", "/api/v1/me", "lf_wrong", "", from("192.0.2.10")...), "application/problem+json")
	wantLimited(t, replica.Do("GET", "/api/v1/me", s.Admin, "", from("192.0.2.10")...), "application/problem+json")

	// The addresses of one IPv6 /64 are one client.
	for i := range 3 {
		s.Expect(s.Do("GET", "/api/v1/me", "lf_wrong", "", from(fmt.Sprintf("2001:db8:0:7::%d", i+1))...), 401)
	}
	wantLimited(t, s.Do("GET", "/api/v1/me", s.Admin, "", from("2001:db8:0:7:ffff::1")...), "application/problem+json")
	s.Expect(s.Do("GET", "/api/v1/me", s.Admin, "", from("2001:db8:0:8::1")...), 200)

	// The console's sign-in: a pasted token and a one-time code are the
	// same failures; the refusal is the sign-in page.
	b := s.Browser()
	login := s.Expect(b.Get("/login", from("198.51.100.20")...), 200)
	form := func(v url.Values) url.Values { v.Set("csrf", b.CSRF(login)); return v }
	apptest.WantText(t, s.Expect(b.Send("POST", "/login", form(url.Values{"token": {"lf_nope"}}), from("198.51.100.20")...), 401), "not valid")
	apptest.WantText(t, s.Expect(b.Send("POST", "/login/code", form(url.Values{"code": {"nope"}}), from("198.51.100.20")...), 401), "expired")
	s.Expect(b.Send("POST", "/login", form(url.Values{"token": {"lf_nope2"}}), from("198.51.100.20")...), 401)
	for _, path := range []string{"/login", "/login/code"} {
		r := b.Send("POST", path, form(url.Values{"token": {s.Admin}, "code": {"nope"}}), from("198.51.100.20")...)
		wantLimited(t, r, "text/html; charset=utf-8")
		apptest.WantText(t, r, "Too many failed sign-ins from your network. Try again in ")
	}
	apptest.WantRedirect(t, b.Send("POST", "/login", form(url.Values{"token": {s.Admin}}), from("198.51.100.21")...), "/dashboard")
}

// TestUnknownInviteLinksAreLimited (issue 23, item 10): unknown invite
// links opened (GET /r/{invite}) or posted to from a client address count
// apart from failed sign-ins; past the limit every link is refused, on the
// page in its language and in the API, with Retry-After.
func TestUnknownInviteLinksAreLimited(t *testing.T) {
	db := testenv.Store(t)
	s := apptest.StackOn(t, db, nil, server.Config{TrustedProxies: []string{"0.0.0.0/32"}, FailureLimit: 3})
	_, rep := s.CreateRep("Ivy", 1)
	var inv struct{ Token string }
	s.Expect(s.Do("GET", "/api/v1/me/invite", rep, ""), 200).JSON(t, &inv)

	for i := range 2 {
		s.Expect(s.Do("GET", fmt.Sprintf("/r/guess%d", i), "", "", from("203.0.113.5")...), 404)
	}
	s.Expect(s.Do("POST", "/api/v1/register/guess2", "", `{"company":"Guessing Trading","phone":"13800138000","country":"CN"}`,
		from("203.0.113.5")...), 404)
	r := s.Do("GET", "/r/"+inv.Token, "", "", from("203.0.113.5")...)
	wantLimited(t, r, "text/html; charset=utf-8")
	apptest.WantText(t, r, "Too many unknown registration links were opened from your network", "Please try again in ")
	apptest.WantText(t, s.Do("GET", "/r/"+inv.Token+"?lang=zh", "", "", from("203.0.113.5")...), "您所在网络打开的无效登记链接过多")
	r = s.Do("POST", "/api/v1/register/"+inv.Token, "", `{"company":"Guessing Trading","phone":"13800138000","country":"CN"}`,
		from("203.0.113.5")...)
	wantLimited(t, r, "application/problem+json")
	if p := r.Problem(t); p.Code != "rate_limited" {
		t.Fatalf("problem %+v", p)
	}

	// Another address opens the link; failed sign-ins are another count.
	s.Expect(s.Do("GET", "/r/"+inv.Token, "", "", from("203.0.113.6")...), 200)
	s.Expect(s.Do("GET", "/api/v1/me", rep, "", from("203.0.113.5")...), 200)
}
