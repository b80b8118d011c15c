package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
)

// routeConversations registers the inbox (service/conversations.go):
// everyone signed in lists what they see, managers and admins assign, the
// assignee makes a lead.
func (s *Server) routeConversations(v1 fiber.Router) {
	everyone, staff := s.gate(service.GateEveryone), s.gate(service.GateStaff)
	v1.Get("/conversations", everyone, s.listConversations)
	v1.Get("/conversations/:id", everyone, s.getConversation)
	v1.Post("/conversations/:id/assign", staff, s.assignConversation)
	v1.Get("/conversations/:id/draft", everyone, s.conversationDraft)
	v1.Post("/conversations/:id/lead", everyone, s.conversationLead)
}

func (s *Server) listConversations(c *fiber.Ctx) error {
	limit, err := httpx.PageLimit(c)
	if err != nil {
		return err
	}
	items, next, err := s.svc.Conversations(c.UserContext(), httpx.Caller(c), c.Query("state"), limit, c.Query("cursor"))
	if err != nil {
		return err
	}
	return c.JSON(httpx.Page(items, next))
}

func (s *Server) getConversation(c *fiber.Ctx) error {
	out, err := s.svc.Conversation(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Server) assignConversation(c *fiber.Ctx) error {
	var b struct {
		RepID string `json:"rep_id"`
	}
	if err := httpx.DecodeJSON(c, &b); err != nil {
		return err
	}
	out, err := s.svc.AssignConversation(c.UserContext(), httpx.Caller(c), c.Params("id"), b.RepID)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Server) conversationDraft(c *fiber.Ctx) error {
	out, err := s.svc.ConversationDraft(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Server) conversationLead(c *fiber.Ctx) error {
	var in lead.Input
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	out, err := s.svc.CreateConversationLead(c.UserContext(), httpx.Caller(c), c.Params("id"), in)
	if err != nil {
		return err
	}
	return answerCreated(c, out)
}
