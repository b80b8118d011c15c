package httpx

import (
	"net/netip"
	"testing"
)

func TestClientIPIsTheRightmostUntrustedHop(t *testing.T) {
	ps := ParseProxies([]string{"10.0.0.0/8", "192.0.2.1"})
	peer := netip.MustParseAddr("10.1.2.3")
	for _, c := range []struct{ peer, xff, want string }{
		{"10.1.2.3", "198.51.100.9", "198.51.100.9"},
		// A client who writes an address at the front escapes nothing.
		{"10.1.2.3", "203.0.113.66, 198.51.100.9", "198.51.100.9"},
		{"10.1.2.3", "203.0.113.66, 198.51.100.9, 192.0.2.1", "198.51.100.9"},
		// Every hop a trusted proxy: the leftmost is the client.
		{"10.1.2.3", "10.9.9.9, 192.0.2.1", "10.9.9.9"},
		// An untrusted peer's header is ignored.
		{"198.51.100.7", "203.0.113.66", "198.51.100.7"},
		// A malformed hop stops the walk at the last good one.
		{"10.1.2.3", "203.0.113.66, junk, 192.0.2.1", "192.0.2.1"},
		{"10.1.2.3", "", "10.1.2.3"},
		{"::ffff:10.1.2.3", "::ffff:198.51.100.9", "198.51.100.9"},
	} {
		peer = netip.MustParseAddr(c.peer)
		if got := ClientIP(peer, c.xff, ps); got != c.want {
			t.Errorf("peer %s, X-Forwarded-For %q: %s, want %s", c.peer, c.xff, got, c.want)
		}
	}
}

func TestLimitsCountIPv6ByItsNetwork(t *testing.T) {
	for ip, want := range map[string]string{
		"198.51.100.9":              "198.51.100.9",
		"2001:db8:1:2:aaaa::1":      "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff:ffff::9": "2001:db8:1:2::/64",
		"2001:db8:1:3::1":           "2001:db8:1:3::/64",
		"::ffff:198.51.100.9":       "198.51.100.9",
		"not an address":            "not an address",
	} {
		if got := AddressOf(ip); got != want {
			t.Errorf("AddressOf(%s) = %s, want %s", ip, got, want)
		}
	}
}
