package server

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"

	lfmetrics "github.com/leadflow/leadflow/metrics"
)

// metrics are the app's Prometheus metrics, on the process's registry (or
// one of their own, so that several apps (tests) can live in one process).
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(reg *prometheus.Registry) *metrics {
	if reg == nil {
		reg = lfmetrics.NewRegistry()
	}
	m := &metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "leadflow_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "leadflow_http_request_duration_seconds", Help: "HTTP request latency by route and method.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method"}),
	}
	m.reg.MustRegister(m.requests, m.duration)
	return m
}

// observe writes errors as problems first, so the status it counts is the one sent.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	if err := c.Next(); err != nil {
		if err := s.errorHandler(c, err); err != nil {
			return err
		}
	}
	route := c.Route().Path
	s.metrics.requests.WithLabelValues(route, c.Method(), strconv.Itoa(c.Response().StatusCode())).Inc()
	s.metrics.duration.WithLabelValues(route, c.Method()).Observe(time.Since(start).Seconds())
	return nil
}

func (m *metrics) handler() fiber.Handler {
	return adaptor.HTTPHandler(lfmetrics.Handler(m.reg))
}

// serveMetrics serves /metrics beside the app, or, with MetricsAddr, on an
// address of its own that starts and stops with the app.
func (s *Server) serveMetrics(app *fiber.App) {
	if s.cfg.MetricsAddr == "" {
		app.Get("/metrics", s.metrics.handler())
		return
	}
	internal := fiber.New(fiber.Config{DisableStartupMessage: true})
	internal.Get("/metrics", s.metrics.handler())
	app.Hooks().OnListen(func(fiber.ListenData) error {
		go func() {
			if err := internal.Listen(s.cfg.MetricsAddr); err != nil {
				s.log.Error("metrics listener stopped", "addr", s.cfg.MetricsAddr, "err", err)
			}
		}()
		return nil
	})
	app.Hooks().OnShutdown(internal.Shutdown)
}
