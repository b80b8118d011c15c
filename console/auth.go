package console

import (
	"crypto/subtle"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/web"
)

// This file signs users in to the console: a token pasted on /login, or a
// one-time sign-in link, opens a session kept in PostgreSQL (as a hash)
// and named by an HttpOnly cookie. Every console form carries the
// session's CSRF token. The cookie works only for the console's routes:
// the API under /api/v1 takes bearer tokens only.

const (
	sessionCookie = "leadflow_session"
	// loginCookie carries the CSRF token of the sign-in forms, before there is a session.
	loginCookie = "leadflow_login"
	// SessionTTL is how long a console session lasts at most: never longer
	// than the token it was opened with, and it ends when that token is
	// rotated or the user is deactivated or changes role or team.
	SessionTTL = 12 * time.Hour
)

type csrfKey struct{}

// randomToken returns n random bytes, base64url-encoded.
func randomToken(n int) string { return service.RandomToken(n) }

// secure reports whether the request came over HTTPS (directly or, from a
// trusted proxy, as X-Forwarded-Proto says).
func secure(c *fiber.Ctx) bool { return c.Protocol() == "https" }

func setCookie(c *fiber.Ctx, name, value string, expires time.Time) {
	c.Cookie(&fiber.Cookie{Name: name, Value: value, Path: "/", Expires: expires, HTTPOnly: true,
		Secure: secure(c), SameSite: fiber.CookieSameSiteLaxMode})
}

// session resolves the session cookie to its user for the console's
// routes. Without a live session a GET goes to /login (and back after);
// a POST must carry the session's CSRF token.
func (s *Server) session(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	u, csrf, err := s.Service.SessionUser(c.UserContext(), c.Cookies(sessionCookie))
	if lead.ErrorCode(err) == lead.CodeNotFound {
		if c.Method() != fiber.MethodGet {
			return s.consoleMessage(c, fiber.StatusUnauthorized, "session.ended", "session.sign_in_again")
		}
		return c.Redirect("/login?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
	}
	if err != nil {
		return err
	}
	if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead && !sameToken(formCSRF(c), csrf) {
		return s.consoleMessage(c, fiber.StatusForbidden, "form.expired", "form.reload")
	}
	httpx.SetCaller(c, u)
	s.setLocale(c, u)
	c.Locals(csrfKey{}, csrf)
	return c.Next()
}

// formCSRF is the CSRF token a console request carries: the X-CSRF-Token
// header, or the form body's csrf field (URL-encoded or multipart). Never
// the query string (c.FormValue would read it there first), which leaks
// into logs, histories and Referer headers.
func formCSRF(c *fiber.Ctx) string {
	if h := c.Get("X-CSRF-Token"); h != "" {
		return h
	}
	if v := c.Request().PostArgs().Peek("csrf"); len(v) > 0 {
		return string(v)
	}
	if strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		if f, err := c.MultipartForm(); err == nil && len(f.Value["csrf"]) > 0 {
			return f.Value["csrf"][0]
		}
	}
	return ""
}

func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// consolePage is the frame of a console page for the signed-in user.
func consolePage(c *fiber.Ctx, title, nav string) web.Page {
	csrf, _ := c.Locals(csrfKey{}).(string)
	p := web.Page{Locale: localeOf(c), Switch: switchLinks(c), Title: title, User: httpx.Caller(c), CSRF: csrf, Nav: nav, Menu: menuFor(httpx.Caller(c))}
	for _, m := range p.Menu {
		p.MoreOn = p.MoreOn || (m.More && m.Key == nav)
	}
	return p
}

// render writes a console page.
func render(c *fiber.Ctx, name string, p web.Page) error {
	c.Type("html", "utf-8")
	return web.Render(c, name, p)
}

// consoleMessage answers a page that says one thing.
func (s *Server) consoleMessage(c *fiber.Ctx, status int, title, text string) error {
	p := consolePage(c, title, "")
	p.Data = text
	c.Status(status)
	return render(c, "message", p)
}

// nextPath keeps a post-sign-in destination only when it is a path of
// this site ("/leads/1"), never another origin ("//evil", "https://…",
// "/\t/evil": browsers drop tabs and newlines from URLs): it must parse as
// a path-only URL (no scheme, host or user) that starts with exactly one
// "/", hold no control byte and no backslash, and not be an API path. ""
// otherwise (the user's landing page).
func nextPath(next string) string {
	for i := 0; i < len(next); i++ {
		if b := next[i]; b < 0x20 || b == 0x7f || b == '\\' {
			return ""
		}
	}
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/api/") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return ""
	}
	return next
}

// loginCSRF returns the sign-in forms' CSRF token, setting its cookie when new.
func loginCSRF(c *fiber.Ctx) string {
	tok := c.Cookies(loginCookie)
	if len(tok) < 20 {
		tok = randomToken(18)
		setCookie(c, loginCookie, tok, time.Now().Add(time.Hour))
	}
	return tok
}

// loginData is what the sign-in page shows.
type loginData struct{ Next, Code string }

// signInPage is the sign-in page's frame, before there is a session.
func signInPage(c *fiber.Ctx, d loginData) web.Page {
	return web.Page{Locale: localeOf(c), Switch: switchLinks(c), Title: "login.title", CSRF: loginCSRF(c), Data: d}
}

func (s *Server) loginPage(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	p := signInPage(c, loginData{Next: nextPath(c.Query("next"))})
	return render(c, "login", p)
}

// codePage shows a one-time link's button: opening the link spends
// nothing (mail scanners open links), the button does.
func (s *Server) codePage(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("Referrer-Policy", "no-referrer")
	p := signInPage(c, loginData{Next: nextPath(c.Query("next")), Code: c.Params("code")})
	return render(c, "login", p)
}

// login signs in with a pasted token.
func (s *Server) login(c *fiber.Ctx) error {
	if !sameToken(formCSRF(c), c.Cookies(loginCookie)) {
		return s.loginRefused(c, "login.form_expired")
	}
	token := strings.TrimSpace(c.FormValue("token"))
	if !strings.HasPrefix(token, service.TokenPrefix) {
		return s.loginRefused(c, "login.not_a_token")
	}
	u, err := s.Guard.UserOfToken(c, token)
	if lead.ErrorCode(err) == lead.CodeNotFound {
		return s.loginRefused(c, "login.bad_token")
	}
	if err != nil {
		return s.loginFailed(c, err)
	}
	return s.startSession(c, u.ID, service.HashToken(token))
}

// loginCode signs in with a one-time link's code, which it spends. A code
// that opens nothing counts as a failed sign-in (s.Guard.SignIn), as a
// token does.
func (s *Server) loginCode(c *fiber.Ctx) error {
	if !sameToken(formCSRF(c), c.Cookies(loginCookie)) {
		return s.loginRefused(c, "login.link_form_expired")
	}
	if err := s.Guard.Blocked(c, s.Guard.SignIn); err != nil {
		return s.loginFailed(c, err)
	}
	userID, tokenHash, err := s.Service.SpendSignInCode(c.UserContext(), c.FormValue("code"))
	if lead.ErrorCode(err) == lead.CodeNotFound {
		if err := s.Guard.Failed(c, s.Guard.SignIn, err); lead.ErrorCode(err) != lead.CodeNotFound {
			return s.loginFailed(c, err)
		}
		return s.loginRefused(c, "login.link_spent")
	}
	if err != nil {
		return err
	}
	return s.startSession(c, userID, tokenHash)
}

func (s *Server) loginRefused(c *fiber.Ctx, why string) error {
	return s.loginPageWith(c, fiber.StatusUnauthorized, why)
}

// loginFailed answers an error of a sign-in: the refusal of an address
// that failed too often is the sign-in page, with Retry-After.
func (s *Server) loginFailed(c *fiber.Ctx, err error) error {
	var limited *httpx.RateLimited
	if !errors.As(err, &limited) {
		return err
	}
	return s.loginPageWith(c, fiber.StatusTooManyRequests,
		tr(c, "login.too_many", "Wait", limited.Wait(c)))
}

// loginPageWith answers the sign-in page with a status and why.
func (s *Server) loginPageWith(c *fiber.Ctx, status int, why string) error {
	p := signInPage(c, loginData{Next: nextPath(c.FormValue("next"))})
	p.Problem = &web.Problem{Title: why}
	c.Status(status)
	return render(c, "login", p)
}

// startSession opens a session for the user, with the token whose hash is
// tokenHash, and goes where they were headed. The session lasts
// SessionTTL, or less when the token expires sooner; it ends when the
// token is rotated (store.CreateSession).
func (s *Server) startSession(c *fiber.Ctx, userID string, tokenHash []byte) error {
	if old := c.Cookies(sessionCookie); old != "" {
		// A new sign-in ends the session the browser had (no fixation).
		if err := s.Service.EndSession(c.UserContext(), old); err != nil {
			return err
		}
	}
	ses, err := s.Service.OpenSession(c.UserContext(), userID, tokenHash, SessionTTL)
	if lead.ErrorCode(err) == lead.CodeNotFound {
		return s.loginRefused(c, "login.bad_token")
	}
	if err != nil {
		return err
	}
	setCookie(c, sessionCookie, ses.ID, ses.Expires)
	c.ClearCookie(loginCookie)
	next := nextPath(c.FormValue("next"))
	if next == "" {
		if next, err = s.Service.Landing(c.UserContext(), userID); err != nil {
			return err
		}
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

// logout ends the session.
func (s *Server) logout(c *fiber.Ctx) error {
	if err := s.Service.EndSession(c.UserContext(), c.Cookies(sessionCookie)); err != nil {
		return err
	}
	setCookie(c, sessionCookie, "", time.Unix(0, 0))
	return c.Redirect("/login", fiber.StatusSeeOther)
}
