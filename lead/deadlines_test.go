package lead

import (
	"testing"
	"time"
)

func TestNextReclaim(t *testing.T) {
	assigned := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	followed := assigned.Add(48 * time.Hour)
	l := Lead{Status: StatusAssigned, AssignedAt: &assigned, LastFollowUpAt: &followed,
		Policy: &Policy{NoFollowUpAfter: Wall(7 * 24 * time.Hour), NoConversionAfter: Wall(30 * 24 * time.Hour), RemindBefore: Wall(24 * time.Hour)}}
	d, ok := NextReclaim(l)
	if !ok || !d.Due.Equal(followed.Add(7*24*time.Hour)) || d.Reason != "no follow-up within 7d" {
		t.Fatalf("next reclaim %+v %v", d, ok)
	}
	l.Policy.NoFollowUpAfter = Span{}
	if d, ok = NextReclaim(l); !ok || !d.Due.Equal(assigned.Add(30*24*time.Hour)) {
		t.Fatalf("no-conversion reclaim %+v %v", d, ok)
	}
	l.Status = StatusPooled
	if _, ok = NextReclaim(l); ok {
		t.Fatal("a pooled lead has a reclaim")
	}
}
