package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/service"
)

// routeChatTargets registers the chat-app targets (everyone their own;
// admins and a team's manager the team's: service/chattargets.go).
func (s *Server) routeChatTargets(v1 fiber.Router) {
	everyone := s.gate(service.GateEveryone)
	v1.Get("/chat-targets", everyone, s.listChatTargets)
	v1.Post("/chat-targets", everyone, s.createChatTarget)
	v1.Patch("/chat-targets/:id", everyone, s.patchChatTarget)
	v1.Delete("/chat-targets/:id", everyone, s.deleteChatTarget)
}

func (s *Server) listChatTargets(c *fiber.Ctx) error {
	items, err := s.svc.ChatTargets(c.UserContext(), httpx.Caller(c))
	if err != nil {
		return err
	}
	return c.JSON(httpx.Page(items, ""))
}

func (s *Server) createChatTarget(c *fiber.Ctx) error {
	var b service.ChatTargetChange
	if err := httpx.DecodeJSON(c, &b); err != nil {
		return err
	}
	t, err := s.svc.CreateChatTarget(c.UserContext(), httpx.Caller(c), idempotencyKey(c), b)
	if err != nil {
		return err
	}
	c.Location("/api/v1/chat-targets/" + t.ID)
	return c.Status(fiber.StatusCreated).JSON(t)
}

func (s *Server) patchChatTarget(c *fiber.Ctx) error {
	var b service.ChatTargetChange
	if err := httpx.DecodeJSON(c, &b); err != nil {
		return err
	}
	t, err := s.svc.UpdateChatTarget(c.UserContext(), httpx.Caller(c), c.Params("id"), b)
	if err != nil {
		return err
	}
	return c.JSON(t)
}

func (s *Server) deleteChatTarget(c *fiber.Ctx) error {
	if _, err := s.svc.DeleteChatTarget(c.UserContext(), httpx.Caller(c), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
