package httpx

import "github.com/gofiber/fiber/v2"

// SecurityHeaders is set on every HTML page: no inline scripts or styles,
// no framing, no sniffing, no referrer beyond the origin.
func SecurityHeaders(c *fiber.Ctx) error {
	SetSecurityHeaders(c)
	return c.Next()
}

// SetSecurityHeaders sets SecurityHeaders' headers on c's answer, for an
// HTML page answered outside a route (the console's error pages).
func SetSecurityHeaders(c *fiber.Ctx) {
	c.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", "same-origin")
}
