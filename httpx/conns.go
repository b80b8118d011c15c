package httpx

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// LimitConns wraps the listener the app is served on: a client address
// (see AddressOf) may hold at most max connections at once (a negative
// max: no limit), served or half-sent; one more is answered 429 and closed
// before any of it is read. A trusted proxy's connections are not counted:
// behind it, the proxy is what limits its clients' connections.
func LimitConns(ln net.Listener, max int, trustedProxies []string) net.Listener {
	if max < 0 {
		return ln
	}
	return &connLimit{Listener: ln, max: max, proxies: ParseProxies(trustedProxies), open: map[string]int{}}
}

// connLimit counts the open connections of each client address.
type connLimit struct {
	net.Listener
	max     int
	proxies Proxies
	mu      sync.Mutex
	open    map[string]int
}

// Accept returns the next connection whose address has room, and refuses
// the others on the way.
func (l *connLimit) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		addr, counted := l.addressOf(c)
		if !counted {
			return c, nil
		}
		if l.take(addr) {
			return &limitedConn{Conn: c, release: func() { l.release(addr) }}, nil
		}
		go refuseConn(c, l.max)
	}
}

// addressOf is the address a connection counts against, if any: not a
// trusted proxy's, nor one that is not TCP.
func (l *connLimit) addressOf(c net.Conn) (string, bool) {
	ta, ok := c.RemoteAddr().(*net.TCPAddr)
	if !ok {
		return "", false
	}
	a, ok := netip.AddrFromSlice(ta.IP)
	if !ok || l.proxies.Trusted(a) {
		return "", false
	}
	return AddressOf(a.Unmap().String()), true
}

func (l *connLimit) take(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[addr] >= l.max {
		return false
	}
	l.open[addr]++
	return true
}

func (l *connLimit) release(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[addr]--; l.open[addr] <= 0 {
		delete(l.open, addr)
	}
}

// limitedConn gives its address's place back when it closes (once: the
// server may close a connection twice).
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

// Close closes the connection and frees its place.
func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// refuseTime bounds how long a refused connection is kept: to write the
// answer, and to read what the client sends meanwhile, so that closing
// does not reset the connection before the client has read the answer.
const refuseTime = time.Second

// refuseConn answers 429 on a connection over its address's limit and
// closes it.
func refuseConn(c net.Conn, max int) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(refuseTime))
	body, _ := json.Marshal(Problem{Type: "/problems/rate_limited", Status: fiber.StatusTooManyRequests, Code: "rate_limited",
		Title:  "too many connections from your network",
		Detail: fmt.Sprintf("an address may hold %d connections at once; close one, or try again in a moment", max)})
	if _, err := fmt.Fprintf(c, "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/problem+json\r\n"+
		"Retry-After: 5\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s", len(body), body); err != nil {
		return
	}
	if tc, ok := c.(interface{ CloseWrite() error }); ok {
		_ = tc.CloseWrite()
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(c, 64<<10))
}
