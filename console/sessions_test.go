package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// consoleUser is a rep and the browsers signed in with their token.
type consoleUser struct {
	s     *apptest.Stack
	id    string
	token string
}

// signedIn is a new browser signed in with the user's token, and its leads page.
func (u *consoleUser) signedIn() (*apptest.Browser, apptest.Response) {
	u.s.T.Helper()
	b := u.s.Browser()
	apptest.WantRedirect(u.s.T, b.SignIn(u.token, "/leads"), "/leads")
	return b, u.s.Expect(b.Get("/leads"), 200)
}

// wantEnded fails unless b's session has ended: a page goes to the
// sign-in page, a form of page (sent with its CSRF token) is refused 401.
func wantEnded(t *testing.T, what string, b *apptest.Browser, page apptest.Response) {
	t.Helper()
	if r := b.Get("/leads"); r.Status != 303 || r.Header.Get("Location") != "/login?next=%2Fleads" {
		t.Errorf("%s: the old session still opens a page: %d to %q", what, r.Status, r.Header.Get("Location"))
	}
	if r := b.Post(page, "/exports", url.Values{"format": {"csv"}}); r.Status != 401 {
		t.Errorf("%s: the old session still posts a form: %d", what, r.Status)
	}
}

// TestConsoleSessionsEndWithTheirToken: a console session is its token's.
// Rotating the token (the user's own rotation, an admin's through the API
// or the console's form) ends every session opened with it, and the
// unused sign-in links issued for it; so do deactivating the user and
// changing their role or team, while other changes leave the session. A
// session opened with a token that expires soon ends with the token.
func TestConsoleSessionsEndWithTheirToken(t *testing.T) {
	s := apptest.NewStack(t)
	id, token := s.CreateRep("Rosa", 5)
	rosa := &consoleUser{s: s, id: id, token: token}
	rotate := func(path, by string) {
		t.Helper()
		var out struct{ Token string }
		s.Expect(s.Do("POST", path, by, ""), 200).JSON(t, &out)
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
	rotate("/api/v1/users/"+rosa.id+"/token", s.Admin)
	wantEnded(t, "an admin's rotation", b, page)

	// An admin's rotation with the console's form.
	b, page = rosa.signedIn()
	admin := s.Browser()
	apptest.WantRedirect(t, admin.SignIn(s.Admin, "/users"), "/users")
	users := s.Expect(admin.Get("/users"), 200)
	rosa.token = secretOf(t, s.Expect(admin.Post(users, "/users/"+rosa.id+"/token", nil), 200))
	wantEnded(t, "the console's rotation", b, page)

	// A one-time sign-in link is for the token of its day: the session it
	// opens ends with that token, and an unused link dies with it.
	link := func() string {
		var out struct{ URL string }
		s.Expect(s.Do("POST", "/api/v1/users/"+rosa.id+"/sign-in-link", s.Admin, ""), 201).JSON(t, &out)
		u, err := url.Parse(out.URL)
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimPrefix(u.Path, "/login/")
	}
	useLink := func(b *apptest.Browser, code string) apptest.Response {
		t.Helper()
		confirm := s.Expect(b.Get("/login/"+code), 200)
		return b.Post(confirm, "/login/code", url.Values{"code": {code}})
	}
	b = s.Browser()
	apptest.WantRedirect(t, useLink(b, link()), "/leads")
	page = s.Expect(b.Get("/leads"), 200)
	unused := link()
	rotate("/api/v1/me/token", rosa.token)
	wantEnded(t, "a rotation after a sign-in link", b, page)
	if r := useLink(s.Browser(), unused); r.Status != 401 {
		t.Errorf("a sign-in link issued before the rotation: %d, want 401; %.300s", r.Status, r.Body)
	}

	// Deactivating her, changing her role, changing her team.
	var team lead.Team
	s.Expect(s.Do("POST", "/api/v1/teams", s.Admin, `{"name":"South"}`), 201).JSON(t, &team)
	for _, c := range []struct{ what, patch string }{
		{"deactivation", `{"active":false}`},
		{"role change", `{"role":"manager"}`},
		{"team change", fmt.Sprintf(`{"team_id":%q}`, team.ID)},
	} {
		b, page = rosa.signedIn()
		unused = link()
		s.Expect(s.Do("PATCH", "/api/v1/users/"+rosa.id, s.Admin, c.patch), 200)
		s.Expect(s.Do("PATCH", "/api/v1/users/"+rosa.id, s.Admin, `{"active":true}`), 200)
		wantEnded(t, c.what, b, page)
		if r := useLink(s.Browser(), unused); r.Status != 401 {
			t.Errorf("a sign-in link issued before the %s: %d, want 401", c.what, r.Status)
		}
	}
	// Other changes, and her away flag, leave her session.
	b, _ = rosa.signedIn()
	s.Expect(s.Do("PATCH", "/api/v1/users/"+rosa.id, s.Admin, `{"capacity":9,"daily_claim_limit":9,"name":"Rosa R","active":true}`), 200)
	s.Expect(s.Do("PATCH", "/api/v1/users/"+rosa.id, rosa.token, `{"away":true}`), 200)
	s.Expect(b.Get("/leads"), 200)

	// A token expiring in 3s: the session it opens, and the sign-in link
	// issued for it, expire with it.
	var short struct {
		Token          string
		TokenExpiresAt time.Time `json:"token_expires_at"`
	}
	s.Expect(s.Do("POST", "/api/v1/me/token", rosa.token, `{"expires_in":"3s"}`), 200).JSON(t, &short)
	rosa.token = short.Token
	var linked struct {
		ExpiresAt time.Time `json:"expires_at"`
	}
	s.Expect(s.Do("POST", "/api/v1/users/"+rosa.id+"/sign-in-link", s.Admin, ""), 201).JSON(t, &linked)
	if linked.ExpiresAt.After(short.TokenExpiresAt) {
		t.Errorf("the sign-in link lasts until %v, after its token (%v)", linked.ExpiresAt, short.TokenExpiresAt)
	}
	b = s.Browser()
	in := b.SignIn(rosa.token, "/leads")
	apptest.WantRedirect(t, in, "/leads")
	for _, c := range (&http.Response{Header: in.Header}).Cookies() {
		if c.Name == "leadflow_session" && c.Expires.After(short.TokenExpiresAt) {
			t.Errorf("the session cookie lasts until %v, after its token (%v)", c.Expires, short.TokenExpiresAt)
		}
	}
	page = s.Expect(b.Get("/leads"), 200)
	s.WaitFor(10*time.Second, "the session to end with its token", func() bool { return b.Get("/leads").Status == 303 })
	wantEnded(t, "the token's expiry", b, page)
}
