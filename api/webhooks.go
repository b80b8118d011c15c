package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/service"
)

// routeWebhooks registers the outbound webhook subscriptions and their
// delivery logs (admins, and managers for their pools: service/webhooks.go).
func (s *Server) routeWebhooks(v1 fiber.Router) {
	staff := s.gate(service.GateStaff)
	v1.Post("/webhooks", staff, s.createWebhook)
	v1.Get("/webhooks", staff, s.listWebhooks)
	v1.Get("/webhooks/:id", staff, s.getWebhook)
	v1.Patch("/webhooks/:id", staff, s.patchWebhook)
	v1.Delete("/webhooks/:id", staff, s.deleteWebhook)
	v1.Post("/webhooks/:id/rotate-secret", staff, s.rotateWebhookSecret)
	v1.Get("/webhooks/:id/deliveries", staff, s.webhookDeliveries)
	v1.Post("/webhooks/:id/deliveries/:delivery/redeliver", staff, s.redeliver)
}

func (s *Server) createWebhook(c *fiber.Ctx) error {
	var b service.WebhookChange
	if err := httpx.DecodeJSON(c, &b); err != nil {
		return err
	}
	w, err := s.svc.CreateWebhook(c.UserContext(), httpx.Caller(c), idempotencyKey(c), b)
	if err != nil {
		return err
	}
	c.Location("/api/v1/webhooks/" + w.ID)
	return c.Status(fiber.StatusCreated).JSON(w)
}

func (s *Server) listWebhooks(c *fiber.Ctx) error {
	limit, err := httpx.PageLimit(c)
	if err != nil {
		return err
	}
	items, next, err := s.svc.Webhooks(c.UserContext(), httpx.Caller(c), limit, c.Query("cursor"))
	if err != nil {
		return err
	}
	return c.JSON(httpx.Page(items, next))
}

func (s *Server) getWebhook(c *fiber.Ctx) error {
	w, err := s.svc.Webhook(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(w)
}

func (s *Server) patchWebhook(c *fiber.Ctx) error {
	var b service.WebhookChange
	if err := httpx.DecodeJSON(c, &b); err != nil {
		return err
	}
	w, err := s.svc.UpdateWebhook(c.UserContext(), httpx.Caller(c), c.Params("id"), b)
	if err != nil {
		return err
	}
	return c.JSON(w)
}

func (s *Server) deleteWebhook(c *fiber.Ctx) error {
	if err := s.svc.DeleteWebhook(c.UserContext(), httpx.Caller(c), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// rotateWebhookSecret answers the new secret once; the body
// {"grace":"24h"} is optional.
func (s *Server) rotateWebhookSecret(c *fiber.Ctx) error {
	var b struct {
		Grace string `json:"grace"`
	}
	if len(c.Body()) > 0 {
		if err := httpx.DecodeJSON(c, &b); err != nil {
			return err
		}
	}
	w, err := s.svc.RotateWebhookSecret(c.UserContext(), httpx.Caller(c), c.Params("id"), b.Grace)
	if err != nil {
		return err
	}
	return c.JSON(w)
}

func (s *Server) webhookDeliveries(c *fiber.Ctx) error {
	limit, err := httpx.PageLimit(c)
	if err != nil {
		return err
	}
	items, next, err := s.svc.WebhookDeliveries(c.UserContext(), httpx.Caller(c), c.Params("id"), limit, c.Query("cursor"))
	if err != nil {
		return err
	}
	return c.JSON(httpx.Page(items, next))
}

func (s *Server) redeliver(c *fiber.Ctx) error {
	if err := s.svc.Redeliver(c.UserContext(), httpx.Caller(c), c.Params("id"), c.Params("delivery")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusAccepted)
}
