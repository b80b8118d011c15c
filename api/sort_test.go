package api_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestLeadsSortByReclaim (issue 25, bug 3): ?sort=reclaim sorts in the
// query over the whole filtered list, with cursor paging, as
// lead.NextReclaim says: the lead claimed first (the oldest, so on the last
// page newest-first) leads, a follow-up pushes its lead back, and leads
// without a reclaim timer come last.
func TestLeadsSortByReclaim(t *testing.T) {
	s := apptest.NewStack(t)
	repID, rep := s.CreateRep("Sora", 10)
	poolID := s.CreatePool(fmt.Sprintf(`{"name":"Sorted pool","scope":"global","member_ids":[%q],"policy":{"distribution":"claim_only","no_follow_up_after":"7d","no_conversion_after":"30d"}}`, repID))
	names := []string{"A", "B", "C", "D", "E", "F"}
	ids := map[string]string{}
	for i, n := range names {
		l := s.CreateLead(fmt.Sprintf(`{"company":"Sort %s Trading","phone":"1380013%04d","country":"CN"}`, n, 7000+i))
		ids[l.ID] = n
		s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/transfer", s.Admin, fmt.Sprintf(`{"pool_id":%q}`, poolID)), 200)
		if n != "F" { // F stays pooled: no reclaim
			s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 200)
		}
		time.Sleep(5 * time.Millisecond)
	}
	for id, n := range ids {
		if n == "A" {
			s.Expect(s.Do("POST", "/api/v1/leads/"+id+"/follow-ups", rep, `{"type":"call","content":"reached"}`), 201)
		}
	}
	list := func(query string) string {
		var out []string
		cursor := ""
		for page := 0; ; page++ {
			q := url.Values{"limit": {"2"}, "pool_id": {poolID}}
			for k, v := range map[string]string{"sort": query, "cursor": cursor} {
				if v != "" {
					q.Set(k, v)
				}
			}
			var body struct {
				Items      []lead.Lead `json:"items"`
				NextCursor string      `json:"next_cursor"`
			}
			s.Expect(s.Do("GET", "/api/v1/leads?"+q.Encode(), s.Admin, ""), 200).JSON(t, &body)
			var prev time.Time
			for _, l := range body.Items {
				out = append(out, ids[l.ID])
				if query == "reclaim" {
					due := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
					if d, ok := lead.NextReclaim(l); ok {
						due = d.Due
					}
					if due.Before(prev) {
						t.Errorf("lead %s (reclaim %s) after one due %s", ids[l.ID], due, prev)
					}
					prev = due
				}
			}
			if cursor = body.NextCursor; cursor == "" || page > 10 {
				break
			}
		}
		return strings.Join(out, "")
	}
	if got := list(""); got != "FEDCBA" {
		t.Fatalf("newest first: %s", got)
	}
	if got := list("reclaim"); got != "BCDEAF" {
		t.Fatalf("soonest reclaim first, over pages of 2: %s, want BCDEAF", got)
	}
	apptest.FieldProblem(t, s.Do("GET", "/api/v1/leads?sort=owner", s.Admin, ""), "sort")
}
