package api_test

import (
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestReclaimSortFollowsTiersAndChain: the list's reclaim order (the
// stored reclaim_at, SQL) agrees with lead.NextReclaim (Go) for a pool
// with reclaim tiers by stage and the SLA chain's reassignment: a stage
// change moves a lead, a follow-up ends its chain.
func TestReclaimSortFollowsTiersAndChain(t *testing.T) {
	s := apptest.NewStack(t)
	repID, rep := s.CreateRep("Tia", 20)
	pool := s.CreatePool(fmt.Sprintf(`{"name":"Tiered pool","scope":"global","member_ids":[%q],"policy":{"distribution":"claim_only",
		"no_follow_up_after":"240h","no_conversion_after":"720h","first_contact_sla":"100h","escalate_after":"10h","reassign_after":"50h",
		"reclaim_tiers":[{"field":"stage","value":"In progress","no_follow_up_after":"48h"},{"field":"stage","value":"Started","no_conversion_after":"120h"}]}}`, repID))
	ids := map[string]string{}
	for i, name := range []string{"plain", "progress", "started", "contacted"} {
		l := s.CreateLead(fmt.Sprintf(`{"company":"Tier %s Trading","phone":"1370013%04d","country":"CN"}`, name, 9100+i))
		s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/transfer", s.Admin, fmt.Sprintf(`{"pool_id":%q}`, pool)), 200)
		s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 200)
		ids[name] = l.ID
	}
	s.Expect(s.Do("PATCH", "/api/v1/leads/"+ids["progress"], rep, `{"stage":"In progress"}`), 200)
	s.Expect(s.Do("PATCH", "/api/v1/leads/"+ids["started"], rep, `{"stage":"Started"}`), 200)
	s.Expect(s.Do("POST", "/api/v1/leads/"+ids["contacted"]+"/follow-ups", rep, `{"type":"call","content":"reached"}`), 201)

	var list struct{ Items []lead.Lead }
	s.Expect(s.Do("GET", "/api/v1/leads?"+url.Values{"pool_id": {pool}, "sort": {"reclaim"}}.Encode(), s.Admin, ""), 200).JSON(t, &list)
	var got []string
	for _, l := range list.Items {
		got = append(got, l.ID)
	}
	want := slices.Clone(got)
	due := map[string]time.Time{}
	for _, id := range want {
		d, ok := lead.NextReclaim(s.GetLead(id))
		if !ok {
			t.Fatalf("lead %s has no reclaim", id)
		}
		due[id] = d.Due
	}
	slices.SortStableFunc(want, func(a, b string) int { return due[a].Compare(due[b]) })
	if fmt.Sprint(got) != fmt.Sprint(want) || len(got) != 4 {
		t.Fatalf("the list's reclaim order %v, NextReclaim's %v (due %v)", got, want, due)
	}
	// progress: its tier's 48h; started, and contacted (a first follow-up
	// makes it Started): that tier's 120h without conversion; plain: the
	// chain's reassignment at 100h + 10h + 50h.
	if plain := s.GetLead(ids["plain"]); got[0] != ids["progress"] || got[3] != ids["plain"] || !due[plain.ID].Equal(plain.AssignedAt.Add(160*time.Hour)) {
		t.Fatalf("order %v, ids %v, due %v", got, ids, due)
	}
}
