package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
)

func (s *Server) createUser(c *fiber.Ctx) error {
	var in service.UserInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	created, err := s.svc.CreateUser(c.UserContext(), httpx.Caller(c), in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/users/" + created.ID)
	return c.Status(fiber.StatusCreated).JSON(created)
}

func (s *Server) listUsers(c *fiber.Ctx) error {
	limit, err := httpx.PageLimit(c)
	if err != nil {
		return err
	}
	users, next, err := s.svc.Users(c.UserContext(), httpx.Caller(c), limit, c.Query("cursor"))
	if err != nil {
		return err
	}
	return c.JSON(httpx.Page(users, next))
}

func (s *Server) getUser(c *fiber.Ctx) error {
	u, err := s.svc.User(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(u)
}

// tokenInput is the optional body of a token rotation.
type tokenInput struct {
	// ExpiresIn makes the new token stop working after that long ("90d").
	ExpiresIn *lead.Duration `json:"expires_in"`
}

// rotateToken gives a user a new API token (an admin for anyone), shown once.
func (s *Server) rotateToken(c *fiber.Ctx) error { return s.newToken(c, c.Params("id")) }

// rotateMyToken gives the caller a new API token; the old one stops working.
func (s *Server) rotateMyToken(c *fiber.Ctx) error { return s.newToken(c, httpx.Caller(c).ID) }

func (s *Server) newToken(c *fiber.Ctx, userID string) error {
	var in tokenInput
	if err := actionBody(c, &in); err != nil {
		return err
	}
	out, err := s.svc.RotateToken(c.UserContext(), httpx.Caller(c), userID, in.ExpiresIn)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Server) me(c *fiber.Ctx) error { return c.JSON(httpx.Caller(c)) }

// patchMe changes the caller's own language and time zone.
func (s *Server) patchMe(c *fiber.Ctx) error {
	var in service.MeChange
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	u, err := s.svc.UpdateMe(c.UserContext(), httpx.Caller(c), in)
	if err != nil {
		return err
	}
	return c.JSON(u)
}

// signInLink answers POST /api/v1/users/{id}/sign-in-link (admins): a
// one-time link that signs the user in to the console.
func (s *Server) signInLink(c *fiber.Ctx) error {
	link, expires, err := s.svc.SignInLink(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"url": link, "expires_at": expires})
}
