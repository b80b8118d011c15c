package service

import (
	"testing"
	"time"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// query is a filter getter over a map.
func query(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestParseLeadFilter: the lead list's filters are read once for the API,
// the console and exports; a bad one is named as the face names it.
func TestParseLeadFilter(t *testing.T) {
	f, err := ParseLeadFilter(query(map[string]string{"country": "cn", "created_from": "2026-01-31", "review": "true"}), func(k string) string { return k })
	if err != nil || f.Country != "CN" || f.CreatedFrom == nil || !f.CreatedFrom.Equal(time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)) || !f.Review {
		t.Fatalf("filter %+v, %v", f, err)
	}
	_, err = ParseLeadFilter(query(map[string]string{"status": "gone", "pool_id": "x", "review": "maybe"}), func(k string) string { return "filters." + k })
	bad, _ := lead.FieldsOf(err)
	got := map[string]bool{}
	for _, e := range bad {
		got[e.Field] = true
	}
	for _, want := range []string{"filters.status", "filters.pool_id", "filters.review"} {
		if !got[want] {
			t.Errorf("%s is not refused: %v", want, err)
		}
	}
}

// TestParseReportFilter: a report's period defaults to the last
// DefaultReportDays, to must be after from, and the funnel groups by source.
func TestParseReportFilter(t *testing.T) {
	f, err := ParseReportFilter(query(nil), true)
	if err != nil || f.GroupBy != store.GroupSource || f.To.Sub(f.From) != DefaultReportDays*24*time.Hour {
		t.Fatalf("default filter %+v, %v", f, err)
	}
	if _, err := ParseReportFilter(query(map[string]string{"from": "2026-02-01", "to": "2026-01-01"}), false); lead.ErrorCode(err) != lead.CodeInvalid {
		t.Errorf("to before from: %v", err)
	}
	if _, err := ParseReportFilter(query(map[string]string{"group_by": "moon"}), true); lead.ErrorCode(err) != lead.CodeInvalid {
		t.Errorf("unknown group: %v", err)
	}
}
