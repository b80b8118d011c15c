package api

import (
	"context"
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/i18n"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
)

// publicRoutes are the routes without a bearer token: the registration
// endpoints, rate-limited per client address and minute (s.guard.Register),
// and unknown invite links limited too (s.guard.Invite). The registration
// page is the console's (console/register.go).
func (s *Server) publicRoutes(app *fiber.App) {
	limit := func(c *fiber.Ctx) error {
		if err := s.guard.Hit(c, s.guard.Register); err != nil {
			return err
		}
		return c.Next()
	}
	// Their problems have words of their own (register.* ids), in the page's language.
	httpx.ProblemWords("/api/v1/register", "register.")
	app.Post("/api/v1/register/:invite", limit, s.register)
	app.Post("/api/v1/register", limit, s.register)
}

// register takes a registration from the public web form or a rep's invite
// link (service.Register). The answer names bad fields so the customer can
// correct them, and otherwise says only that the registration was received
// or refused.
func (s *Server) register(c *fiber.Ctx) error {
	in := service.RegisterInput{IP: s.guard.IP(c)}
	if err := httpx.DecodeJSON(c, &in.Registration); err != nil {
		return err
	}
	if tok := c.Params("invite"); tok != "" {
		in.Inviter = func(context.Context) (lead.User, error) { return s.guard.Inviter(c, s.svc, tok) }
	}
	err := s.svc.Register(c.UserContext(), idempotencyKey(c), in)
	if errors.Is(err, service.ErrRegistrationRefused) {
		// A fraud check refused it: say so without saying which.
		return &httpx.ProblemError{P: Problem{Status: fiber.StatusUnprocessableEntity, Code: "registration_refused",
			Title: "your registration could not be accepted", Detail: "please contact us by phone or e-mail"}}
	}
	if err != nil {
		return err
	}
	// The same message whatever happened to the lead (pooled, assigned,
	// merged), so it reveals nothing about the pipeline; in the page's language.
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"status": "received",
		"message": i18n.T(httpx.ProblemLanguage(c), "register.received")})
}

// invite answers the caller's invite link.
func (s *Server) invite(c *fiber.Ctx) error {
	link, err := s.svc.MyInviteLink(c.UserContext(), httpx.Caller(c))
	if err != nil {
		return err
	}
	return c.JSON(link)
}

// rotateInvite replaces the caller's invite link; the old one stops working.
func (s *Server) rotateInvite(c *fiber.Ctx) error {
	link, err := s.svc.RotateInviteLink(c.UserContext(), httpx.Caller(c))
	if err != nil {
		return err
	}
	return c.JSON(link)
}

// duplicatePolicies answers the duplicate policy of every source.
func (s *Server) duplicatePolicies(c *fiber.Ctx) error {
	p, err := s.svc.DuplicatePolicies(c.UserContext(), httpx.Caller(c))
	if err != nil {
		return err
	}
	return c.JSON(p)
}

// putDuplicatePolicies sets the policies of the API, manual and import
// sources (service.SetDuplicatePolicies); the public channels always merge.
func (s *Server) putDuplicatePolicies(c *fiber.Ctx) error {
	var in map[string]lead.DuplicatePolicy
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	p, err := s.svc.SetDuplicatePolicies(c.UserContext(), httpx.Caller(c), in)
	if err != nil {
		return err
	}
	return c.JSON(p)
}
