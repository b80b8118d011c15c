package console

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/web"
)

// routeUnsubscribe registers the public unsubscribe link: GET asks, POST
// unsubscribes. The POST needs no session nor CSRF token: it is the RFC
// 8058 one-click POST a mail client sends (List-Unsubscribe=One-Click),
// and the signed token in its URL is its only credential.
func (s *Server) routeUnsubscribe(app *fiber.App) {
	app.Get("/u/:token", httpx.SecurityHeaders, s.unsubscribePage)
	app.Post("/u/:token", httpx.SecurityHeaders, s.unsubscribePage)
}

func (s *Server) unsubscribePage(c *fiber.Ctx) error {
	read := s.Service.UnsubscribeLink
	if c.Method() == fiber.MethodPost {
		read = s.Service.Unsubscribe
	}
	u, err := read(c.UserContext(), c.Params("token"))
	lang := web.Language(c.Query("lang"), c.Get(fiber.HeaderAcceptLanguage))
	// The form posts back in the page's language.
	page := web.Unsubscribe{Lang: lang, Path: c.Path() + "?lang=" + url.QueryEscape(lang)}
	switch {
	case lead.ErrorCode(err) == lead.CodeNotFound:
		page.NotFound = true
		c.Status(fiber.StatusNotFound)
	case err != nil:
		return err
	default:
		page.Channel, page.Address, page.Done = u.Channel, web.Masked(u.Address), u.Done
	}
	c.Type("html", "utf-8")
	return web.RenderUnsubscribe(c, page)
}
