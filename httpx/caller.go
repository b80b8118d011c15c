package httpx

import (
	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/lead"
)

type userKey struct{}

// SetCaller records the authenticated user of the request (a bearer
// token's or a console session's).
func SetCaller(c *fiber.Ctx, u lead.User) { c.Locals(userKey{}, u) }

// Caller is the authenticated user of the request.
func Caller(c *fiber.Ctx) lead.User {
	u, _ := c.Locals(userKey{}).(lead.User)
	return u
}
