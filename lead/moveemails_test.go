package lead

import (
	"reflect"
	"testing"
)

// The outbox queues a reclaim's e-mails in two transactions (the reclaim,
// then the distribution after it); together they are the e-mails the lead's
// workflow would send for the whole move, under the same keys.
func TestMoveEmailsOfAReclaimInTwoSteps(t *testing.T) {
	assigned := Lead{ID: "l1", Status: StatusAssigned, OwnerID: "rep1", PoolID: "p1"}
	pooled := Lead{ID: "l1", Status: StatusPooled, PoolID: "p1"}
	offered := Lead{ID: "l1", Status: StatusOffered, OwnerID: "rep2", PoolID: "p1"}
	m := Move{LeadID: "l1", RequestID: "wf/reclaim", Reason: "no follow-up"}

	whole := MoveEmails(CauseReclaim, assigned, offered, m)
	steps := append(MoveEmails(CauseReclaim, assigned, pooled, m), MoveEmails(CauseReclaim, pooled, offered, m)...)
	if !reflect.DeepEqual(whole, steps) {
		t.Fatalf("in two steps %+v, at once %+v", steps, whole)
	}
	if len(whole) != 2 || whole[0].Kind != EmailReclaimed || whole[0].RepID != "rep1" || whole[0].Key != "wf/reclaim/reclaimed" ||
		whole[1].Kind != EmailOffered || whole[1].RepID != "rep2" || whole[1].LeadID != "l1" {
		t.Fatalf("e-mails %+v", whole)
	}
	// A reclaim that leaves the lead pooled tells only the former owner;
	// one that finds the lead already back (a retry) tells nobody.
	if got := MoveEmails(CauseReclaim, assigned, pooled, m); len(got) != 1 || got[0].Reason != "no follow-up" {
		t.Fatalf("reclaim to the pool: %+v", got)
	}
	if got := MoveEmails(CauseReclaim, pooled, pooled, m); len(got) != 0 {
		t.Fatalf("nothing moved: %+v", got)
	}
}
