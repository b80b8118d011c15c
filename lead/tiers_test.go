package lead

import (
	"strings"
	"testing"
	"time"
)

// TestReclaimTiers: the first tier a lead matches (its stage, or a custom
// field) sets its reclaim timers; a timer the tier leaves out is the
// pool's; a lead no tier matches keeps the pool's.
func TestReclaimTiers(t *testing.T) {
	day := 24 * time.Hour
	assigned := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	pol := &Policy{NoFollowUpAfter: Wall(14 * day), NoConversionAfter: Wall(60 * day), ReclaimTiers: []ReclaimTier{
		{Field: "custom.grade", Value: "A", NoFollowUpAfter: Wall(30 * day)},
		{Field: "custom.grade", Value: "C", NoFollowUpAfter: Wall(7 * day), NoConversionAfter: Wall(20 * day)},
		{Field: "stage", Value: "Negotiation", NoFollowUpAfter: Wall(21 * day)},
	}}
	for _, c := range []struct {
		name         string
		stage        string
		custom       map[string]any
		nfu, nca     time.Duration
		reasonPrefix string
	}{
		{"A grade", "New", map[string]any{"grade": "A"}, 30 * day, 60 * day, "no follow-up within 30d"},
		{"C grade", "Negotiation", map[string]any{"grade": "C"}, 7 * day, 20 * day, "no follow-up within 7d"}, // the first tier wins
		{"stage", "Negotiation", nil, 21 * day, 60 * day, "no follow-up within 21d"},
		{"none", "New", map[string]any{"grade": "B"}, 14 * day, 60 * day, "no follow-up within 14d"},
	} {
		l := Lead{Status: StatusAssigned, Stage: c.stage, Custom: c.custom, AssignedAt: &assigned, Policy: pol}
		var nfu, nca Deadline
		for _, d := range Deadlines(l) {
			switch d.Timer {
			case TimerNoFollowUp:
				nfu = d
			case TimerNoConversion:
				nca = d
			}
		}
		if !nfu.Due.Equal(assigned.Add(c.nfu)) || !nca.Due.Equal(assigned.Add(c.nca)) || nfu.Reason != c.reasonPrefix {
			t.Errorf("%s: no follow-up %v (%q), no conversion %v", c.name, nfu.Due, nfu.Reason, nca.Due)
		}
	}

	bad := Policy{RemindBefore: Wall(10 * day), ReclaimTiers: []ReclaimTier{{Field: "grade", Value: ""}, {Field: "stage", Value: "New", NoFollowUpAfter: Wall(7 * day)}}}
	var f Fields
	bad.clean(&f)
	got := f.Err().Error()
	for _, want := range []string{"reclaim_tiers[0].field", "reclaim_tiers[0].value", "reclaim_tiers[0].no_follow_up_after", "reclaim_tiers[1].no_follow_up_after (7d)"} {
		if !strings.Contains(got, want) {
			t.Errorf("the refusal %q does not name %s", got, want)
		}
	}
}

// TestEscalationChain: the first-contact SLA reminds the rep, escalate_after
// later tells the pool admins, reassign_after after that reclaims the lead
// for the pool's distribution; without them the chain is as before (the
// escalation one SLA after the reminder, no reassignment).
func TestEscalationChain(t *testing.T) {
	assigned := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	l := Lead{Status: StatusAssigned, AssignedAt: &assigned, Policy: &Policy{FirstContactSLA: Wall(4 * time.Hour)}}
	due := func(l Lead) map[string]time.Time {
		out := map[string]time.Time{}
		for _, d := range Deadlines(l) {
			out[strings.SplitN(d.Key, "/", 2)[0]+"/"+string(d.Kind)] = d.Due
		}
		return out
	}
	got := due(l)
	if len(got) != 2 || !got["sla-remind/notice"].Equal(assigned.Add(4*time.Hour)) || !got["sla-escalate/notice"].Equal(assigned.Add(8*time.Hour)) {
		t.Fatalf("the default chain: %v", got)
	}
	l.Policy.EscalateAfter, l.Policy.ReassignAfter = Wall(time.Hour), Wall(2*time.Hour)
	got = due(l)
	if len(got) != 3 || !got["sla-escalate/notice"].Equal(assigned.Add(5*time.Hour)) || !got["sla-reassign/reclaim"].Equal(assigned.Add(7*time.Hour)) {
		t.Fatalf("the chain with escalate_after and reassign_after: %v", got)
	}
	if d, ok := NextReclaim(l); !ok || !d.Due.Equal(assigned.Add(7*time.Hour)) || !strings.Contains(d.Reason, "reassigned") {
		t.Fatalf("the reassignment as the next reclaim: %+v", d)
	}
	followed := assigned.Add(time.Hour)
	l.LastFollowUpAt = &followed
	if got = due(l); len(got) != 0 {
		t.Fatalf("a contacted lead keeps its chain: %v", got)
	}
	var f Fields
	(&Policy{ReassignAfter: Wall(time.Hour)}).clean(&f)
	if f.Err() == nil || !strings.Contains(f.Err().Error(), "first_contact_sla") {
		t.Fatalf("a chain without its SLA: %v", f.Err())
	}
}
