package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestAntiHoarding (issue 29; CordysCRM #2327): a pool caps the leads one
// rep may hold of it (max_held_per_rep) for claims, assignments and
// automatic distribution alike, and how many of its unclaimed leads one
// rep may open a day (daily_open_limit): opening the same lead again is
// free, the next new one is refused with the reason, the list still shows
// them, and managers are not counted.
func TestAntiHoarding(t *testing.T) {
	s := apptest.NewStack(t)
	repID, rep := s.CreateRep("Hana", 50)
	otherID, _ := s.CreateRep("Ivo", 50)
	_, mgr := s.PoolStaff("Mo", lead.RoleManager)
	pool := s.CreatePool(fmt.Sprintf(`{"name":"Capped pool","scope":"global","member_ids":[%q,%q],"policy":{"distribution":"claim_only","max_held_per_rep":2,"daily_open_limit":2}}`, repID, otherID))
	var ids []string
	for i := range 4 {
		l := s.CreateLead(fmt.Sprintf(`{"company":"Hoard %d Trading","phone":"1380013%04d","country":"CN"}`, i, 8100+i))
		s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/transfer", s.Admin, fmt.Sprintf(`{"pool_id":%q}`, pool)), 200)
		ids = append(ids, l.ID)
	}

	// Opens: two different leads, the first again, then the third is refused.
	s.Expect(s.Do("GET", "/api/v1/leads/"+ids[0], rep, ""), 200)
	s.Expect(s.Do("GET", "/api/v1/leads/"+ids[1], rep, ""), 200)
	s.Expect(s.Do("GET", "/api/v1/leads/"+ids[0], rep, ""), 200)
	p := s.Expect(s.Do("GET", "/api/v1/leads/"+ids[2], rep, ""), 409).Problem(t)
	if len(p.Reasons) != 1 || !strings.Contains(p.Reasons[0], "daily open limit reached: 2 of the 2") {
		t.Fatalf("the third open: %+v", p)
	}
	var list struct{ Items []lead.Lead }
	s.Expect(s.Do("GET", "/api/v1/leads?pool_id="+pool, rep, ""), 200).JSON(t, &list)
	if len(list.Items) != 4 {
		t.Fatalf("the list of a rep past the open limit: %d leads", len(list.Items))
	}
	for _, id := range ids { // managers and admins are not counted
		s.Expect(s.Do("GET", "/api/v1/leads/"+id, mgr, ""), 200)
		s.Expect(s.Do("GET", "/api/v1/leads/"+id, s.Admin, ""), 200)
	}

	// Holding: two claims, the third refused; an assignment too; a claimed lead opens freely.
	s.Expect(s.Do("POST", "/api/v1/leads/"+ids[0]+"/claim", rep, ""), 200)
	s.Expect(s.Do("POST", "/api/v1/leads/"+ids[2]+"/claim", rep, ""), 200) // claiming needs no open
	s.Expect(s.Do("GET", "/api/v1/leads/"+ids[2], rep, ""), 200)           // their own now
	p = s.Expect(s.Do("POST", "/api/v1/leads/"+ids[1]+"/claim", rep, ""), 409).Problem(t)
	if len(p.Reasons) != 1 || !strings.Contains(p.Reasons[0], "pool limit reached: the rep holds 2 of the 2") {
		t.Fatalf("the third claim: %+v", p)
	}
	s.Expect(s.Do("POST", "/api/v1/leads/"+ids[1]+"/assign", s.Admin, fmt.Sprintf(`{"rep_id":%q}`, repID)), 409)
	s.Expect(s.Do("POST", "/api/v1/leads/"+ids[1]+"/assign", s.Admin, fmt.Sprintf(`{"rep_id":%q}`, otherID)), 200)

	// Distribution passes over a rep at the cap.
	s.Expect(s.Do("PATCH", "/api/v1/pools/"+pool, s.Admin, `{"policy":{"distribution":"round_robin","auto_accept":true}}`), 200)
	for i := range 2 {
		l := s.CreateLead(fmt.Sprintf(`{"company":"Dealt %d Trading","phone":"1390013%04d","country":"CN"}`, i, 8200+i))
		var got lead.Lead
		s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/transfer", s.Admin, fmt.Sprintf(`{"pool_id":%q}`, pool)), 200).JSON(t, &got)
		got = s.GetLead(l.ID)
		switch {
		case i == 0 && got.OwnerID != otherID:
			t.Fatalf("distribution gave the lead to %q, want the rep under the cap: %+v", got.OwnerID, got)
		case i == 1 && got.Status != lead.StatusPooled:
			t.Fatalf("distribution with every rep at the cap: %+v", got)
		}
	}
	s.Expect(s.Do("PATCH", "/api/v1/pools/"+pool, s.Admin, `{"policy":{"max_held_per_rep":-1}}`), 422)
}
