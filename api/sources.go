package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/service"
)

// routeSources registers the inbound sources (admins: service/sources.go).
func (s *Server) routeSources(v1 fiber.Router) {
	admin := s.gate(service.GateAdmin)
	v1.Post("/sources", admin, s.createSource)
	v1.Get("/sources", admin, s.listSources)
	v1.Get("/sources/:id", admin, s.getSource)
	v1.Patch("/sources/:id", admin, s.patchSource)
	v1.Delete("/sources/:id", admin, s.deleteSource)
	v1.Post("/sources/:id/rotate-secret", admin, s.rotateSourceSecret)
}

// hookRoutes are the inbound sources' hooks: no bearer token, the
// signature is the credential (service/hooks.go).
func (s *Server) hookRoutes(app *fiber.App) {
	app.Post("/api/v1/hooks/:source", s.receiveHook)
	app.Get("/api/v1/hooks/:source", s.hookChallenge)
}

func (s *Server) createSource(c *fiber.Ctx) error {
	var b service.SourceChange
	if err := httpx.DecodeJSON(c, &b); err != nil {
		return err
	}
	src, err := s.svc.CreateSource(c.UserContext(), httpx.Caller(c), idempotencyKey(c), b)
	if err != nil {
		return err
	}
	c.Location("/api/v1/sources/" + src.ID)
	return c.Status(fiber.StatusCreated).JSON(src)
}

func (s *Server) listSources(c *fiber.Ctx) error {
	limit, err := httpx.PageLimit(c)
	if err != nil {
		return err
	}
	items, next, err := s.svc.Sources(c.UserContext(), httpx.Caller(c), limit, c.Query("cursor"))
	if err != nil {
		return err
	}
	return c.JSON(httpx.Page(items, next))
}

func (s *Server) getSource(c *fiber.Ctx) error {
	src, err := s.svc.Source(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(src)
}

func (s *Server) patchSource(c *fiber.Ctx) error {
	var b service.SourceChange
	if err := httpx.DecodeJSON(c, &b); err != nil {
		return err
	}
	src, err := s.svc.UpdateSource(c.UserContext(), httpx.Caller(c), c.Params("id"), b)
	if err != nil {
		return err
	}
	return c.JSON(src)
}

func (s *Server) deleteSource(c *fiber.Ctx) error {
	if err := s.svc.DeleteSource(c.UserContext(), httpx.Caller(c), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) rotateSourceSecret(c *fiber.Ctx) error {
	src, err := s.svc.RotateSourceSecret(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(src)
}

// receiveHook takes a push to an inbound source: Facebook's (signed with
// X-Hub-Signature-256) answered 200 at once while its leads are fetched,
// any other signed the Standard Webhooks way and answered by its intake:
// 201 with the lead, 200 when merged into a live lead, or the refusal. A
// retried delivery gets its first answer again.
func (s *Server) receiveHook(c *fiber.Ctx) error {
	if hub := c.Get("X-Hub-Signature-256"); hub != "" {
		n, err := s.svc.ReceiveFacebook(c.UserContext(), c.Params("source"), hub, c.Body())
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"received": n})
	}
	a, err := s.svc.ReceiveHook(c.UserContext(), service.HookDelivery{Source: c.Params("source"),
		ID: c.Get("webhook-id"), Timestamp: c.Get("webhook-timestamp"), Signature: c.Get("webhook-signature"), Body: c.Body()})
	if err != nil {
		return err
	}
	if a.MergedInto == "" {
		c.Status(fiber.StatusCreated)
	}
	return c.JSON(a)
}

// hookChallenge answers Facebook's subscription check: the challenge
// echoed when the verify token is the source's (403 otherwise).
func (s *Server) hookChallenge(c *fiber.Ctx) error {
	out, err := s.svc.FacebookChallenge(c.UserContext(), c.Params("source"), c.Query("hub.mode"), c.Query("hub.verify_token"),
		c.Query("hub.challenge"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	return c.SendString(out)
}
