package console

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/service"
)

// The chat-app targets: on the settings page the user's own, on a team's
// page the team's (an admin's or the team's manager's). Both add and
// remove through the service as the API does (CreateChatTarget,
// DeleteChatTarget).

func (s *Server) addChatTarget(c *fiber.Ctx) error {
	return s.addChat(c, "", "/settings/notifications?saved=chat", func(err error) error {
		set, serr := s.Service.MyNotificationSettings(c.UserContext(), httpx.Caller(c))
		if serr != nil {
			return serr
		}
		return s.renderSettings(c, set.OptOut, "", err)
	})
}

func (s *Server) addTeamChatTarget(c *fiber.Ctx) error {
	team := c.Params("team")
	return s.addChat(c, team, teamPath(team)+"?done=chat", func(err error) error { return s.showTeamWith(c, team, err) })
}

// addChat adds the form's target for the user (team "") or a team, then
// goes to done; a refusal of the form is shown by refused.
func (s *Server) addChat(c *fiber.Ctx, team, done string, refused func(error) error) error {
	kind, u, secret := c.FormValue("kind"), c.FormValue("url"), c.FormValue("secret")
	in := service.ChatTargetChange{Kind: &kind, URL: &u, Secret: &secret}
	if team != "" {
		in.TeamID = &team
	}
	if _, err := s.Service.CreateChatTarget(c.UserContext(), httpx.Caller(c), "", in); err != nil {
		if webProblem(err) == nil {
			return err
		}
		return refused(err)
	}
	return c.Redirect(done, fiber.StatusSeeOther)
}

// deleteChatTargetForm removes a target, then goes back to the page the
// form was on: the team's page for a team's target, else the settings.
func (s *Server) deleteChatTargetForm(c *fiber.Ctx) error {
	t, err := s.Service.DeleteChatTarget(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return s.consoleRefusal(c, err)
	}
	if t.TeamID != "" && c.FormValue("from") == "team" {
		return c.Redirect(teamPath(t.TeamID)+"?done=chat-deleted", fiber.StatusSeeOther)
	}
	return c.Redirect("/settings/notifications?saved=chat-deleted", fiber.StatusSeeOther)
}

// teamPath is the console page of team id.
func teamPath(id string) string { return "/teams/" + url.PathEscape(id) }
