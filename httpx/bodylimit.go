package httpx

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// Request body limits. The server streams request bodies (Fiber's
// StreamRequestBody): nothing beyond the first few KiB is read before
// LimitBody has compared the route's limit with Content-Length, and a body
// without one (chunked) is read only up to the limit.
const (
	// RegisterBodyLimit bounds the public registration form.
	RegisterBodyLimit = 16 << 10
	// JSONBodyLimit bounds every other JSON body and console form.
	JSONBodyLimit = 64 << 10
	// LargeJSONBodyLimit bounds rule sets (200 rules of 4,000 characters),
	// option lists and bulk actions (service.MaxBulkLeadIDs ids, about
	// 400 KiB).
	LargeJSONBodyLimit = 1 << 20
	// ImportBodyLimit bounds spreadsheet uploads (a 20 MB file and its form).
	ImportBodyLimit = 32 << 20
)

// bodyLimits are the routes whose limit is not JSONBodyLimit, by method
// and path prefix; the first match wins.
var bodyLimits = []struct {
	method, prefix string
	limit          int
}{
	{fiber.MethodPost, "/api/v1/imports", ImportBodyLimit},
	{fiber.MethodPost, "/api/v1/register", RegisterBodyLimit},
	{"", "/api/v1/rules/", LargeJSONBodyLimit},
	{fiber.MethodPut, "/api/v1/options/", LargeJSONBodyLimit},
	{fiber.MethodPost, "/api/v1/bulk-actions", LargeJSONBodyLimit},
	// A campaign's uploaded attendee list.
	{fiber.MethodPost, "/api/v1/campaigns", ImportBodyLimit},
	// The console's forms of the same things: an upload, a rule set, a list.
	{fiber.MethodPost, "/imports", ImportBodyLimit},
	{fiber.MethodPost, "/rules/", LargeJSONBodyLimit},
	{fiber.MethodPost, "/options/", LargeJSONBodyLimit},
}

// bodyLimitOf returns the largest body a request to this route may send.
func bodyLimitOf(method, path string) int {
	for _, l := range bodyLimits {
		if (l.method == "" || l.method == method) && strings.HasPrefix(path, l.prefix) {
			return l.limit
		}
	}
	return JSONBodyLimit
}

// LimitBody reads the request body, at most the route's limit of it, before
// any handler sees it. A body declared or found larger is answered 413 at
// once and the connection closed, so the rest of it is never read.
// Compressed bodies are refused: inflating them would escape the limit.
func LimitBody(c *fiber.Ctx) error {
	req := c.Request()
	limit := bodyLimitOf(c.Method(), c.Path())
	if req.Header.ContentLength() > limit {
		return bodyTooLarge(c, limit)
	}
	if ce := strings.TrimSpace(string(req.Header.Peek(fiber.HeaderContentEncoding))); ce != "" && !strings.EqualFold(ce, "identity") {
		lingerClose(c)
		return &ProblemError{Problem{Status: fiber.StatusUnsupportedMediaType, Code: "unsupported_media_type",
			Title: "send the body uncompressed", Detail: "Content-Encoding " + ce + " is not accepted"}}
	}
	if !req.IsBodyStream() {
		if len(req.Body()) > limit {
			return bodyTooLarge(c, limit)
		}
		return c.Next()
	}
	body, err := io.ReadAll(io.LimitReader(req.BodyStream(), int64(limit)+1))
	if ne := net.Error(nil); errors.As(err, &ne) && ne.Timeout() {
		lingerClose(c)
		return &ProblemError{Problem{Status: fiber.StatusRequestTimeout, Code: "request_timeout",
			Title: "the request body was not sent in time", Detail: "send the whole request at once"}}
	}
	if err != nil {
		lingerClose(c)
		return BadRequest("body", "could not be read: "+err.Error())
	}
	if len(body) > limit {
		return bodyTooLarge(c, limit)
	}
	req.SetBodyRaw(body) // closes the stream; handlers read this copy
	return c.Next()
}

// BodyTimeout is the time the body of a request has from the end of its
// headers (Server.HeaderReceived): upload on a route that takes more than
// JSONBodyLimit, else 0, the time left of the app's ReadTimeout, which
// bounds the whole request.
func BodyTimeout(h *fasthttp.RequestHeader, upload time.Duration) time.Duration {
	var u fasthttp.URI
	if err := u.Parse(nil, h.RequestURI()); err != nil {
		return 0
	}
	if bodyLimitOf(string(h.Method()), string(u.PathOriginal())) > JSONBodyLimit {
		return upload
	}
	return 0
}

// bodyTooLarge answers 413 naming the limit and closes the connection: the
// unread rest of the body must not be taken for the next request.
func bodyTooLarge(c *fiber.Ctx, limit int) error {
	lingerClose(c)
	return &ProblemError{Problem{Status: fiber.StatusRequestEntityTooLarge, Code: "too_large",
		Title:  "the request body is too large",
		Detail: fmt.Sprintf("this endpoint takes at most %s (%d bytes)", byteSize(limit), limit)}}
}

// byteSize writes a limit in KiB or MiB.
func byteSize(n int) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

// How long and how much of a refused body lingerClose reads.
const (
	lingerTime  = 2 * time.Second
	lingerBytes = 8 << 20
)

// lingerClose closes the connection once the answer is written, after
// reading and dropping what the client goes on sending for a moment (at
// most lingerTime and lingerBytes). Closed at once, the connection would be
// reset with the client's data unread, and a client still sending its body
// could lose the answer to the reset before reading it.
func lingerClose(c *fiber.Ctx) {
	c.Context().Hijack(func(conn net.Conn) {
		_ = conn.SetReadDeadline(time.Now().Add(lingerTime))
		_, _ = io.CopyN(io.Discard, conn, lingerBytes)
	})
}
