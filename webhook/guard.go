// Package webhook is what outbound webhooks need beside the store: the
// payloads, their Standard Webhooks signatures, the secrets, and an HTTP
// client that only reaches public addresses (or those the operator allows).
package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Guard decides which addresses a webhook may be posted to: public ones,
// and the hosts and networks of its allow list
// (LEADFLOW_WEBHOOK_ALLOW_HOSTS). Loopback, link-local (the cloud metadata
// address among them), private, unspecified and multicast addresses are
// refused otherwise.
type Guard struct {
	hosts []string
	nets  []netip.Prefix
	// Resolver looks hosts up; net.DefaultResolver when nil.
	Resolver *net.Resolver
}

// ParseAllow reads an allow list: comma-separated host names, IPs or CIDRs.
func ParseAllow(list string) (Guard, error) {
	var g Guard
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		switch {
		case item == "":
		case strings.Contains(item, "/"):
			p, err := netip.ParsePrefix(item)
			if err != nil {
				return g, fmt.Errorf("webhook allow list: %q is not a CIDR: %w", item, err)
			}
			g.nets = append(g.nets, p.Masked())
		default:
			if a, err := netip.ParseAddr(item); err == nil {
				g.nets = append(g.nets, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			} else {
				g.hosts = append(g.hosts, strings.ToLower(item))
			}
		}
	}
	return g, nil
}

// ErrRefused is the error of an address a webhook may not reach.
var ErrRefused = errors.New("refused")

// allowedIP says why ip may not be reached ("" when it may).
func (g Guard) allowedIP(ip netip.Addr) string {
	ip = ip.Unmap()
	for _, p := range g.nets {
		if p.Contains(ip) {
			return ""
		}
	}
	switch {
	case ip.IsLoopback():
		return "a loopback address"
	case ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast():
		return "a link-local or metadata address"
	case ip.IsPrivate() || isSharedOrMetadata(ip):
		return "a private address"
	case ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast():
		return "not a unicast address"
	}
	return ""
}

// special are networks refused beside those netip names: carrier-grade
// NAT and the metadata addresses some clouds use outside link-local.
var special = []netip.Prefix{
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("fd00:ec2::254/128"),
}

func isSharedOrMetadata(ip netip.Addr) bool {
	for _, p := range special {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// CheckURL checks a subscription's URL: http or https, a host, no
// credentials, and every address the host resolves to reachable. The
// error says what is wrong, for the field url.
func (g Guard) CheckURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("must be an absolute http or https URL")
	}
	if u.User != nil {
		return errors.New("must not carry credentials")
	}
	_, err = g.resolve(ctx, u.Hostname())
	return err
}

// resolve returns the addresses of host when every one of them may be
// reached (a host on the allow list may reach any).
func (g Guard) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		r := g.Resolver
		if r == nil {
			r = net.DefaultResolver
		}
		if addrs, err = r.LookupNetIP(ctx, "ip", host); err != nil || len(addrs) == 0 {
			return nil, fmt.Errorf("%w: the host %s does not resolve", ErrRefused, host)
		}
	}
	for _, h := range g.hosts {
		if h == host {
			return addrs, nil
		}
	}
	for _, a := range addrs {
		if why := g.allowedIP(a); why != "" {
			return nil, fmt.Errorf("%w: %s resolves to %s, %s (see LEADFLOW_WEBHOOK_ALLOW_HOSTS)", ErrRefused, host, a, why)
		}
	}
	return addrs, nil
}

// Client is an HTTP client for deliveries: it dials only the addresses it
// checked when it resolved the host (no second lookup a DNS rebinding could
// answer differently), follows no redirect and gives up after timeout.
func (g Guard) Client(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: timeout}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			addrs, err := g.resolve(ctx, host)
			if err != nil {
				return nil, err
			}
			var last error
			for _, a := range addrs {
				c, err := dialer.DialContext(ctx, network, net.JoinHostPort(a.String(), port))
				if err == nil {
					return c, nil
				}
				last = err
			}
			return nil, last
		},
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       30 * time.Second,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
