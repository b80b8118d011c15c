// Package api is leadflow's REST API (Fiber v2): routes, bearer-token auth,
// RFC 9457 problem+json errors and the OpenAPI document. It reads from the
// store and changes leads only through the Temporal client: every action
// on a lead is an update of the lead's workflow.
package api

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/valyala/fasthttp"
	"go.temporal.io/sdk/client"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/rules"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/web"
)

// Config is what the API needs.
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
	// JSONBodyLimit (uploads, rule sets, option lists) has UploadTimeout
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
}

// Server holds the API's dependencies; its handlers are methods.
type Server struct {
	cfg     Config
	db      *store.DB
	tc      client.Client
	log     *slog.Logger
	metrics *metrics
	proxies proxies // the peers whose X-Forwarded-For is believed
	// svc is every operation, which the handlers call.
	svc *service.Service
	// The limits of a client address: registrations, failed credentials
	// (signInLimit) and unknown invite links; blocks are the addresses this
	// replica refuses for the last two.
	regLimit, signInLimit, inviteLimit limit
	blocks                             blocks
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
		ExportTTL: cfg.ExportTTL, MaxRunningExports: cfg.MaxRunningExports})
	s := &Server{cfg: cfg, db: cfg.Store, tc: cfg.Temporal, log: cfg.Log, metrics: newMetrics(cfg.Registry), proxies: parseProxies(cfg.TrustedProxies), svc: svc,
		regLimit:    limit{"register", cfg.RegisterRateLimit, time.Minute, "too many registrations from your network"},
		signInLimit: limit{"signin", cfg.FailureLimit, cfg.FailureWindow, "too many failed sign-ins from your network"},
		inviteLimit: limit{"invite", cfg.FailureLimit, cfg.FailureWindow, "too many unknown invite links from your network"}}
	app := fiber.New(fiber.Config{
		AppName:               "leadflow",
		ErrorHandler:          s.errorHandler,
		DisableStartupMessage: true,
		// Every string a handler gets from the request (method, params,
		// headers, queries) is its own copy: fasthttp reuses its buffers
		// after the request, and a value kept beyond it (a metric's label,
		// a goroutine's argument) would change under us.
		Immutable: true,
		// Bodies are streamed: limitBody reads each up to its route's limit.
		// BodyLimit is only how much fasthttp buffers before the handler
		// (at most 8 KiB of it); multipart forms are parsed by the handler
		// from the limited body, never by fasthttp up front.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		BodyLimit:                    ImportBodyLimit,
		ReadTimeout:                  cfg.ReadTimeout,
		IdleTimeout:                  cfg.IdleTimeout,
		WriteTimeout:                 60 * time.Second,
	})
	app.Server().HeaderReceived = func(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
		return fasthttp.RequestConfig{ReadTimeout: bodyTimeout(h, cfg)}
	}
	app.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: func(c *fiber.Ctx, e any) {
		s.log.Error("panic in handler", "path", c.Path(), "panic", e)
	}}))
	app.Use(s.observe)
	app.Use(limitBody)

	app.Get("/", securityHeaders, func(c *fiber.Ctx) error {
		c.Type("html", "utf-8")
		return web.RenderHome(c, web.Home{PublicURL: s.cfg.PublicURL})
	})
	app.Get("/healthz", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok"}) })
	app.Get("/readyz", s.readyz)
	s.serveMetrics(app)
	app.Get("/api/v1/openapi.json", openAPI)

	s.publicRoutes(app)
	s.consoleRoutes(app)

	v1 := app.Group("/api/v1", s.authenticate)
	v1.Get("/me", s.me)
	v1.Get("/me/invite", s.invite)
	v1.Post("/me/invite/rotate", s.rotateInvite)
	v1.Post("/me/token", s.rotateMyToken)
	v1.Get("/settings/duplicates", s.gate(service.GateStaff), s.duplicatePolicies)
	v1.Put("/settings/duplicates", s.gate(service.GateAdmin), s.putDuplicatePolicies)
	v1.Post("/users", s.gate(service.GateAdmin), s.createUser)
	v1.Get("/users", s.gate(service.GateStaff), s.listUsers)
	v1.Get("/users/:id", s.getUser)
	v1.Post("/users/:id/token", s.gate(service.GateAdmin), s.rotateToken)
	v1.Post("/users/:id/sign-in-link", s.gate(service.GateAdmin), s.signInLink)

	v1.Post("/leads", s.createLead)
	v1.Get("/leads", s.listLeads)
	v1.Get("/leads/:id", s.getLead)
	v1.Get("/leads/:id/history", s.leadHistory)
	s.optionRoutes(v1)
	s.routeRules(v1)
	s.routePools(v1)
	s.routeActions(v1)
	s.routeFollowUps(v1)
	s.routeCustomers(v1)
	s.routeFields(v1)
	s.routeNotifications(v1)
	s.routeImports(v1)
	s.routeExports(v1)
	s.routeReports(v1)

	app.Use(func(c *fiber.Ctx) error {
		return problem(c, fiber.StatusNotFound, "not_found", "no such endpoint", c.Method()+" "+c.Path()+" does not exist")
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

// errorHandler turns every error a handler returns into problem+json.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	p := s.problemOf(c, err)
	if isRegistration(c) {
		localize(c, &p)
	}
	return writeProblem(c, p)
}

// problemOf is the problem an error is answered with.
func (s *Server) problemOf(c *fiber.Ctx, err error) Problem {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		code := "http_error"
		switch fe.Code {
		case fiber.StatusNotFound:
			code = "not_found"
		case fiber.StatusMethodNotAllowed:
			code = "method_not_allowed"
		case fiber.StatusRequestEntityTooLarge:
			code = "too_large"
		case fiber.StatusBadRequest:
			code = "bad_request"
		case fiber.StatusRequestTimeout:
			code = "request_timeout"
		}
		return Problem{Status: fe.Code, Code: code, Title: fe.Message}
	}
	var ce rules.CompileErrors
	if errors.As(err, &ce) {
		err = compileProblem(ce)
	}
	var pe *problemError
	if errors.As(err, &pe) {
		return pe.p
	}
	var rl *rateLimited
	if errors.As(err, &rl) {
		return rl.problem(c)
	}
	var le *lead.Error
	if errors.As(err, &le) {
		return domainProblem(c, le)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return Problem{Status: fiber.StatusServiceUnavailable, Code: "unavailable", Title: "the service did not answer in time", Detail: "try again"}
	}
	if store.IsUnavailable(err) {
		// PostgreSQL went away during the request (a restart): nothing was
		// answered as done, so the same request may be sent again.
		s.log.Warn("database unavailable", "method", c.Method(), "path", c.Path(), "err", err)
		return domainProblem(c, lead.Errorf(lead.CodeUnavailable, "the database is unavailable; try again in a moment"))
	}
	s.log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
	return Problem{Status: fiber.StatusInternalServerError, Code: "internal", Title: "internal error", Detail: "the error was logged"}
}
