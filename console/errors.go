package console

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/i18n"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/web"
)

// This file answers the console's errors as HTML pages in the reader's
// language: an unknown path (404), a refusal (403) and a failure (500)
// that a console handler returns, where the API answers problem+json.

// machinePaths are the server's own endpoints, for machines (probes,
// Prometheus): their errors stay problem+json.
var machinePaths = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// Path reports whether path is the console's: anything not under /api/
// (the API, the registration endpoints and the OpenAPI document are) and
// not a machine's endpoint (/healthz, /readyz, /metrics).
func Path(path string) bool {
	return path != "/api" && !strings.HasPrefix(path, "/api/") && !machinePaths[path]
}

// ErrorPages is the console's error page, for the server's error handler
// and its 404: it answers p as an HTML page at p's status.
func ErrorPages(d httpx.Deps) func(c *fiber.Ctx, p httpx.Problem) error {
	s := &Server{d}
	return s.errorPage
}

// errorPage answers p as an HTML page: its status's words in the reader's
// language (signed in or not: an unknown path has no session middleware,
// so the session is looked up here), and what was refused, when the page
// may say it.
func (s *Server) errorPage(c *fiber.Ctx, p httpx.Problem) error {
	if httpx.Caller(c).ID == "" {
		s.knownUser(c)
	}
	status := p.Status
	if status < 400 {
		status = fiber.StatusInternalServerError
	}
	kind := strconv.Itoa(status)
	if !i18n.Has(i18n.EN, "error.title."+kind) {
		kind = "other"
		if status < 500 {
			kind = "client"
		}
	}
	page := consolePage(c, "error.title."+kind, "")
	d := web.ErrorPage{Status: status, Text: "error.text." + kind}
	if status < 500 && status != fiber.StatusNotFound {
		d.Detail = problemTitle(c, p.Code, p.Title)
		d.Reasons = p.Reasons
	}
	page.Data = d
	httpx.SetSecurityHeaders(c)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Status(status)
	return render(c, "error", page)
}

// knownUser sets the caller and their locale from the session cookie,
// when it names a live session; a page without one is for a visitor.
func (s *Server) knownUser(c *fiber.Ctx) {
	id := c.Cookies(sessionCookie)
	if id == "" {
		return
	}
	u, csrf, err := s.Service.SessionUser(c.UserContext(), id)
	if err != nil {
		return
	}
	httpx.SetCaller(c, u)
	s.setLocale(c, u)
	c.Locals(csrfKey{}, csrf)
}

// problemTitle is a refusal's title in the reader's language: in English
// the service's own words, in another language the catalogue's
// problem.title.<code> when it has one (as the API says it).
func problemTitle(c *fiber.Ctx, code, title string) string {
	lang := localeOf(c).Lang
	if lang == i18n.EN || !i18n.Has(lang, "problem.title."+code) {
		return title
	}
	return i18n.T(lang, "problem.title."+code)
}

// pageProblem is webProblem(err) with its title in the reader's language
// (problemTitle), for a refusal shown at the top of a page; nil for a
// failure.
func pageProblem(c *fiber.Ctx, err error) *web.Problem {
	p := webProblem(err)
	if p != nil {
		p.Title = problemTitle(c, problemCode(err), p.Title)
	}
	return p
}

// problemCode is the code of a refusal: its domain error's or its problem's.
func problemCode(err error) string {
	var pe *httpx.ProblemError
	if errors.As(err, &pe) {
		return pe.P.Code
	}
	return string(lead.ErrorCode(err))
}
