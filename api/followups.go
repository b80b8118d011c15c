package api

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
)

// This file reads a lead's follow-ups; recording one is an action (actions.go).

func (s *Server) routeFollowUps(v1 fiber.Router) {
	v1.Get("/leads/:id/follow-ups", s.listFollowUps)
}

// listFollowUps lists a lead's follow-ups, newest first, to whoever may
// read the lead (404 otherwise).
func (s *Server) listFollowUps(c *fiber.Ctx) error { return leadPage(s, c, s.svc.FollowUps) }

// leadPage answers one page of a list that belongs to the route's lead
// (its history, its follow-ups): list is the service's, which answers it
// to whoever may read the lead.
func leadPage[T any](s *Server, c *fiber.Ctx,
	list func(ctx context.Context, me lead.User, id string, limit int, cursor string) ([]T, string, error)) error {
	limit, err := httpx.PageLimit(c)
	if err != nil {
		// A lead the caller may not read is not found, whatever the limit.
		if _, lerr := s.leadFor(c, lead.ActRead); lerr != nil {
			return lerr
		}
		return err
	}
	items, next, err := list(c.UserContext(), httpx.Caller(c), c.Params("id"), limit, c.Query("cursor"))
	if err != nil {
		return err
	}
	return c.JSON(httpx.Page(items, next))
}
