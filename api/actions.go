package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
)

// This file routes every action on a lead: each handler decodes the body,
// calls the service (which checks the input and the access model and sends
// the update to the lead's workflow) and encodes the answer.

func (s *Server) routeActions(v1 fiber.Router) {
	v1.Post("/leads/:id/claim", s.claimLead)
	v1.Post("/leads/:id/follow-ups", s.followUp)
	v1.Post("/leads/:id/convert", s.convertLead)
	for _, m := range service.Moves {
		v1.Post("/leads/:id/"+m.Path, s.moveAction(m))
	}
	v1.Patch("/leads/:id", s.editLead)
	v1.Post("/leads/:id/reopen", s.reopenLead)
	v1.Post("/leads/:id/readmit", s.readmitLead)
}

// idempotencyKey is the request's Idempotency-Key header.
func idempotencyKey(c *fiber.Ctx) string { return c.Get("Idempotency-Key") }

// actionBody decodes an optional JSON body: an empty body is allowed.
func actionBody(c *fiber.Ctx, v any) error {
	if len(strings.TrimSpace(string(c.Body()))) == 0 {
		return nil
	}
	return httpx.DecodeJSON(c, v)
}

func (s *Server) claimLead(c *fiber.Ctx) error {
	var in service.ClaimInput
	if err := actionBody(c, &in); err != nil {
		return err
	}
	out, err := s.svc.Claim(c.UserContext(), httpx.Caller(c), c.Params("id"), idempotencyKey(c), in)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Server) followUp(c *fiber.Ctx) error {
	var in service.FollowUpInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	out, err := s.svc.FollowUp(c.UserContext(), httpx.Caller(c), c.Params("id"), idempotencyKey(c), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (s *Server) convertLead(c *fiber.Ctx) error {
	var in convertBody
	if err := actionBody(c, &in); err != nil {
		return err
	}
	customer, order, err := in.values()
	if err != nil {
		return err
	}
	out, err := s.svc.Convert(c.UserContext(), httpx.Caller(c), c.Params("id"), idempotencyKey(c), customer, order)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// moveAction handles lifecycle action m.
func (s *Server) moveAction(m service.Move) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in service.MoveInput
		if err := actionBody(c, &in); err != nil {
			return err
		}
		out, err := s.svc.DoMove(c.UserContext(), httpx.Caller(c), c.Params("id"), idempotencyKey(c), m, in)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

func (s *Server) editLead(c *fiber.Ctx) error {
	var in lead.EditFields
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	out, err := s.svc.Edit(c.UserContext(), httpx.Caller(c), c.Params("id"), idempotencyKey(c), in)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Server) reopenLead(c *fiber.Ctx) error {
	var in service.ReopenInput
	if err := actionBody(c, &in); err != nil {
		return err
	}
	out, err := s.svc.Reopen(c.UserContext(), httpx.Caller(c), c.Params("id"), idempotencyKey(c), in)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Server) readmitLead(c *fiber.Ctx) error {
	var in service.ReadmitInput
	if err := actionBody(c, &in); err != nil {
		return err
	}
	out, err := s.svc.Readmit(c.UserContext(), httpx.Caller(c), c.Params("id"), idempotencyKey(c), in)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// leadFor returns the lead of the route's :id when the caller may do act on it.
func (s *Server) leadFor(c *fiber.Ctx, act lead.Action) (lead.Lead, error) {
	return s.svc.LeadFor(c.UserContext(), httpx.Caller(c), c.Params("id"), act)
}
