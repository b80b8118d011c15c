package api_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/api"
	"github.com/leadflow/leadflow/server"
)

// serve serves an app of cfg (no database: the tests here ask only
// /healthz and routes that refuse before it) on a loopback listener
// wrapped by LimitConns, as `leadflow api` does, and returns its address.
func serve(t *testing.T, cfg server.Config) string {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	app := server.New(cfg)
	go func() { _ = app.Listener(server.LimitConns(ln, cfg)) }()
	t.Cleanup(func() { _ = app.ShutdownWithTimeout(time.Second) })
	return ln.Addr().String()
}

// rawConn is a client connection that writes what it is told, when it is told.
type rawConn struct {
	t *testing.T
	net.Conn
	r *bufio.Reader
}

func dial(t *testing.T, addr string) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp4", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &rawConn{t: t, Conn: c, r: bufio.NewReader(c)}
}

func (c *rawConn) send(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.Conn, s); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// answer reads the next answer, waiting at most wait for it.
func (c *rawConn) answer(wait time.Duration) (*http.Response, []byte) {
	c.t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(wait))
	res, err := http.ReadResponse(c.r, nil)
	if err != nil {
		c.t.Fatalf("no answer within %v: %v", wait, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("answer's body: %v", err)
	}
	return res, b
}

// closed reports whether the server closes the connection within wait.
func (c *rawConn) closed(wait time.Duration) bool {
	_ = c.SetReadDeadline(time.Now().Add(wait))
	_, err := c.r.ReadByte()
	return errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || (err != nil && strings.Contains(err.Error(), "reset"))
}

func problemCode(t *testing.T, res *http.Response, body []byte) string {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("answer %d of type %q: %s", res.StatusCode, ct, body)
	}
	var p api.Problem
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("problem %s: %v", body, err)
	}
	return p.Code
}

const healthz = "GET /healthz HTTP/1.1\r\nHost: leadflow\r\n\r\n"

// TestConnectionsPerAddress (issue 23, item 9): an address holds at most
// MaxConnsPerAddr connections, served or half-sent; one more is answered
// 429 and closed, and a closed one frees its place. A trusted proxy's
// connections are not counted.
func TestConnectionsPerAddress(t *testing.T) {
	addr := serve(t, server.Config{MaxConnsPerAddr: 3, ReadTimeout: 10 * time.Second})
	held := make([]*rawConn, 3)
	for i := range held {
		held[i] = dial(t, addr)
		held[i].send("GET /healthz HTTP/1.1\r\nHost: leadflow\r\n") // half-sent
	}
	extra := dial(t, addr)
	res, body := extra.answer(3 * time.Second)
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" || problemCode(t, res, body) != "rate_limited" {
		t.Fatalf("a fourth connection: %d %v %s", res.StatusCode, res.Header, body)
	}
	if !extra.closed(3 * time.Second) {
		t.Fatal("the refused connection stays open")
	}

	// The held connections are served when they finish their requests.
	held[0].send("\r\n")
	if res, body := held[0].answer(3 * time.Second); res.StatusCode != http.StatusOK {
		t.Fatalf("a held connection: %d %s", res.StatusCode, body)
	}
	// Closing one gives its place to the next connection.
	_ = held[1].Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c := dial(t, addr)
		c.send(healthz)
		res, body := c.answer(3 * time.Second)
		if res.StatusCode == http.StatusOK {
			break
		}
		if res.StatusCode != http.StatusTooManyRequests || time.Now().After(deadline) {
			t.Fatalf("after a connection closed: %d %s", res.StatusCode, body)
		}
		time.Sleep(20 * time.Millisecond)
	}

	// Behind a trusted proxy, the proxy limits its clients: its own
	// connections are not counted.
	proxied := serve(t, server.Config{MaxConnsPerAddr: 1, TrustedProxies: []string{"127.0.0.1"}})
	conns := []*rawConn{dial(t, proxied), dial(t, proxied), dial(t, proxied)}
	for i, c := range conns {
		c.send(healthz)
		if res, body := c.answer(3 * time.Second); res.StatusCode != http.StatusOK {
			t.Fatalf("proxy connection %d: %d %s", i, res.StatusCode, body)
		}
	}
}

// TestSlowRequestsAreClosed (issue 23, item 9): a request whose headers or
// body do not arrive within ReadTimeout is answered 408 and its connection
// closed, as is a kept-alive connection idle for IdleTimeout; an upload
// route's body has UploadTimeout.
func TestSlowRequestsAreClosed(t *testing.T) {
	addr := serve(t, server.Config{ReadTimeout: 300 * time.Millisecond, IdleTimeout: 300 * time.Millisecond,
		UploadTimeout: 3 * time.Second})
	const wait = 2 * time.Second // far under the old 60 seconds

	headers := dial(t, addr)
	headers.send("GET /healthz HTTP/1.1\r\nHost: leadflow\r\nX-Slow: ")
	res, body := headers.answer(wait)
	if res.StatusCode != http.StatusRequestTimeout || problemCode(t, res, body) != "request_timeout" || !headers.closed(wait) {
		t.Fatalf("half-sent headers: %d %s", res.StatusCode, body)
	}

	// A short body is read by the server before any handler, a longer one
	// streamed by limitBody (past the first 8 KiB): both are held to it.
	// (limitBody drains the sender for up to 2 seconds before it closes.)
	for _, sent := range []int{5, 9000} {
		slowBody := dial(t, addr)
		slowBody.send("POST /healthz HTTP/1.1\r\nHost: leadflow\r\nContent-Type: application/json\r\nContent-Length: 20000\r\n\r\n" +
			strings.Repeat(" ", sent))
		res, body = slowBody.answer(wait)
		if res.StatusCode != http.StatusRequestTimeout || problemCode(t, res, body) != "request_timeout" || !slowBody.closed(wait+2*time.Second) {
			t.Fatalf("a body half-sent after %d bytes: %d %s", sent, res.StatusCode, body)
		}
	}

	idle := dial(t, addr)
	idle.send(healthz)
	if res, body := idle.answer(wait); res.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %d %s", res.StatusCode, body)
	}
	if !idle.closed(wait) {
		t.Fatal("an idle kept-alive connection stays open")
	}

	// An upload's body may take longer than ReadTimeout: this one reaches
	// the route (which wants a token) after a second.
	upload := dial(t, addr)
	upload.send("POST /api/v1/imports HTTP/1.1\r\nHost: leadflow\r\nContent-Type: text/csv\r\nContent-Length: 20\r\n\r\n")
	for range 4 {
		time.Sleep(250 * time.Millisecond)
		upload.send("a,b,c")
	}
	if res, body := upload.answer(wait); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a slow upload within UploadTimeout: %d %s", res.StatusCode, body)
	}
}
