package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/service"
)

// teamInput is the body of POST /teams.
type teamInput struct {
	Name string `json:"name"`
}

func (s *Server) createTeam(c *fiber.Ctx) error {
	var in teamInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	created, err := s.svc.CreateTeam(c.UserContext(), httpx.Caller(c), in.Name)
	if err != nil {
		return err
	}
	c.Location("/api/v1/teams/" + created.ID)
	return c.Status(fiber.StatusCreated).JSON(created)
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
