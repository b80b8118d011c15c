package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

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
	u, err := s.userOfToken(c, token)
	if lead.ErrorCode(err) == lead.CodeNotFound {
		return lead.Errorf(lead.CodeUnauthorized, "the token is not valid or its user is inactive")
	}
	if err != nil {
		return err
	}
	c.Locals(userKey{}, u)
	return c.Next()
}

// userOfToken is the active user whose API token this is: a bearer token,
// or one pasted on the console's sign-in page. A token of no one counts as
// a failed sign-in of the client's address (s.signInLimit); an address
// that has used those up is refused (*rateLimited) before its token is
// looked at.
func (s *Server) userOfToken(c *fiber.Ctx, token string) (lead.User, error) {
	if err := s.blocked(c, s.signInLimit); err != nil {
		return lead.User{}, err
	}
	u, err := s.db.UserByTokenHash(c.UserContext(), HashToken(token))
	if lead.ErrorCode(err) == lead.CodeNotFound {
		return u, s.failed(c, s.signInLimit, err)
	}
	return u, err
}

type userKey struct{}

// caller is the authenticated user of the request.
func caller(c *fiber.Ctx) lead.User {
	u, _ := c.Locals(userKey{}).(lead.User)
	return u
}

// gate lets only the roles of service gate g through (service.Gates).
func (s *Server) gate(g service.Gate) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := service.Allowed(caller(c), g); err != nil {
			return err
		}
		return c.Next()
	}
}
