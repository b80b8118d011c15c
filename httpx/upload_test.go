package httpx

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// sheetApp is an app with one route that reads the request body as an
// uploaded file named by the query, the way ReadUpload does.
func sheetApp() *fiber.App {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	app := fiber.New(fiber.Config{ErrorHandler: func(c *fiber.Ctx, err error) error {
		return WriteProblem(c, ProblemOf(log, c, err))
	}})
	app.Post("/", func(c *fiber.Ctx) error {
		t, err := ReadSheet(c, c.Query("name"), c.Body())
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"rows": len(t.Rows)})
	})
	return app
}

// declaredBomb is an XLSX whose shared strings declare 400 MB.
func declaredBomb(t *testing.T) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/sharedStrings.xml", Method: zip.Deflate,
		CompressedSize64: 2, UncompressedSize64: 400 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte{3, 0}); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestImportRefusalsSheetProblems: a refused file is a problem naming the
// field file: 413 over a limit, 422 unreadable, 503 with Retry-After when
// every parse slot stays taken.
func TestImportRefusalsSheetProblems(t *testing.T) {
	app := sheetApp()
	post := func(name string, body []byte) (int, string, Problem) {
		t.Helper()
		res, err := app.Test(httptest.NewRequest("POST", "/?name="+name, bytes.NewReader(body)), -1)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var p Problem
		if res.StatusCode != fiber.StatusOK {
			if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("%s: content type %q", name, ct)
			}
			if err := json.NewDecoder(res.Body).Decode(&p); err != nil {
				t.Fatal(err)
			}
		}
		return res.StatusCode, res.Header.Get("Retry-After"), p
	}
	names := func(p Problem, frag string) bool {
		return len(p.Errors) == 1 && p.Errors[0].Field == "file" && strings.Contains(p.Errors[0].Reason, frag)
	}
	if st, _, p := post("bomb.xlsx", declaredBomb(t)); st != 413 || p.Code != "too_large" || !names(p, "unpacks to more than 128 MB") {
		t.Errorf("bomb: %d %+v", st, p)
	}
	wide := "company,phone\na,1\n" + strings.Repeat("v,", 300) + "\n"
	if st, _, p := post("wide.csv", []byte(wide)); st != 413 || !names(p, "row 3 has 300 columns") {
		t.Errorf("wide: %d %+v", st, p)
	}
	if st, _, p := post("a.xlsx", []byte("PK\x03\x04garbage")); st != 422 || p.Code != "invalid" || !names(p, "not a readable XLSX") {
		t.Errorf("garbage: %d %+v", st, p)
	}
	if st, _, p := post("a.csv", []byte("company,phone\nAcme,1\n")); st != 200 {
		t.Errorf("a good file: %d %+v", st, p)
	}

	// Every slot taken and no time to wait: 503 with Retry-After.
	old := parses
	parses = &parseLimiter{slots: make(chan struct{}, maxParses)}
	t.Cleanup(func() { parses = old })
	for range maxParses {
		parses.slots <- struct{}{}
	}
	if st, retry, p := post("a.csv", []byte("company,phone\nAcme,1\n")); st != 503 || retry != "5" || p.Code != "unavailable" {
		t.Errorf("busy: %d retry %q %+v", st, retry, p)
	}
	parses.release()
	if st, _, p := post("a.csv", []byte("company,phone\nAcme,1\n")); st != 200 || len(parses.slots) != maxParses-1 {
		t.Errorf("a slot free: %d %+v, %d slots taken", st, p, len(parses.slots))
	}
}
