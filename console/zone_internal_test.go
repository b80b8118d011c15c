package console

import (
	"io"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/web"
)

// TestListDatesInTheReadersZone: a list's date filters are days of the
// reader's zone, not of UTC.
func TestListDatesInTheReadersZone(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New()
	app.Get("/", func(c *fiber.Ctx) error {
		c.Locals(localeKey{}, web.Locale{Lang: "en", Zone: shanghai})
		get := inZone(c, "created_from", "created_to")
		return c.SendString(get("created_from") + "|" + get("created_to") + "|" + get("q"))
	})
	res, err := app.Test(httptest.NewRequest("GET", "/?created_from=2026-01-31&created_to=2026-02-01T10:00:00Z&q=2026-01-31", nil))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	if got, want := string(b), "2026-01-31T00:00:00+08:00|2026-02-01T10:00:00Z|2026-01-31"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
