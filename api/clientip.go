package api

import (
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// proxies are the peers whose X-Forwarded-For is believed.
type proxies []netip.Prefix

// parseProxies reads LEADFLOW_TRUSTED_PROXIES entries (IPs or CIDRs);
// ParseTrustedProxies has checked them.
func parseProxies(entries []string) proxies {
	var out proxies
	for _, e := range entries {
		if p, err := netip.ParsePrefix(e); err == nil {
			out = append(out, p.Masked())
		} else if a, err := netip.ParseAddr(e); err == nil {
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
		}
	}
	return out
}

func (ps proxies) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientIP is the address a request comes from: the peer, or, when the
// peer is a trusted proxy, the rightmost address of X-Forwarded-For that
// is not a trusted proxy. Proxies append to the header, so whatever a
// client wrote at its front is never believed; when every address is a
// trusted proxy, the leftmost one is the client.
func clientIP(peer netip.Addr, forwarded string, ps proxies) string {
	peer = peer.Unmap()
	if !ps.trusted(peer) || strings.TrimSpace(forwarded) == "" {
		return peer.String()
	}
	hops := strings.Split(forwarded, ",")
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a malformed hop: nothing left of it can be believed
		}
		client = a.Unmap()
		if !ps.trusted(client) {
			break
		}
	}
	return client.String()
}

// ip is the client address of the request (see clientIP).
func (s *Server) ip(c *fiber.Ctx) string {
	peer, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok {
		return c.Context().RemoteIP().String()
	}
	return clientIP(peer, c.Get(fiber.HeaderXForwardedFor), s.proxies)
}

// address is the client of the request as the limits count clients: see
// addressOf.
func (s *Server) address(c *fiber.Ctx) string { return addressOf(s.ip(c)) }

// addressOf is what the limits count a client by (connections, failed
// sign-ins, registrations): its IPv4 address, or the /64 network of its
// IPv6 address, since a subscriber is handed a whole /64 and may send from
// any address in it.
func addressOf(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	if a = a.Unmap(); a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64) // never fails for an IPv6 address
	return p.String()
}
