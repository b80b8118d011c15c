package apptest

import (
	"time"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// FunnelOf asks for the funnel report as token and returns its rows by key.
func (w *World) FunnelOf(token, query string) map[string]store.FunnelRow {
	w.T.Helper()
	var rep struct {
		GroupBy string `json:"group_by"`
		Items   []store.FunnelRow
	}
	w.Expect(w.Do("GET", "/api/v1/reports/funnel?"+query, token, ""), 200).JSON(w.T, &rep)
	out := map[string]store.FunnelRow{}
	for _, r := range rep.Items {
		if _, dup := out[r.Key]; dup {
			w.T.Fatalf("the funnel has key %q twice: %+v", r.Key, rep.Items)
		}
		out[r.Key] = r
	}
	return out
}

// FirstContact is the seconds from the lead's first assignment (assigned,
// claimed, accepted) to its first follow-up, read from its history.
func (w *World) FirstContact(id string) float64 {
	w.T.Helper()
	var assigned, followed time.Time
	for _, e := range w.History(id) {
		switch e.Type {
		case lead.EventAssigned, lead.EventClaimed, lead.EventAccepted:
			if assigned.IsZero() || e.At.Before(assigned) {
				assigned = e.At
			}
		case lead.EventFollowedUp:
			if followed.IsZero() || e.At.Before(followed) {
				followed = e.At
			}
		}
	}
	if assigned.IsZero() || followed.IsZero() {
		w.T.Fatalf("lead %s was not assigned and followed up: %+v", id, w.History(id))
	}
	return followed.Sub(assigned).Seconds()
}
