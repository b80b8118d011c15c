package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// eventsOf are the types of lead id's history, in order, and its events of type typ.
func eventsOf(s *apptest.Stack, id string, typ lead.EventType) (string, []lead.Event) {
	var types []string
	var of []lead.Event
	for _, e := range s.History(id) {
		types = append(types, string(e.Type))
		if e.Type == typ {
			of = append(of, e)
		}
	}
	return strings.Join(types, ","), of
}

// TestReopenClosedLead: a manager of the lead's pool reopens a closed lead
// (POST /leads/{id}/reopen): it is pooled in its last pool, its history
// records who and why, a retry with the same Idempotency-Key changes
// nothing more, and its workflow runs again: a claim reaches it and the
// pool's no-follow-up timer reclaims the lead.
func TestReopenClosedLead(t *testing.T) {
	s := apptest.NewStack(t)
	repID, rep := s.CreateRep("Remy", 5)
	mgrID, mgr := s.PoolStaff("Mona", lead.RoleManager)
	_, otherMgr := s.PoolStaff("Otis", lead.RoleManager)
	poolID := s.CreatePool(fmt.Sprintf(`{"name":"Reopen pool","scope":"global","member_ids":[%q],"admin_ids":[%q],"policy":{"distribution":"claim_only","no_follow_up_after":"3s"}}`, repID, mgrID))
	otherPool := s.CreatePool(`{"name":"Elsewhere","scope":"global"}`)
	l := s.CreateLead(`{"company":"Reopened Trading","phone":"13800138555","country":"CN"}`)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/transfer", s.Admin, fmt.Sprintf(`{"pool_id":%q}`, poolID)), 200)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 200)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/close", mgr, `{"reason":"no budget"}`), 200)

	// Refusals: no reason; a pool the manager does not administer; a rep; a live lead.
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/leads/"+l.ID+"/reopen", mgr, `{}`), "reason")
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/reopen", mgr, fmt.Sprintf(`{"pool_id":%q,"reason":"x"}`, otherPool)), 403)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/reopen", otherMgr, `{"reason":"x"}`), 404)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/reopen", rep, `{"reason":"x"}`), 403)

	var got lead.Lead
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/reopen", mgr, `{"reason":"budget approved"}`, "Idempotency-Key", "reopen-1"), 200).JSON(t, &got)
	if got.Status != lead.StatusPooled || got.PoolID != poolID || got.OwnerID != "" {
		t.Fatalf("reopened lead: %+v", got)
	}
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/reopen", mgr, `{"reason":"budget approved"}`, "Idempotency-Key", "reopen-1"), 200).JSON(t, &got)
	if got.Status != lead.StatusPooled {
		t.Fatalf("the retried reopen: %+v", got)
	}
	p := s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/reopen", mgr, `{"reason":"again"}`), 409).Problem(t)
	if len(p.Reasons) == 0 || !strings.Contains(p.Reasons[0], "pooled") {
		t.Fatalf("reopening a pooled lead: %+v", p)
	}
	types, reopened := eventsOf(s, l.ID, lead.EventReopened)
	if len(reopened) != 1 || reopened[0].ActorID != mgrID || reopened[0].Reason != "budget approved" || reopened[0].At.IsZero() ||
		reopened[0].Data["to_pool"] != poolID || !strings.HasSuffix(types, "closed,reopened") {
		t.Fatalf("history %s, reopened %+v", types, reopened)
	}
	// The workflow runs again: a claim is an update of it, and its timers are armed.
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 200)
	s.WaitFor(8*time.Second, "the reclaim of the reopened lead by its pool's timer", func() bool {
		return s.GetLead(l.ID).Status == lead.StatusPooled
	})
	// Closed again, an admin reopens it into another pool.
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/close", s.Admin, ""), 200)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/reopen", s.Admin, fmt.Sprintf(`{"pool_id":%q,"reason":"another team tries"}`, otherPool)), 200).JSON(t, &got)
	if got.Status != lead.StatusPooled || got.PoolID != otherPool {
		t.Fatalf("reopened into another pool: %+v", got)
	}
}

// TestReadmitRejectedLead: an admin readmits a lead the validation rules
// rejected (POST /leads/{id}/readmit): it goes through intake again with
// the rejection overridden, its history records who and why and the
// overridden validation, a retry changes nothing more, and the new run of
// its workflow takes the next actions.
func TestReadmitRejectedLead(t *testing.T) {
	s := apptest.NewStack(t)
	_, rep := s.CreateRep("Rhea", 5)
	_, mgr := s.PoolStaff("Milo", lead.RoleManager)
	l := s.CreateLead(`{"company":"Extension Trading","phone":"123","country":"CN"}`)
	if l.Status != lead.StatusRejected {
		t.Fatalf("not rejected: %+v", l)
	}
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/readmit", mgr, `{"reason":"x"}`), 404)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/readmit", rep, `{"reason":"x"}`), 404)
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/leads/"+l.ID+"/readmit", s.Admin, ""), "reason")

	var got lead.Lead
	body := `{"reason":"the number is an internal extension"}`
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/readmit", s.Admin, body, "Idempotency-Key", "readmit-1"), 200).JSON(t, &got)
	if got.Status != lead.StatusPooled || got.PoolID != lead.DefaultPoolID || len(got.RejectReasons) != 0 {
		t.Fatalf("readmitted lead: %+v", got)
	}
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/readmit", s.Admin, body, "Idempotency-Key", "readmit-1"), 200)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/readmit", s.Admin, body), 409)
	types, readmitted := eventsOf(s, l.ID, lead.EventReadmitted)
	if types != "created,rejected,readmitted,validated,scored,pooled" || len(readmitted) != 1 ||
		readmitted[0].Reason != "the number is an internal extension" || readmitted[0].ActorID == "" {
		t.Fatalf("history %s, readmitted %+v", types, readmitted)
	}
	_, validated := eventsOf(s, l.ID, lead.EventValidated)
	if len(validated) != 1 || !strings.HasPrefix(validated[0].Reason, "readmitted: overrides the rejection") || validated[0].RuleKind != "validation" {
		t.Fatalf("the overridden validation: %+v", validated)
	}
	// The lead's new workflow run takes the next action.
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 200).JSON(t, &got)
	if got.Status != lead.StatusAssigned {
		t.Fatalf("claim after the readmission: %+v", got)
	}
}
