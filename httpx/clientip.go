package httpx

import (
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Proxies are the peers whose X-Forwarded-For is believed.
type Proxies []netip.Prefix

// ParseProxies reads LEADFLOW_TRUSTED_PROXIES entries (IPs or CIDRs);
// ParseTrustedProxies has checked them.
func ParseProxies(entries []string) Proxies {
	var out Proxies
	for _, e := range entries {
		if p, err := netip.ParsePrefix(e); err == nil {
			out = append(out, p.Masked())
		} else if a, err := netip.ParseAddr(e); err == nil {
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
		}
	}
	return out
}

// Trusted reports whether a is a trusted proxy.
func (ps Proxies) Trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientIP is the address a request comes from: the peer, or, when the
// peer is a trusted proxy, the rightmost address of X-Forwarded-For that
// is not a trusted proxy. Proxies append to the header, so whatever a
// client wrote at its front is never believed; when every address is a
// trusted proxy, the leftmost one is the client.
func ClientIP(peer netip.Addr, forwarded string, ps Proxies) string {
	peer = peer.Unmap()
	if !ps.Trusted(peer) || strings.TrimSpace(forwarded) == "" {
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
		if !ps.Trusted(client) {
			break
		}
	}
	return client.String()
}

// AddressOf is what the limits count a client by (connections, failed
// sign-ins, registrations): its IPv4 address, or the /64 network of its
// IPv6 address, since a subscriber is handed a whole /64 and may send from
// any address in it.
func AddressOf(ip string) string {
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

// IP is the client address of the request (see ClientIP).
func IP(c *fiber.Ctx, ps Proxies) string {
	peer, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok {
		return c.Context().RemoteIP().String()
	}
	return ClientIP(peer, c.Get(fiber.HeaderXForwardedFor), ps)
}

// ParseTrustedProxies splits LEADFLOW_TRUSTED_PROXIES (comma-separated IPs
// or CIDRs) and checks each entry.
func ParseTrustedProxies(v string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				return nil, fmt.Errorf("LEADFLOW_TRUSTED_PROXIES: %q is neither an IP nor a CIDR", p)
			}
		}
		out = append(out, p)
	}
	return out, nil
}
