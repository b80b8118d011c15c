package activities_test

import (
	"context"
	"strings"
	"testing"

	"github.com/leadflow/leadflow/lead"
)

// TestReclaimExemptWhenInTheReclaimsTransaction: a timer's reclaim asks the
// pool's reclaim_exempt_when on the lead its transaction locked, with the
// owner read in that transaction. A kept lead stays with its owner, gets one
// exempted event saying why (once, however often the reclaim is retried)
// and no e-mail; a lead the rule does not keep is reclaimed with its
// former owner's e-mail queued; a manager's reclaim is never asked.
func TestReclaimExemptWhenInTheReclaimsTransaction(t *testing.T) {
	m := newMailEnv(t)
	ctx := context.Background()
	rita, boss := m.user("Rita", lead.RoleRep), m.user("Boss", lead.RoleAdmin)
	pool, err := m.db.CreatePool(ctx, lead.Pool{Name: "Exempt pool", Scope: lead.ScopeGlobal, MemberIDs: []string{rita.ID},
		Policy: lead.Policy{ReclaimExemptWhen: `lead.company == "Keep Co." && rep.held >= 2 && rep.name == "Rita"`}})
	if err != nil {
		t.Fatal(err)
	}
	keep := m.assign(m.lead("Keep Co.", pool.ID), rita.ID, boss.ID)
	other := m.assign(m.lead("Other Co.", pool.ID), rita.ID, boss.ID)

	timer := func(l lead.Lead, request string) lead.Lead {
		t.Helper()
		moved, err := m.acts.Reclaim(ctx, lead.Move{LeadID: l.ID, RequestID: request, Reason: "no follow-up within 3d"})
		if err != nil {
			t.Fatalf("reclaim %s: %v", l.Company, err)
		}
		return moved.Lead
	}
	for range 2 { // the second is a retry of the same request
		if got := timer(keep, "timer-keep"); got.Status != lead.StatusAssigned || got.OwnerID != rita.ID {
			t.Fatalf("kept lead: %s, owner %q; want assigned to Rita", got.Status, got.OwnerID)
		}
	}
	events, _, err := m.db.Events(ctx, keep.ID, 100, "")
	if err != nil {
		t.Fatal(err)
	}
	exempted := 0
	for _, e := range events {
		switch e.Type {
		case lead.EventExempted:
			exempted++
			if !strings.Contains(e.Reason, "no follow-up within 3d; kept by reclaim_exempt_when") {
				t.Errorf("exempted event's reason %q", e.Reason)
			}
		case lead.EventReclaimed:
			t.Errorf("the kept lead has a reclaimed event")
		}
	}
	if exempted != 1 {
		t.Errorf("%d exempted events, want 1", exempted)
	}
	if n, err := m.db.OutboxQueued(ctx); err != nil || n != 0 {
		t.Fatalf("outbox after keeping: %d (%v), want 0", n, err)
	}

	if got := timer(other, "timer-other"); got.Status != lead.StatusPooled || got.OwnerID != "" {
		t.Fatalf("lead the rule does not keep: %s, owner %q; want pooled", got.Status, got.OwnerID)
	}
	if n, err := m.db.OutboxQueued(ctx); err != nil || n != 1 {
		t.Fatalf("outbox after the reclaim: %d (%v), want Rita's reclaimed e-mail", n, err)
	}

	// Rita now holds one lead: the rule would not keep it anyway, so bring
	// her back to two before the manager's reclaim, which is never asked.
	m.assign(m.lead("Third Co.", pool.ID), rita.ID, boss.ID)
	moved, err := m.acts.Reclaim(ctx, lead.Move{LeadID: keep.ID, RequestID: "manager-keep", ActorID: boss.ID, Reason: "reassigning"})
	if err != nil || moved.Lead.Status != lead.StatusPooled {
		t.Fatalf("manager's reclaim: %+v, %v; want pooled", moved.Lead.Status, err)
	}
}
