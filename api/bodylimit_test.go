package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leadflow/leadflow/api"
	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/internal/apptest"
)

// refusedEarly sends head and then up to total bytes of body from a
// goroutine, chunked or not, and reads the answer while the body is still
// being sent. It returns the answer and how much body had been sent when
// the answer came.
func refusedEarly(t *testing.T, addr, head string, total int, chunked bool) (*http.Response, []byte, int64) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	var sent atomic.Int64
	go func() {
		piece := bytes.Repeat([]byte("a"), 32<<10)
		for sent.Load() < int64(total) {
			out := piece
			if chunked {
				out = append([]byte(fmt.Sprintf("%x\r\n", len(piece))), append(piece, "\r\n"...)...)
			}
			if _, err := conn.Write(out); err != nil {
				return
			}
			sent.Add(int64(len(piece)))
		}
	}()
	_ = conn.SetReadDeadline(time.Now().Add(60 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer while the body was being sent (%d bytes sent): %v", sent.Load(), err)
	}
	at := sent.Load()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return resp, body, at
}

// TestBodyLimitRefusesEarly sends 30 MB to the public registration endpoint,
// with Content-Length and chunked without one, over a real connection: the
// answer is 413 naming the 16 KiB limit, and it comes before the body was
// sent, so the server did not read it.
func TestBodyLimitRefusesEarly(t *testing.T) {
	s := apptest.NewStack(t)
	addr := strings.TrimPrefix(s.Served(), "http://")
	const total = 30 << 20
	for _, c := range []struct {
		name    string
		head    string
		chunked bool
	}{
		{"content-length", fmt.Sprintf("POST /api/v1/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", total), false},
		{"chunked", "POST /api/v1/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n", true},
	} {
		resp, body, sent := refusedEarly(t, addr, c.head, total, c.chunked)
		var p api.Problem
		if err := json.Unmarshal(body, &p); err != nil || resp.StatusCode != 413 || p.Code != "too_large" ||
			resp.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(p.Detail, "16 KiB") {
			t.Fatalf("%s: %d %s %s", c.name, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		if sent >= total {
			t.Fatalf("%s: the answer came after the whole body was sent", c.name)
		}
		t.Logf("%s: 413 after %d of %d bytes sent", c.name, sent, total)
	}
}

// TestBodyLimitPerRoute: each route has its limit, named in the 413; a
// compressed body is refused; an import still takes a multi-MB file and a
// rule set more than the JSON limit.
func TestBodyLimitPerRoute(t *testing.T) {
	s := apptest.NewStack(t)
	pad := func(n int) string { return strings.Repeat("x", n) }

	reg := fmt.Sprintf(`{"company":"Big Body Ltd","phone":"13800138000","name":%q}`, pad(httpx.RegisterBodyLimit))
	p := s.Expect(s.Do("POST", "/api/v1/register", "", reg), 413).Problem(t)
	if p.Code != "too_large" || !strings.Contains(p.Detail, "16 KiB (16384 bytes)") {
		t.Fatalf("registration: %+v", p)
	}
	lead := fmt.Sprintf(`{"company":"Big Body Ltd","phone":"13800138000","notes":%q}`, pad(httpx.JSONBodyLimit))
	p = s.Expect(s.Do("POST", "/api/v1/leads", s.Admin, lead), 413).Problem(t)
	if !strings.Contains(p.Detail, "64 KiB") {
		t.Fatalf("lead: %+v", p)
	}
	// Within the limit the same route answers as before.
	s.Expect(s.Do("POST", "/api/v1/leads", s.Admin, fmt.Sprintf(`{"company":"Small Body Ltd","phone":"13800138001","notes":%q}`, pad(1000))), 201)

	// A rule set may be larger than the JSON limit (up to 1 MiB).
	var rules strings.Builder
	rules.WriteString(`{"rules":[`)
	for i := 0; i < 150; i++ {
		if i > 0 {
			rules.WriteString(",")
		}
		fmt.Fprintf(&rules, `{"name":"r%d","when":"lead.company == \"%s\"","message":"refused %d","field":"company"}`, i, pad(500), i)
	}
	rules.WriteString(`]}`)
	if rules.Len() <= httpx.JSONBodyLimit {
		t.Fatalf("the rule set is only %d bytes", rules.Len())
	}
	s.Expect(s.Do("PUT", "/api/v1/rules/validation", s.Admin, rules.String()), 200)

	// Inflating a compressed body would escape the limit.
	p = s.Expect(s.Do("POST", "/api/v1/register", "", `{"company":"Gzip Ltd","phone":"13800138002"}`, "Content-Encoding", "gzip"), 415).Problem(t)
	if p.Code != "unsupported_media_type" {
		t.Fatalf("gzip: %+v", p)
	}

	// A 3 MB CSV (over 40 times the JSON limit) is still previewed.
	var csv bytes.Buffer
	csv.WriteString("company,phone,country,notes\n")
	for i := 0; csv.Len() < 3<<20; i++ {
		fmt.Fprintf(&csv, "Company %d Trading Ltd,1380%07d,CN,%s\n", i, i, pad(60))
	}
	var preview struct{ Rows int }
	s.Expect(s.Upload("/api/v1/imports/preview", s.Admin, "big.csv", csv.Bytes()), 200).JSON(t, &preview)
	if want := strings.Count(csv.String(), "\n") - 1; preview.Rows != want {
		t.Fatalf("preview rows %d, want %d", preview.Rows, want)
	}
	// The console's upload takes the same file as the API's.
	b := s.Browser()
	b.SignIn(s.Admin, "/imports")
	page := s.Expect(b.Get("/imports"), 200)
	if got := b.Upload(page, "/imports/preview", "big.csv", csv.Bytes()); got.Status == 413 {
		t.Fatalf("the console's import preview refused a 3 MB file: %.300s", got.Body)
	}
}

// TestContentTypeStrictJSON: JSON routes take application/json (with
// parameters) and refuse every other type, or none, with 415.
func TestContentTypeStrictJSON(t *testing.T) {
	s := apptest.NewStack(t)
	body := `{"company":"Typed Widgets Ltd","phone":"13800138010"}`
	send := func(path, token, ct string) apptest.Response {
		req := httptest.NewRequest("POST", path, strings.NewReader(body))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return s.Send(req, []byte(body))
	}
	for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "application/json-patch+json", "text/json", "multipart/form-data; boundary=x"} {
		for _, path := range []string{"/api/v1/leads", "/api/v1/register"} {
			p := s.Expect(send(path, s.Admin, ct), 415).Problem(t)
			if p.Code != "unsupported_media_type" || !strings.Contains(p.Detail, "got ") {
				t.Fatalf("%s as %q: %+v", path, ct, p)
			}
		}
	}
	s.Expect(send("/api/v1/leads", s.Admin, "Application/JSON; charset=utf-8"), 201)
}
