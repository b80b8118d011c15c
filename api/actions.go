package api

import (
	"context"
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

// leadAction answers an action on the route's lead: it decodes the body
// with decode, calls the service method do with the caller, the lead's id
// and the request's idempotency key, and encodes its result at status.
func leadAction[In, Out any](c *fiber.Ctx, decode func(*fiber.Ctx, any) error, status int,
	do func(ctx context.Context, me lead.User, id, key string, in In) (Out, error)) error {
	var in In
	if err := decode(c, &in); err != nil {
		return err
	}
	out, err := do(c.UserContext(), httpx.Caller(c), c.Params("id"), idempotencyKey(c), in)
	if err != nil {
		return err
	}
	return c.Status(status).JSON(out)
}

func (s *Server) claimLead(c *fiber.Ctx) error {
	return leadAction(c, actionBody, fiber.StatusOK, s.svc.Claim)
}

func (s *Server) followUp(c *fiber.Ctx) error {
	return leadAction(c, httpx.DecodeJSON, fiber.StatusCreated, s.svc.FollowUp)
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
		return leadAction(c, actionBody, fiber.StatusOK,
			func(ctx context.Context, me lead.User, id, key string, in service.MoveInput) (lead.Lead, error) {
				return s.svc.DoMove(ctx, me, id, key, m, in)
			})
	}
}

func (s *Server) editLead(c *fiber.Ctx) error {
	return leadAction(c, httpx.DecodeJSON, fiber.StatusOK, s.svc.Edit)
}

func (s *Server) reopenLead(c *fiber.Ctx) error {
	return leadAction(c, actionBody, fiber.StatusOK, s.svc.Reopen)
}

func (s *Server) readmitLead(c *fiber.Ctx) error {
	return leadAction(c, actionBody, fiber.StatusOK, s.svc.Readmit)
}

// leadFor returns the lead of the route's :id when the caller may do act on it.
func (s *Server) leadFor(c *fiber.Ctx, act lead.Action) (lead.Lead, error) {
	return s.svc.LeadFor(c.UserContext(), httpx.Caller(c), c.Params("id"), act)
}
