package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/lead"
)

// consoleUser is a rep and the browsers signed in with their token.
type consoleUser struct {
	s     *stack
	id    string
	token string
}

// signedIn is a new browser signed in with the user's token, and its leads page.
func (u *consoleUser) signedIn() (*browser, response) {
	u.s.t.Helper()
	b := u.s.browser()
	wantRedirect(u.s.t, b.signIn(u.token, "/leads"), "/leads")
	return b, u.s.expect(b.get("/leads"), 200)
}

// wantEnded fails unless b's session has ended: a page goes to the
// sign-in page, a form of page (sent with its CSRF token) is refused 401.
func wantEnded(t *testing.T, what string, b *browser, page response) {
	t.Helper()
	if r := b.get("/leads"); r.status != 303 || r.header.Get("Location") != "/login?next=%2Fleads" {
		t.Errorf("%s: the old session still opens a page: %d to %q", what, r.status, r.header.Get("Location"))
	}
	if r := b.post(page, "/exports", url.Values{"format": {"csv"}}); r.status != 401 {
		t.Errorf("%s: the old session still posts a form: %d", what, r.status)
	}
}

// TestConsoleSessionsEndWithTheirToken: a console session is its token's.
// Rotating the token (the user's own rotation, an admin's through the API
// or the console's form) ends every session opened with it, and the
// unused sign-in links issued for it; so do deactivating the user and
// changing their role or team, while other changes leave the session. A
// session opened with a token that expires soon ends with the token.
func TestConsoleSessionsEndWithTheirToken(t *testing.T) {
	s := newStack(t)
	id, token := s.createRep("Rosa", 5)
	rosa := &consoleUser{s: s, id: id, token: token}
	rotate := func(path, by string) {
		t.Helper()
		var out struct{ Token string }
		s.expect(s.do("POST", path, by, ""), 200).json(t, &out)
		rosa.token = out.Token
	}

	// Her own rotation ends both her sessions; the new token opens one.
	b1, p1 := rosa.signedIn()
	b2, p2 := rosa.signedIn()
	rotate("/api/v1/me/token", rosa.token)
	wantEnded(t, "her own rotation", b1, p1)
	wantEnded(t, "her own rotation (second browser)", b2, p2)
	b, page := rosa.signedIn()

	// An admin's rotation through the API.
	rotate("/api/v1/users/"+rosa.id+"/token", s.admin)
	wantEnded(t, "an admin's rotation", b, page)

	// An admin's rotation with the console's form.
	b, page = rosa.signedIn()
	admin := s.browser()
	wantRedirect(t, admin.signIn(s.admin, "/users"), "/users")
	users := s.expect(admin.get("/users"), 200)
	rosa.token = secretOf(t, s.expect(admin.post(users, "/users/"+rosa.id+"/token", nil), 200))
	wantEnded(t, "the console's rotation", b, page)

	// A one-time sign-in link is for the token of its day: the session it
	// opens ends with that token, and an unused link dies with it.
	link := func() string {
		var out struct{ URL string }
		s.expect(s.do("POST", "/api/v1/users/"+rosa.id+"/sign-in-link", s.admin, ""), 201).json(t, &out)
		u, err := url.Parse(out.URL)
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimPrefix(u.Path, "/login/")
	}
	useLink := func(b *browser, code string) response {
		t.Helper()
		confirm := s.expect(b.get("/login/"+code), 200)
		return b.post(confirm, "/login/code", url.Values{"code": {code}})
	}
	b = s.browser()
	wantRedirect(t, useLink(b, link()), "/leads")
	page = s.expect(b.get("/leads"), 200)
	unused := link()
	rotate("/api/v1/me/token", rosa.token)
	wantEnded(t, "a rotation after a sign-in link", b, page)
	if r := useLink(s.browser(), unused); r.status != 401 {
		t.Errorf("a sign-in link issued before the rotation: %d, want 401; %.300s", r.status, r.body)
	}

	// Deactivating her, changing her role, changing her team.
	var team lead.Team
	s.expect(s.do("POST", "/api/v1/teams", s.admin, `{"name":"South"}`), 201).json(t, &team)
	for _, c := range []struct{ what, patch string }{
		{"deactivation", `{"active":false}`},
		{"role change", `{"role":"manager"}`},
		{"team change", fmt.Sprintf(`{"team_id":%q}`, team.ID)},
	} {
		b, page = rosa.signedIn()
		unused = link()
		s.expect(s.do("PATCH", "/api/v1/users/"+rosa.id, s.admin, c.patch), 200)
		s.expect(s.do("PATCH", "/api/v1/users/"+rosa.id, s.admin, `{"active":true}`), 200)
		wantEnded(t, c.what, b, page)
		if r := useLink(s.browser(), unused); r.status != 401 {
			t.Errorf("a sign-in link issued before the %s: %d, want 401", c.what, r.status)
		}
	}
	// Other changes, and her away flag, leave her session.
	b, _ = rosa.signedIn()
	s.expect(s.do("PATCH", "/api/v1/users/"+rosa.id, s.admin, `{"capacity":9,"daily_claim_limit":9,"name":"Rosa R","active":true}`), 200)
	s.expect(s.do("PATCH", "/api/v1/users/"+rosa.id, rosa.token, `{"away":true}`), 200)
	s.expect(b.get("/leads"), 200)

	// A token expiring in 3s: the session it opens, and the sign-in link
	// issued for it, expire with it.
	var short struct {
		Token          string
		TokenExpiresAt time.Time `json:"token_expires_at"`
	}
	s.expect(s.do("POST", "/api/v1/me/token", rosa.token, `{"expires_in":"3s"}`), 200).json(t, &short)
	rosa.token = short.Token
	var linked struct {
		ExpiresAt time.Time `json:"expires_at"`
	}
	s.expect(s.do("POST", "/api/v1/users/"+rosa.id+"/sign-in-link", s.admin, ""), 201).json(t, &linked)
	if linked.ExpiresAt.After(short.TokenExpiresAt) {
		t.Errorf("the sign-in link lasts until %v, after its token (%v)", linked.ExpiresAt, short.TokenExpiresAt)
	}
	b = s.browser()
	in := b.signIn(rosa.token, "/leads")
	wantRedirect(t, in, "/leads")
	for _, c := range (&http.Response{Header: in.header}).Cookies() {
		if c.Name == "leadflow_session" && c.Expires.After(short.TokenExpiresAt) {
			t.Errorf("the session cookie lasts until %v, after its token (%v)", c.Expires, short.TokenExpiresAt)
		}
	}
	page = s.expect(b.get("/leads"), 200)
	s.waitFor(10*time.Second, "the session to end with its token", func() bool { return b.get("/leads").status == 303 })
	wantEnded(t, "the token's expiry", b, page)
}
