package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/service"
)

// routeMessages registers the nurture's routes: the message templates
// (managers and admins write, everyone signed in reads), a lead's
// messages (sent by whoever may act on the lead, listed to whoever may
// read it) and its consent.
func (s *Server) routeMessages(v1 fiber.Router) {
	everyone, staff := s.gate(service.GateEveryone), s.gate(service.GateStaff)
	v1.Get("/templates", everyone, s.listTemplates)
	v1.Post("/templates", staff, s.createTemplate)
	v1.Get("/templates/:id", everyone, s.getTemplate)
	v1.Patch("/templates/:id", staff, s.patchTemplate)
	v1.Delete("/templates/:id", staff, s.deleteTemplate)
	v1.Post("/templates/:id/preview", everyone, s.previewTemplate)
	v1.Post("/leads/:id/messages", s.sendMessage)
	v1.Get("/leads/:id/messages", s.listMessages)
	v1.Get("/leads/:id/consent", s.leadConsent)
	v1.Get("/leads/:id/replies", s.listReplies)
}

func (s *Server) listTemplates(c *fiber.Ctx) error {
	items, err := s.svc.Templates(c.UserContext(), httpx.Caller(c), c.Query("channel"))
	if err != nil {
		return err
	}
	return c.JSON(httpx.Page(items, ""))
}

func (s *Server) getTemplate(c *fiber.Ctx) error {
	t, err := s.svc.Template(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(t)
}

func (s *Server) createTemplate(c *fiber.Ctx) error {
	var b service.TemplateChange
	if err := httpx.DecodeJSON(c, &b); err != nil {
		return err
	}
	t, err := s.svc.CreateTemplate(c.UserContext(), httpx.Caller(c), idempotencyKey(c), b)
	if err != nil {
		return err
	}
	c.Location("/api/v1/templates/" + t.ID)
	return c.Status(fiber.StatusCreated).JSON(t)
}

func (s *Server) patchTemplate(c *fiber.Ctx) error {
	var b service.TemplateChange
	if err := httpx.DecodeJSON(c, &b); err != nil {
		return err
	}
	t, err := s.svc.UpdateTemplate(c.UserContext(), httpx.Caller(c), c.Params("id"), b)
	if err != nil {
		return err
	}
	return c.JSON(t)
}

func (s *Server) deleteTemplate(c *fiber.Ctx) error {
	if err := s.svc.DeleteTemplate(c.UserContext(), httpx.Caller(c), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) previewTemplate(c *fiber.Ctx) error {
	var b struct {
		LeadID string `json:"lead_id"`
	}
	if err := httpx.DecodeJSON(c, &b); err != nil {
		return err
	}
	out, err := s.svc.PreviewTemplate(c.UserContext(), httpx.Caller(c), c.Params("id"), b.LeadID)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Server) sendMessage(c *fiber.Ctx) error {
	var in service.MessageInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	m, err := s.svc.SendMessage(c.UserContext(), httpx.Caller(c), c.Params("id"), idempotencyKey(c), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(m)
}

// listMessages lists a lead's messages, newest first, with their status.
func (s *Server) listMessages(c *fiber.Ctx) error { return leadPage(s, c, s.svc.LeadMessages) }

func (s *Server) leadConsent(c *fiber.Ctx) error {
	cs, err := s.svc.Consents(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(httpx.Page(cs, ""))
}
