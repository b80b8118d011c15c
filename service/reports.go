package service

import (
	"context"
	"sync"
	"time"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// The reports: the funnel, the rejections and the activity of the leads
// registered in a period, and the dashboard's set of them. Every user may
// ask; each report counts only the leads the user answers for (an admin
// every lead, a manager those of the pools they administer and their own,
// a rep their own). f is read by ParseReportFilter; its viewer is set here.

// periodOf is f's period.
func periodOf(f store.ReportFilter) Period { return Period{From: f.From, To: f.To} }

// Period is the period a report counts, to excluded.
type Period struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// FunnelReport is the funnel of a period grouped by GroupBy.
type FunnelReport struct {
	Period
	GroupBy string            `json:"group_by"`
	Items   []store.FunnelRow `json:"items"`
}

// RejectionReport is the rejections of a period.
type RejectionReport struct {
	Period
	Items []store.RejectionRow `json:"items"`
}

// ActivityReport is the activity of a period.
type ActivityReport struct {
	Period
	Today string `json:"today"` // the day (UTC) follow_ups_due counts to the end of
	store.Activity
}

// Funnel is the funnel report of f for me.
func (s *Service) Funnel(ctx context.Context, me lead.User, f store.ReportFilter) (FunnelReport, error) {
	f.Viewer = store.ViewerOf(me)
	items, err := s.db.FunnelReport(ctx, f)
	return FunnelReport{Period: periodOf(f), GroupBy: f.GroupBy, Items: orEmpty(items)}, err
}

// Rejections is the rejection report of f for me.
func (s *Service) Rejections(ctx context.Context, me lead.User, f store.ReportFilter) (RejectionReport, error) {
	f.Viewer = store.ViewerOf(me)
	items, err := s.db.RejectionReport(ctx, f)
	return RejectionReport{Period: periodOf(f), Items: orEmpty(items)}, err
}

// Activity is the activity report of f for me.
func (s *Service) Activity(ctx context.Context, me lead.User, f store.ReportFilter) (ActivityReport, error) {
	f.Viewer = store.ViewerOf(me)
	now := time.Now().UTC()
	a, err := s.db.ActivityReport(ctx, f, now)
	a.Reclaims, a.Due = orEmpty(a.Reclaims), orEmpty(a.Due)
	return ActivityReport{Period: periodOf(f), Today: now.Format(time.DateOnly), Activity: a}, err
}

// orEmpty is rows, an empty list rather than none (a JSON [] rather than null).
func orEmpty[T any](rows []T) []T {
	if rows == nil {
		return []T{}
	}
	return rows
}

// DashboardGroups are the funnel groupings the dashboard reads.
var DashboardGroups = []string{store.GroupStatus, store.GroupPool, store.GroupChannel, store.GroupInviter, store.GroupOwner, store.GroupAll}

// Dashboard is the dashboard's reports of f's period for me, run at once:
// the funnel by each of DashboardGroups, and the activity.
func (s *Service) Dashboard(ctx context.Context, me lead.User, f store.ReportFilter) (map[string][]store.FunnelRow, ActivityReport, error) {
	f.Viewer = store.ViewerOf(me)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		act  ActivityReport
	)
	funnels := map[string][]store.FunnelRow{}
	for _, g := range DashboardGroups {
		wg.Go(func() {
			gf := f
			gf.GroupBy = g
			rows, err := s.db.FunnelReport(ctx, gf)
			mu.Lock()
			defer mu.Unlock()
			funnels[g], errs = rows, append(errs, err)
		})
	}
	wg.Go(func() {
		a, err := s.Activity(ctx, me, f)
		mu.Lock()
		defer mu.Unlock()
		act, errs = a, append(errs, err)
	})
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, act, err
		}
	}
	return funnels, act, nil
}
