package console

import (
	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/service"
)

// The chat-app targets on the settings page: add one (the user's own) and
// remove one the user manages, through the service as the API does
// (CreateChatTarget, DeleteChatTarget).

func (s *Server) addChatTarget(c *fiber.Ctx) error {
	kind, u, secret := c.FormValue("kind"), c.FormValue("url"), c.FormValue("secret")
	in := service.ChatTargetChange{Kind: &kind, URL: &u, Secret: &secret}
	if _, err := s.Service.CreateChatTarget(c.UserContext(), httpx.Caller(c), "", in); err != nil {
		if webProblem(err) == nil {
			return err
		}
		set, serr := s.Service.MyNotificationSettings(c.UserContext(), httpx.Caller(c))
		if serr != nil {
			return serr
		}
		return s.renderSettings(c, set.OptOut, "", err)
	}
	return c.Redirect("/settings/notifications?saved=chat", fiber.StatusSeeOther)
}

func (s *Server) deleteChatTargetForm(c *fiber.Ctx) error {
	if err := s.Service.DeleteChatTarget(c.UserContext(), httpx.Caller(c), c.Params("id")); err != nil {
		return s.consoleRefusal(c, err)
	}
	return c.Redirect("/settings/notifications?saved=chat-deleted", fiber.StatusSeeOther)
}
