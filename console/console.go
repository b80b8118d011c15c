// Package console is leadflow's HTML face (Fiber v2): the public home and
// registration pages, sign-in with a session cookie, CSRF, and the signed-in
// pages and forms, rendered from package web's templates. Each handler
// reads the form, calls the service (service/), which decides, and renders
// a page. It holds no operation, no JSON endpoint and no server setting:
// those are the service's, the API's (api/) and the server's (server/).
package console

import (
	"errors"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/web"
)

// Server is the console: its handlers are methods, over what it is built
// with (the service, the store for sessions and the names a page shows,
// the limits' guard, the links' settings).
type Server struct{ httpx.Deps }

// Routes registers the console's routes on app: the public pages, and the
// pages signed in with the session cookie, never under /api/v1.
func Routes(app *fiber.App, d httpx.Deps) {
	s := &Server{d}
	app.Get("/", httpx.SecurityHeaders, func(c *fiber.Ctx) error {
		c.Type("html", "utf-8")
		return web.RenderHome(c, web.Home{PublicURL: s.PublicURL})
	})
	app.Get("/r/:invite", httpx.SecurityHeaders, s.registerPage)
	app.Get("/register", httpx.SecurityHeaders, s.registerPage)
	s.routeUnsubscribe(app)
	s.consoleRoutes(app)
}

// registerPage is the public registration form, or a rep's invite link's;
// it posts to the API's registration endpoints (api/register.go).
func (s *Server) registerPage(c *fiber.Ctx) error {
	page := web.Register{Action: "/api/v1/register", Path: c.Path(),
		Lang: web.Language(c.Query("lang"), c.Get(fiber.HeaderAcceptLanguage))}
	if tok := c.Params("invite"); tok != "" {
		rep, err := s.Guard.Inviter(c, s.Service, tok)
		var limited *httpx.RateLimited
		switch {
		case errors.As(err, &limited):
			page.RetryMinutes = limited.RetryMinutes(c)
			c.Status(fiber.StatusTooManyRequests)
		case lead.ErrorCode(err) == lead.CodeNotFound:
			page.NotFound = true
			c.Status(fiber.StatusNotFound)
		case err != nil:
			return err
		default:
			page.RepName = rep.Name
			page.Action = "/api/v1/register/" + url.PathEscape(tok)
		}
	}
	c.Type("html", "utf-8")
	return web.RenderRegister(c, page)
}
