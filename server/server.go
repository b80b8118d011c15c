// Package server assembles leadflow's Fiber app: the server's settings
// (timeouts, streamed and limited bodies), recovery from panics, the
// request metrics, the health, readiness, metrics and OpenAPI routes, the
// two faces' routes (api/: JSON, console/: HTML) and the 404. It holds no
// handler of a face and no operation: those are the faces' and the
// service's.
package server

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/valyala/fasthttp"
	"go.temporal.io/sdk/client"

	"github.com/leadflow/leadflow/api"
	"github.com/leadflow/leadflow/console"
	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/webhook"
)

// Config is what the app needs.
type Config struct {
	Store    *store.DB
	Temporal client.Client
	Log      *slog.Logger
	// PublicURL is the base URL users reach the service at, for links.
	PublicURL string
	// TrustedProxies are the peers whose X-Forwarded-For is believed (IPs or CIDRs).
	TrustedProxies []string
	// UpdateTimeout bounds how long an action waits for the lead's workflow.
	UpdateTimeout time.Duration
	// RegisterRateLimit is how many public registrations one client
	// address (see addressOf) may send a minute (default 20).
	RegisterRateLimit int
	// FailureLimit is how many failed credentials (bearer tokens, tokens
	// pasted on /login, sign-in codes) and, counted apart, unknown invite
	// links one client address may send in a FailureWindow (default 20 in
	// 15 minutes); beyond it the address is answered 429 until the window
	// ends.
	FailureLimit  int
	FailureWindow time.Duration
	// ReadTimeout is how long a client may take to send a request, headers
	// and body, from the connection's opening or the request's first byte
	// (default 10 seconds). The body of a route that takes more than
	// httpx.JSONBodyLimit (uploads, rule sets, option lists) has UploadTimeout
	// from the end of its headers instead (default 5 minutes). IdleTimeout
	// is how long a kept-alive connection waits for its next request
	// (default 30 seconds).
	ReadTimeout, UploadTimeout, IdleTimeout time.Duration
	// MaxConnsPerAddr is how many connections one client address may hold
	// open at once (default 100; negative: no limit). LimitConns applies it.
	MaxConnsPerAddr int
	// MetricsAddr, when set, serves /metrics there (an internal address)
	// instead of beside the API.
	MetricsAddr string
	// Registry holds the process's metrics, which /metrics serves beside the
	// API's own (the worker's and the Temporal SDK's in `leadflow dev`); a
	// registry of its own when nil.
	Registry *prometheus.Registry
	// ExportTTL is how long an export's file is kept (default 7 days);
	// MaxRunningExports how many exports one user may have running (default 2).
	ExportTTL         time.Duration
	MaxRunningExports int
	// TimeZone is the default zone of users (service.Config.TimeZone).
	TimeZone *time.Location
	// InviteKey is the secret invite links are derived from (see
	// store.InviteToken); the same on every replica and across restarts.
	// When empty a random key is used: links keep working, but after a
	// restart reps are shown a new link beside the old one.
	InviteKey []byte
	// MinPolicyDuration is the shortest timer a pool policy may set
	// (default lead.DefaultMinPolicyDuration).
	MinPolicyDuration time.Duration
	// PreviewBudget bounds one whole rules preview (default
	// service.DefaultPreviewBudget); a preview that runs out answers what it judged.
	PreviewBudget time.Duration
	// WebhookGuard says which addresses a webhook URL may resolve to
	// (LEADFLOW_WEBHOOK_ALLOW_HOSTS); public ones only when zero.
	WebhookGuard webhook.Guard
	// Inbox is the providers' webhook credentials (service.InboxConfigFromEnv).
	Inbox service.InboxConfig
}

// Server is what the app's own routes and middleware need.
type Server struct {
	cfg     Config
	db      *store.DB
	tc      client.Client
	log     *slog.Logger
	metrics *metrics
	// consoleError answers an error on a console path as an HTML page.
	consoleError func(*fiber.Ctx, httpx.Problem) error
}

// withDefaults is cfg with the defaults of the settings it leaves at zero.
func (cfg Config) withDefaults() Config {
	def := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	def(&cfg.UpdateTimeout, 30*time.Second)
	def(&cfg.FailureWindow, 15*time.Minute)
	def(&cfg.ReadTimeout, 10*time.Second)
	def(&cfg.UploadTimeout, 5*time.Minute)
	def(&cfg.IdleTimeout, 30*time.Second)
	def(&cfg.ExportTTL, 7*24*time.Hour)
	def(&cfg.MinPolicyDuration, time.Duration(lead.DefaultMinPolicyDuration))
	if cfg.RegisterRateLimit == 0 {
		cfg.RegisterRateLimit = 20
	}
	if cfg.FailureLimit == 0 {
		cfg.FailureLimit = 20
	}
	if cfg.MaxConnsPerAddr == 0 {
		cfg.MaxConnsPerAddr = 100
	}
	if cfg.MaxRunningExports == 0 {
		cfg.MaxRunningExports = 2
	}
	return cfg
}

// New builds the Fiber app with every route. Serve it on a listener
// wrapped by LimitConns.
func New(cfg Config) *fiber.App {
	cfg = cfg.withDefaults()
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if len(cfg.InviteKey) == 0 {
		cfg.InviteKey = make([]byte, 32)
		_, _ = rand.Read(cfg.InviteKey) // crypto/rand.Read never fails on supported platforms
	}
	svc := service.New(cfg.Store, cfg.Temporal, cfg.Log, service.Config{UpdateTimeout: cfg.UpdateTimeout,
		PreviewBudget: cfg.PreviewBudget, MinPolicyDuration: cfg.MinPolicyDuration, PublicURL: cfg.PublicURL,
		ExportTTL: cfg.ExportTTL, MaxRunningExports: cfg.MaxRunningExports, InviteKey: cfg.InviteKey, TimeZone: cfg.TimeZone,
		WebhookGuard: cfg.WebhookGuard, Inbox: cfg.Inbox})
	guard := httpx.NewGuard(cfg.Store, cfg.TrustedProxies, cfg.RegisterRateLimit, cfg.FailureLimit, cfg.FailureWindow)
	s := &Server{cfg: cfg, db: cfg.Store, tc: cfg.Temporal, log: cfg.Log, metrics: newMetrics(cfg.Registry)}
	app := fiber.New(fiber.Config{
		AppName:               "leadflow",
		ErrorHandler:          s.errorHandler,
		DisableStartupMessage: true,
		// Every string a handler gets from the request (method, params,
		// headers, queries) is its own copy: fasthttp reuses its buffers
		// after the request, and a value kept beyond it (a metric's label,
		// a goroutine's argument) would change under us.
		Immutable: true,
		// Bodies are streamed: httpx.LimitBody reads each up to its route's limit.
		// BodyLimit is only how much fasthttp buffers before the handler
		// (at most 8 KiB of it); multipart forms are parsed by the handler
		// from the limited body, never by fasthttp up front.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		BodyLimit:                    httpx.ImportBodyLimit,
		ReadTimeout:                  cfg.ReadTimeout,
		IdleTimeout:                  cfg.IdleTimeout,
		WriteTimeout:                 60 * time.Second,
	})
	app.Server().HeaderReceived = func(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
		return fasthttp.RequestConfig{ReadTimeout: httpx.BodyTimeout(h, cfg.UploadTimeout)}
	}
	app.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: func(c *fiber.Ctx, e any) {
		s.log.Error("panic in handler", "path", c.Path(), "panic", e)
	}}))
	app.Use(s.observe)
	app.Use(httpx.LimitBody)

	app.Get("/healthz", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok"}) })
	app.Get("/readyz", s.readyz)
	s.serveMetrics(app)
	app.Get("/api/v1/openapi.json", api.OpenAPI)

	faces := httpx.Deps{Service: svc, Guard: guard, PublicURL: cfg.PublicURL,
		ExportTTL: cfg.ExportTTL, MinPolicyDuration: cfg.MinPolicyDuration}
	console.Routes(app, faces)
	api.Routes(app, faces)
	s.consoleError = console.ErrorPages(faces)

	app.Use(func(c *fiber.Ctx) error {
		if console.Path(c.Path()) {
			return fiber.ErrNotFound // the console's HTML 404 (errorHandler)
		}
		return httpx.Reply(c, fiber.StatusNotFound, "not_found", "no such endpoint", c.Method()+" "+c.Path()+" does not exist")
	})
	return app
}

// readyz checks PostgreSQL and Temporal and says which is unavailable,
// without the error text (it may name hosts and users).
func (s *Server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 3*time.Second)
	defer cancel()
	checks := fiber.Map{}
	ok := true
	check := func(name string, err error) {
		checks[name] = "ok"
		if err != nil {
			// Which dependency failed is public; why is for the logs.
			s.log.Warn("readiness check failed", "dependency", name, "err", err)
			checks[name], ok = "unavailable", false
		}
	}
	check("postgres", s.db.Ping(ctx))
	_, err := s.tc.CheckHealth(ctx, &client.CheckHealthRequest{})
	check("temporal", err)
	if !ok {
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "checks": checks})
	}
	return c.JSON(fiber.Map{"status": "ok", "checks": checks})
}

// errorHandler turns every error a handler returns into problem+json, in
// the client's language; on a console path (console.Path) into the
// console's HTML error page. The transport's refusals (a request too slow,
// too large, or with headers too long: fasthttp answers them before the
// request is routed, or read) are problem+json everywhere.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	p := httpx.ProblemOf(s.log, c, err)
	transport := p.Status == fiber.StatusRequestTimeout || p.Status == fiber.StatusRequestEntityTooLarge ||
		p.Status == fiber.StatusRequestHeaderFieldsTooLarge
	if s.consoleError != nil && console.Path(c.Path()) && !transport {
		return s.consoleError(c, p)
	}
	return httpx.WriteProblem(c, p)
}

// LimitConns wraps the listener the app of New is served on: a client
// address may hold at most cfg.MaxConnsPerAddr connections at once
// (httpx.LimitConns).
func LimitConns(ln net.Listener, cfg Config) net.Listener {
	cfg = cfg.withDefaults()
	return httpx.LimitConns(ln, cfg.MaxConnsPerAddr, cfg.TrustedProxies)
}
