package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/service"
)

// This file serves the reports (service/reports.go): the funnel, the
// rejections and the activity of the leads registered in a period. Every
// user may ask; each report counts only the leads the caller answers for.

func (s *Server) routeReports(v1 fiber.Router) {
	v1.Get("/reports/funnel", s.funnelReport)
	v1.Get("/reports/rejections", s.rejectionReport)
	v1.Get("/reports/activity", s.activityReport)
}

func (s *Server) funnelReport(c *fiber.Ctx) error {
	f, err := service.ParseReportFilter(httpx.Query(c), true)
	if err != nil {
		return err
	}
	out, err := s.svc.Funnel(c.UserContext(), httpx.Caller(c), f)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Server) activityReport(c *fiber.Ctx) error {
	f, err := service.ParseReportFilter(httpx.Query(c), false)
	if err != nil {
		return err
	}
	out, err := s.svc.Activity(c.UserContext(), httpx.Caller(c), f)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Server) rejectionReport(c *fiber.Ctx) error {
	f, err := service.ParseReportFilter(httpx.Query(c), false)
	if err != nil {
		return err
	}
	out, err := s.svc.Rejections(c.UserContext(), httpx.Caller(c), f)
	if err != nil {
		return err
	}
	return c.JSON(out)
}
