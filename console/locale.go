package console

import (
	"net/url"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/i18n"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/web"
)

// This file picks whom a page is written for: the language (the switch's
// cookie, else the user's setting, else the browser's Accept-Language)
// and the time zone (the user's, else the team's, else the server's).

// langCookie keeps the language chosen with the switch on every page.
const langCookie = "leadflow_lang"

type localeKey struct{}

// localeOf is the locale of c's page: set by the session for a signed-in
// user, else the browser's language in UTC.
func localeOf(c *fiber.Ctx) web.Locale {
	if l, ok := c.Locals(localeKey{}).(web.Locale); ok {
		return l
	}
	return web.Locale{Lang: i18n.Pick(c.Get(fiber.HeaderAcceptLanguage), c.Cookies(langCookie)), Zone: time.UTC}
}

// setLocale keeps u's locale for the request's pages.
func (s *Server) setLocale(c *fiber.Ctx, u lead.User) {
	lang := i18n.Pick(c.Get(fiber.HeaderAcceptLanguage), c.Cookies(langCookie), u.Language)
	c.Locals(localeKey{}, web.Locale{Lang: lang, Zone: s.Service.Location(c.UserContext(), u)})
}

// tr is the message id in the language of c's page.
func tr(c *fiber.Ctx, id string, args ...any) string { return i18n.T(localeOf(c).Lang, id, args...) }

// switchLinks are the language switch's links back to this page.
func switchLinks(c *fiber.Ctx) []web.LangLink {
	next := url.QueryEscape(c.OriginalURL())
	var out []web.LangLink
	for _, l := range i18n.Languages {
		out = append(out, web.LangLink{Value: l, Label: i18n.Names[l], URL: "/lang/" + l + "?next=" + next})
	}
	return out
}

// switchLanguage keeps the chosen language in a cookie (a year) and goes
// back to the page it was chosen on.
func switchLanguage(c *fiber.Ctx) error {
	lang := i18n.Match(c.Params("lang"))
	if lang == "" {
		return fiber.ErrNotFound
	}
	setCookie(c, langCookie, lang, time.Now().AddDate(1, 0, 0))
	next := nextPath(c.Query("next"))
	if next == "" {
		next = "/"
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

// trOr is the message id in the language of c's page, or def when the
// catalogues have no such id (a name of the data, such as a sheet's field).
func trOr(c *fiber.Ctx, id, def string) string {
	if !i18n.Has(i18n.EN, id) {
		return def
	}
	return tr(c, id)
}

// reasonText is a field error's reason in the language of c's page: a
// built-in check's by its code (reason.*), else as written.
func reasonText(c *fiber.Ctx, e lead.FieldError) string {
	if e.Code != "" {
		return trOr(c, "reason."+e.Code, e.Reason)
	}
	return e.Reason
}

// inZone is the query of c with the date-only values of names (a date
// input's 2026-01-31) made the start of that day in the reader's zone, as
// the pages show times; other values as they are.
func inZone(c *fiber.Ctx, names ...string) func(string) string {
	get, zone := httpx.Query(c), localeOf(c).Zone
	if zone == nil {
		zone = time.UTC
	}
	return func(name string) string {
		v := get(name)
		if !slices.Contains(names, name) {
			return v
		}
		if d, err := time.ParseInLocation(time.DateOnly, v, zone); err == nil {
			return d.Format(time.RFC3339)
		}
		return v
	}
}
