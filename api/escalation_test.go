package api_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestSLAEscalationChain (issue 29; CordysCRM #1932): a lead nobody
// contacts within the first-contact SLA reminds its rep, escalate_after
// later tells the pool admins, and reassign_after after that goes back to
// the pool, whose distribution gives it to another rep (the first cools
// down); each step is in the history.
func TestSLAEscalationChain(t *testing.T) {
	s := apptest.NewStack(t)
	a, _ := s.CreateRep("Adele", 10)
	b, _ := s.CreateRep("Benno", 10)
	pool := s.CreatePool(fmt.Sprintf(`{"name":"Chain pool","scope":"global","member_ids":[%q,%q],"policy":{"distribution":"round_robin","auto_accept":true,"cooldown":"1h","first_contact_sla":"2s","escalate_after":"1s","reassign_after":"1s"}}`, a, b))
	l := s.CreateLead(`{"company":"Chain Trading","phone":"13800138555","country":"CN"}`)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/transfer", s.Admin, fmt.Sprintf(`{"pool_id":%q}`, pool)), 200)
	first := s.GetLead(l.ID)
	if first.Status != lead.StatusAssigned || (first.OwnerID != a && first.OwnerID != b) {
		t.Fatalf("not distributed: %+v", first)
	}
	s.WaitFor(30*time.Second, "the reassignment", func() bool {
		got := s.GetLead(l.ID)
		return got.Status == lead.StatusAssigned && got.OwnerID != first.OwnerID
	})
	var steps []lead.EventType
	for _, e := range s.History(l.ID) {
		switch e.Type {
		case lead.EventReminded, lead.EventEscalated, lead.EventReclaimed, lead.EventAssigned:
			steps = append(steps, e.Type)
		}
	}
	want := fmt.Sprint([]lead.EventType{lead.EventAssigned, lead.EventReminded, lead.EventEscalated, lead.EventReclaimed, lead.EventAssigned})
	if fmt.Sprint(steps) != want {
		t.Fatalf("the chain's steps %v, want %v", steps, want)
	}
}
