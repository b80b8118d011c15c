package console

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/i18n"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/web"
)

// This file is the settings page's language and time zone form: the
// user's own settings (PATCH /api/v1/me's Service.UpdateMe).

// profileOf is the language and time zone form for c's user.
func profileOf(c *fiber.Ctx) web.Profile {
	u := httpx.Caller(c)
	p := web.Profile{Language: u.Language, TimeZone: u.TimeZone, Zone: localeOf(c).ZoneName(), Zones: web.CommonZones,
		Languages: []web.Choice{{Value: "", Label: tr(c, "profile.language_browser")}}}
	for _, l := range i18n.Languages {
		p.Languages = append(p.Languages, web.Choice{Value: l, Label: i18n.Names[l]})
	}
	return p
}

// saveProfile saves the user's language and time zone. The language the
// switch chose for this browser gives way to the saved one.
func (s *Server) saveProfile(c *fiber.Ctx) error {
	str := func(field string) json.RawMessage {
		b, _ := json.Marshal(strings.TrimSpace(c.FormValue(field))) // a string always marshals
		return b
	}
	u, err := s.Service.UpdateMe(c.UserContext(), httpx.Caller(c), service.MeChange{Language: str("language"), TimeZone: str("time_zone")})
	if err != nil {
		if webProblem(err) == nil {
			return err
		}
		set, serr := s.Service.MyNotificationSettings(c.UserContext(), httpx.Caller(c))
		if serr != nil {
			return serr
		}
		prof := profileOf(c)
		prof.Language, prof.TimeZone = c.FormValue("language"), c.FormValue("time_zone")
		return s.renderSettingsWith(c, set.OptOut, prof, "", err)
	}
	httpx.SetCaller(c, u)
	setCookie(c, langCookie, "", time.Unix(0, 0))
	return c.Redirect("/settings/notifications?saved=profile", fiber.StatusSeeOther)
}
