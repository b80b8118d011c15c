package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
)

// tokenPrefix marks leadflow API tokens so they are easy to spot in logs and secret scanners.
const tokenPrefix = service.TokenPrefix

// NewToken returns a fresh API token and the hash to store; the token
// itself is shown once and never stored (service.NewToken).
func NewToken() (token string, hash []byte) { return service.NewToken() }

// HashToken is the stored form of a token (service.HashToken).
func HashToken(token string) []byte { return service.HashToken(token) }

// authenticate resolves the bearer token to a user and stores it in Locals.
func (s *Server) authenticate(c *fiber.Ctx) error {
	scheme, token, ok := strings.Cut(c.Get(fiber.HeaderAuthorization), " ")
	if token = strings.TrimSpace(token); !ok || !strings.EqualFold(scheme, "Bearer") || !strings.HasPrefix(token, tokenPrefix) {
		return lead.Errorf(lead.CodeUnauthorized, "a bearer token is required: Authorization: Bearer lf_...")
	}
	u, err := s.guard.UserOfToken(c, token)
	if lead.ErrorCode(err) == lead.CodeNotFound {
		return lead.Errorf(lead.CodeUnauthorized, "the token is not valid or its user is inactive")
	}
	if err != nil {
		return err
	}
	httpx.SetCaller(c, u)
	return c.Next()
}

// gate lets only the roles of service gate g through (service.Gates).
func (s *Server) gate(g service.Gate) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := service.Allowed(httpx.Caller(c), g); err != nil {
			return err
		}
		return c.Next()
	}
}
