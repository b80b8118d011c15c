package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/service"
)

func (s *Server) createTeam(c *fiber.Ctx) error {
	var in service.TeamInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	created, err := s.svc.NewTeam(c.UserContext(), httpx.Caller(c), in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/teams/" + created.ID)
	return c.Status(fiber.StatusCreated).JSON(created)
}

func (s *Server) patchTeam(c *fiber.Ctx) error {
	var in service.TeamChange
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	t, err := s.svc.UpdateTeam(c.UserContext(), httpx.Caller(c), c.Params("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(t)
}

func (s *Server) listTeams(c *fiber.Ctx) error {
	limit, err := httpx.PageLimit(c)
	if err != nil {
		return err
	}
	teams, next, err := s.svc.Teams(c.UserContext(), httpx.Caller(c), limit, c.Query("cursor"))
	if err != nil {
		return err
	}
	return c.JSON(httpx.Page(teams, next))
}

// patchUser changes a user (service.UpdateUser). Admins may change any
// field of anyone; every user may set their own away flag, and nothing
// else. Another user's id is refused before the body is read.
func (s *Server) patchUser(c *fiber.Ctx) error {
	if err := service.OtherUserErr(httpx.Caller(c), c.Params("id")); err != nil {
		return err
	}
	var b service.UserChange
	if err := httpx.DecodeJSON(c, &b); err != nil {
		return err
	}
	u, err := s.svc.UpdateUser(c.UserContext(), httpx.Caller(c), c.Params("id"), b)
	if err != nil {
		return err
	}
	return c.JSON(u)
}
