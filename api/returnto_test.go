package api_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestReturnAndReclaimToAnotherPool (issue 29; CordysCRM #430, #2879): a
// pool's policy names the pools its leads may go back to (return_to) and
// where the timers' reclaims send them (reclaim_to). A rep's return and a
// manager's reclaim may name one of them, or none (the lead's own pool);
// another pool is refused with the field; a timer's reclaim goes to
// reclaim_to; each move's event names the pools.
func TestReturnAndReclaimToAnotherPool(t *testing.T) {
	s := apptest.NewStack(t)
	repID, rep := s.CreateRep("Rui", 10)
	mgrID, mgr := s.PoolStaff("Mona", lead.RoleManager)
	outside := s.CreatePool(`{"name":"Outside pool","scope":"global"}`)
	recycle := s.CreatePool(fmt.Sprintf(`{"name":"Recycle pool","scope":"global","member_ids":[%q]}`, repID))
	src := s.CreatePool(fmt.Sprintf(`{"name":"Source pool","scope":"global","member_ids":[%q],"admin_ids":[%q],"policy":{"distribution":"claim_only"}}`, repID, mgrID))
	s.Expect(s.Do("PATCH", "/api/v1/pools/"+src, s.Admin, `{"policy":{"reclaim_to":"`+recycle+`"}}`), 422)
	s.Expect(s.Do("PATCH", "/api/v1/pools/"+src, s.Admin, `{"policy":{"return_to":["00000000-0000-0000-0000-00000000dead"]}}`), 422)
	s.Expect(s.Do("PATCH", "/api/v1/pools/"+src, s.Admin, fmt.Sprintf(`{"policy":{"return_to":[%q],"reclaim_to":%q}}`, recycle, recycle)), 200)

	claimed := func(company string) lead.Lead {
		l := s.CreateLead(fmt.Sprintf(`{"company":%q,"phone":"1380013%04d","country":"CN"}`, company, time.Now().Nanosecond()%10000))
		s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/transfer", s.Admin, fmt.Sprintf(`{"pool_id":%q}`, src)), 200)
		s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 200)
		return l
	}
	lastEvent := func(id string, typ lead.EventType) lead.Event {
		var last lead.Event
		for _, e := range s.History(id) {
			if e.Type == typ {
				last = e
			}
		}
		return last
	}

	a := claimed("Return Elsewhere")
	if p := s.Expect(s.Do("POST", "/api/v1/leads/"+a.ID+"/return", rep, fmt.Sprintf(`{"reason":"unreachable","pool_id":%q}`, outside)), 422).Problem(t); len(p.Errors) != 1 || p.Errors[0].Field != "pool_id" {
		t.Fatalf("a return to a pool the policy does not name: %+v", p)
	}
	var got lead.Lead
	s.Expect(s.Do("POST", "/api/v1/leads/"+a.ID+"/return", rep, fmt.Sprintf(`{"reason":"unreachable","pool_id":%q}`, recycle)), 200).JSON(t, &got)
	if got.PoolID != recycle || got.Status != lead.StatusPooled || got.OwnerID != "" {
		t.Fatalf("returned to the recycle pool: %+v", got)
	}
	if e := lastEvent(a.ID, lead.EventReturned); e.Data["to_pool"] != recycle || e.Data["from_pool"] != src {
		t.Fatalf("the return's event: %+v", e)
	}

	b := claimed("Return Home")
	s.Expect(s.Do("POST", "/api/v1/leads/"+b.ID+"/return", rep, `{"reason":"unreachable"}`), 200).JSON(t, &got)
	if got.PoolID != src {
		t.Fatalf("a return naming no pool left its pool: %+v", got)
	}

	c := claimed("Reclaim Elsewhere")
	s.Expect(s.Do("POST", "/api/v1/leads/"+c.ID+"/reclaim", mgr, fmt.Sprintf(`{"pool_id":%q}`, outside)), 422)
	s.Expect(s.Do("POST", "/api/v1/leads/"+c.ID+"/reclaim", mgr, fmt.Sprintf(`{"reason":"idle","pool_id":%q}`, recycle)), 200).JSON(t, &got)
	if got.PoolID != recycle {
		t.Fatalf("a manager's reclaim to the recycle pool: %+v", got)
	}

	// A timer's reclaim goes to reclaim_to.
	s.Expect(s.Do("PATCH", "/api/v1/pools/"+src, s.Admin, `{"policy":{"no_follow_up_after":"3s"}}`), 200)
	d := claimed("Reclaimed By Timer")
	s.WaitFor(20*time.Second, "the timer's reclaim", func() bool { return s.GetLead(d.ID).Status != lead.StatusAssigned })
	if got := s.GetLead(d.ID); got.PoolID != recycle {
		t.Fatalf("the timer reclaimed into %s, want the recycle pool: %+v", got.PoolID, got)
	}
	if e := lastEvent(d.ID, lead.EventReclaimed); e.ActorID != "" || e.Data["to_pool"] != recycle {
		t.Fatalf("the timer's reclaim event: %+v", e)
	}
}
