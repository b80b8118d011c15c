//go:build !slim

package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/leadflow/leadflow/httpx"
)

// roundRobin is the small reverse proxy of `leadflow dev -cluster`: each
// request goes to the next API process in turn. A process that refuses the
// connection (stopped, killed) is skipped for the next one: nothing of the
// request has been sent then, so no write can happen twice.
type roundRobin struct {
	backends []string // host:port of each API process
	next     atomic.Uint64
	trusted  httpx.Proxies // peers whose X-Forwarded-For is passed on
	log      *slog.Logger
}

// handler is the proxy's http.Handler.
func (rr *roundRobin) handler() http.Handler {
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        512,
		MaxIdleConnsPerHost: 256,
		IdleConnTimeout:     90 * time.Second,
		// The backend a request was given first; on a refused connection
		// the next ones in turn.
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			first := rr.index(addr)
			var err error
			for i := range rr.backends {
				b := rr.backends[(first+i)%len(rr.backends)]
				var c net.Conn
				if c, err = dialer.DialContext(ctx, network, b); err == nil {
					return c, nil
				}
				if ctx.Err() != nil {
					break
				}
			}
			return nil, err
		},
	}
	return &httputil.ReverseProxy{
		Transport: transport,
		Rewrite: func(r *httputil.ProxyRequest) {
			target := rr.backends[int(rr.next.Add(1)-1)%len(rr.backends)]
			r.SetURL(&url.URL{Scheme: "http", Host: target})
			r.Out.Host = r.In.Host // the public URL's host, as a single API would see it
			// A client's own X-Forwarded-For counts only when it is a
			// proxy the installation trusts (LEADFLOW_TRUSTED_PROXIES),
			// as for a single API; the APIs trust this proxy.
			if peer, err := netip.ParseAddrPort(r.In.RemoteAddr); err == nil && rr.trusted.Trusted(peer.Addr()) {
				r.Out.Header["X-Forwarded-For"] = r.In.Header["X-Forwarded-For"]
			}
			r.SetXForwarded()
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if !errors.Is(err, context.Canceled) {
				rr.log.Warn("cluster proxy: no API answered", "method", r.Method, "path", r.URL.Path, "err", err)
			}
			w.Header().Set("Content-Type", "application/problem+json")
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte(`{"type":"about:blank","title":"Bad Gateway","status":502,"detail":"no API process answered"}`))
		},
	}
}

// index is the position of backend addr, 0 when it is not one.
func (rr *roundRobin) index(addr string) int {
	for i, b := range rr.backends {
		if b == addr {
			return i
		}
	}
	return 0
}
