package api

import (
	"context"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// This file serves the reports: the funnel and the rejections of the leads
// registered in a period. Every user may ask; each report counts only the
// leads the caller answers for (an admin every lead, a manager those of
// the pools they administer and their own, a rep their own).

// defaultReportDays is the period of a report without from: the last 30 days.
const defaultReportDays = 30

func (s *Server) routeReports(v1 fiber.Router) {
	v1.Get("/reports/funnel", s.funnelReport)
	v1.Get("/reports/rejections", s.rejectionReport)
	v1.Get("/reports/activity", s.activityReport)
}

// funnelReportBody is the answer of GET /api/v1/reports/funnel.
type funnelReportBody struct {
	From    time.Time         `json:"from"`
	To      time.Time         `json:"to"`
	GroupBy string            `json:"group_by"`
	Items   []store.FunnelRow `json:"items"`
}

// rejectionReportBody is the answer of GET /api/v1/reports/rejections.
type rejectionReportBody struct {
	From  time.Time            `json:"from"`
	To    time.Time            `json:"to"`
	Items []store.RejectionRow `json:"items"`
}

func (s *Server) funnelReport(c *fiber.Ctx) error {
	f, err := reportFilter(c, true)
	if err != nil {
		return err
	}
	items, err := s.db.FunnelReport(c.UserContext(), f)
	if err != nil {
		return err
	}
	if items == nil {
		items = []store.FunnelRow{}
	}
	return c.JSON(funnelReportBody{From: f.From, To: f.To, GroupBy: f.GroupBy, Items: items})
}

// activityReportBody is the answer of GET /api/v1/reports/activity.
type activityReportBody struct {
	From  time.Time `json:"from"`
	To    time.Time `json:"to"`
	Today string    `json:"today"` // the day (UTC) follow_ups_due counts to the end of
	store.Activity
}

func (s *Server) activityReport(c *fiber.Ctx) error {
	body, err := s.activity(c)
	if err != nil {
		return err
	}
	return c.JSON(body)
}

// activity reads the period of c's query and computes the activity report
// for the caller.
func (s *Server) activity(c *fiber.Ctx) (activityReportBody, error) {
	f, err := reportFilter(c, false)
	if err != nil {
		return activityReportBody{}, err
	}
	return s.activityOf(c.UserContext(), f)
}

// activityOf computes the activity report of f (the API's and the dashboard's).
func (s *Server) activityOf(ctx context.Context, f store.ReportFilter) (activityReportBody, error) {
	now := time.Now().UTC()
	a, err := s.db.ActivityReport(ctx, f, now)
	if a.Reclaims == nil {
		a.Reclaims = []store.DayCount{}
	}
	if a.Due == nil {
		a.Due = []store.DueRow{}
	}
	return activityReportBody{From: f.From, To: f.To, Today: now.Format(time.DateOnly), Activity: a}, err
}

func (s *Server) rejectionReport(c *fiber.Ctx) error {
	f, err := reportFilter(c, false)
	if err != nil {
		return err
	}
	items, err := s.db.RejectionReport(c.UserContext(), f)
	if err != nil {
		return err
	}
	if items == nil {
		items = []store.RejectionRow{}
	}
	return c.JSON(rejectionReportBody{From: f.From, To: f.To, Items: items})
}

// reportFilter reads from, to (dates or RFC 3339 times; to is excluded;
// by default the 30 days up to now) and, for the funnel, group_by
// (default source).
func reportFilter(c *fiber.Ctx, grouped bool) (store.ReportFilter, error) {
	var bad lead.Fields
	now := time.Now().UTC()
	f := store.ReportFilter{To: now, Viewer: store.ViewerOf(caller(c))}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		name, dst := p.name, p.dst
		if v := c.Query(name); v != "" {
			t, err := parseTime(v)
			if err != nil {
				bad.Add(name, "must be a date (2026-01-31) or an RFC 3339 time")
				continue
			}
			*dst = t
		}
	}
	if f.From.IsZero() {
		f.From = f.To.AddDate(0, 0, -defaultReportDays)
	}
	if len(bad) == 0 && !f.From.Before(f.To) {
		bad.Add("to", "must be after from")
	}
	if grouped {
		f.GroupBy = c.Query("group_by", store.GroupSource)
		if !store.ValidGroup(f.GroupBy) {
			bad.Add("group_by", "must be one of "+strings.Join(store.FunnelGroups, ", "))
		}
	}
	return f, bad.Err()
}
