package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/workflows"
)

func hasEvent(events []lead.Event, t lead.EventType) bool {
	for _, e := range events {
		if e.Type == t {
			return true
		}
	}
	return false
}

// TestNoFollowUpReclaim is the lifecycle issue's acceptance path: under
// no_follow_up_after 5s a claimed lead is back in its pool within 7 s with a
// reclaimed event, while a lead followed up in between stays with its rep.
func TestNoFollowUpReclaim(t *testing.T) {
	s := apptest.NewStack(t)
	repID, rep := s.CreateRep("Nora", 5)
	poolID := s.CreatePool(fmt.Sprintf(`{"name":"Fast pool","scope":"global","member_ids":[%q],"policy":{"distribution":"claim_only","no_follow_up_after":"5s","cooldown":"1h"}}`, repID))
	a := s.CreateLead(`{"company":"Alpha Machines","phone":"13800138000","country":"CN"}`)
	b := s.CreateLead(`{"company":"Beta Machines","phone":"13900139000","country":"CN"}`)
	for _, id := range []string{a.ID, b.ID} {
		s.Expect(s.Do("POST", "/api/v1/leads/"+id+"/transfer", s.Admin, fmt.Sprintf(`{"pool_id":%q}`, poolID)), 200)
		s.Expect(s.Do("POST", "/api/v1/leads/"+id+"/claim", rep, ""), 200)
	}
	claimed := time.Now()
	time.Sleep(2500 * time.Millisecond)
	s.Expect(s.Do("POST", "/api/v1/leads/"+b.ID+"/follow-ups", rep, `{"type":"call","content":"reached them"}`), 201)

	took := s.WaitFor(7*time.Second-time.Since(claimed), "the reclaim of the lead without follow-up", func() bool {
		return s.GetLead(a.ID).Status == lead.StatusPooled
	})
	t.Logf("reclaimed %s after the claim", time.Since(claimed).Round(10*time.Millisecond)-0*took)
	if !hasEvent(s.History(a.ID), lead.EventReclaimed) {
		t.Fatalf("no reclaimed event: %+v", s.History(a.ID))
	}
	if got := s.GetLead(b.ID); got.Status != lead.StatusAssigned || got.OwnerID != repID {
		t.Fatalf("the followed-up lead left its rep: %+v", got)
	}
	// Cooldown: the rep cannot claim back the lead reclaimed from them.
	p := s.Expect(s.Do("POST", "/api/v1/leads/"+a.ID+"/claim", rep, ""), 409).Problem(t)
	if len(p.Reasons) != 1 || !strings.Contains(p.Reasons[0], "cooldown") {
		t.Fatalf("claim during cooldown: %+v", p)
	}
	// The followed-up lead is reclaimed 5 s after its follow-up.
	s.WaitFor(8*time.Second, "the reclaim of the followed-up lead", func() bool {
		return s.GetLead(b.ID).Status == lead.StatusPooled
	})
	// Close the reclaimed lead: its history (timers, reclaim, refused claim,
	// close) is the second recorded history of the replay test.
	s.Expect(s.Do("POST", "/api/v1/leads/"+a.ID+"/close", s.Admin, `{"reason":"duplicate"}`), 200)
	if apptest.Recording() {
		var out lead.Lead
		if err := s.TC.GetWorkflow(context.Background(), workflows.WorkflowID(a.ID), "").Get(context.Background(), &out); err != nil {
			t.Fatal(err)
		}
		apptest.RecordHistory(t, s.TC, workflows.WorkflowID(a.ID), "lead_reclaim_close")
	}
}

func TestOffersAndRoundRobin(t *testing.T) {
	s := apptest.NewStack(t)
	r1, t1 := s.CreateRep("Ann", 5)
	r2, t2 := s.CreateRep("Bob", 5)
	poolID := s.CreatePool(fmt.Sprintf(`{"name":"RR","scope":"global","member_ids":[%q,%q],"policy":{"distribution":"round_robin","accept_timeout":"2s"}}`, r1, r2))
	// Route everything to the round-robin pool.
	s.Expect(s.Do("PUT", "/api/v1/rules/routing", s.Admin, fmt.Sprintf(`{"rules":[],"default_pool_id":%q}`, poolID)), 200)

	first := s.CreateLead(`{"company":"Gamma Industries","phone":"13800138001","country":"CN"}`)
	second := s.CreateLead(`{"company":"Delta Industries","phone":"13800138002","country":"CN"}`)
	if first.Status != lead.StatusOffered || second.Status != lead.StatusOffered || first.OwnerID == second.OwnerID {
		t.Fatalf("round robin offers: %s to %s, %s to %s", first.Status, first.OwnerID, second.Status, second.OwnerID)
	}
	tokenOf := map[string]string{r1: t1, r2: t2}
	other := map[string]string{r1: r2, r2: r1}
	// For the other rep someone else's offer does not exist.
	s.Expect(s.Do("POST", "/api/v1/leads/"+first.ID+"/accept", tokenOf[other[first.OwnerID]], ""), 404)
	var accepted lead.Lead
	s.Expect(s.Do("POST", "/api/v1/leads/"+first.ID+"/accept", tokenOf[first.OwnerID], ""), 200).JSON(t, &accepted)
	if accepted.Status != lead.StatusAssigned {
		t.Fatalf("accepted: %+v", accepted)
	}
	// Declining hands the lead to the next rep.
	var declined lead.Lead
	s.Expect(s.Do("POST", "/api/v1/leads/"+second.ID+"/decline", tokenOf[second.OwnerID], `{"reason":"not my region"}`), 200).JSON(t, &declined)
	if declined.Status != lead.StatusOffered || declined.OwnerID != other[second.OwnerID] {
		t.Fatalf("after decline: %+v", declined)
	}
	// Nobody accepts: at accept_timeout it goes back to the pool (both refused it).
	s.WaitFor(6*time.Second, "the expiry of the offer", func() bool { return s.GetLead(second.ID).Status == lead.StatusPooled })
	if !hasEvent(s.History(second.ID), lead.EventOfferEnded) {
		t.Fatalf("no offer_expired event")
	}
}

func TestAssignReturnCloseAndEdit(t *testing.T) {
	s := apptest.NewStack(t)
	repID, rep := s.CreateRep("Cleo", 5)
	_, other := s.CreateRep("Dan", 5)
	l := s.CreateLead(`{"company":"Epsilon Foods","phone":"13800138003","country":"CN"}`)
	// Reps may not assign.
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/assign", rep, fmt.Sprintf(`{"rep_id":%q}`, repID)), 403)
	var got lead.Lead
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/assign", s.Admin, fmt.Sprintf(`{"rep_id":%q}`, repID)), 200).JSON(t, &got)
	if got.Status != lead.StatusAssigned || got.OwnerID != repID {
		t.Fatalf("assigned: %+v", got)
	}
	// Edit: further phones, tags, notes; history keeps the old values.
	s.Expect(s.Do("PATCH", "/api/v1/leads/"+l.ID, other, `{"notes":"x"}`), 404)
	got = lead.Lead{}
	s.Expect(s.Do("PATCH", "/api/v1/leads/"+l.ID, rep, `{"phones":["+86 139 0013 9000"],"tags":["vip"],"notes":"prefers mornings","stage":"In progress","custom":{"size":40}}`), 200).JSON(t, &got)
	if len(got.Phones) != 1 || got.Stage != "In progress" || got.Notes != "prefers mornings" || got.Custom["size"] != float64(40) {
		t.Fatalf("edited: %+v", got)
	}
	s.Expect(s.Do("PATCH", "/api/v1/leads/"+l.ID, rep, `{"stage":"Somewhere"}`), 422)
	// Return as invalid needs a reason from the list.
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/return", rep, `{"reason":"meh"}`), 422)
	got = lead.Lead{}
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/return", rep, `{"reason":"unreachable"}`), 200).JSON(t, &got)
	if got.Status != lead.StatusPooled || got.OwnerID != "" || got.InvalidReason != "unreachable" {
		t.Fatalf("returned: %+v", got)
	}
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/close", rep, `{"reason":"invalid"}`), 403)
	got = lead.Lead{}
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/close", s.Admin, `{"reason":"invalid"}`), 200).JSON(t, &got)
	if got.Status != lead.StatusClosed {
		t.Fatalf("closed: %+v", got)
	}
	// The workflow has ended: further actions are refused with the status;
	// for the rep the closed lead is gone.
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 404)
	p := s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", s.Admin, ""), 409).Problem(t)
	if !strings.Contains(strings.Join(p.Reasons, ";"), "closed") {
		t.Fatalf("claim after close: %+v", p)
	}
	types := []string{}
	for _, e := range s.History(l.ID) {
		types = append(types, string(e.Type))
	}
	if want := "created,validated,scored,pooled,assigned,edited,returned,closed"; strings.Join(types, ",") != want {
		t.Fatalf("history %v, want %s", types, want)
	}
}

// TestPolicyChangeReachesRunningLeads: shortening no_follow_up_after on a
// pool re-arms the timers of the leads already assigned in it.
func TestPolicyChangeReachesRunningLeads(t *testing.T) {
	s := apptest.NewStack(t)
	repID, rep := s.CreateRep("Pia", 5)
	poolID := s.CreatePool(fmt.Sprintf(`{"name":"Slow pool","scope":"global","member_ids":[%q],"policy":{"distribution":"claim_only","no_follow_up_after":"7d"}}`, repID))
	l := s.CreateLead(`{"company":"Zeta Logistics","phone":"13800138009","country":"CN"}`)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/transfer", s.Admin, fmt.Sprintf(`{"pool_id":%q}`, poolID)), 200)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 200)
	s.Expect(s.Do("PATCH", "/api/v1/pools/"+poolID, s.Admin, `{"policy":{"no_follow_up_after":"2s"}}`), 200)
	s.WaitFor(8*time.Second, "the reclaim under the shortened policy", func() bool {
		return s.GetLead(l.ID).Status == lead.StatusPooled
	})
}

// TestPolicyChangeFansOutInAWorkflow: the PATCH answers with the new
// policy and leaves the signals to a PolicyChangeWorkflow named by the pool
// and its revision, which reaches every live lead of the pool: each of the
// assigned leads is reclaimed under the shortened policy.
func TestPolicyChangeFansOutInAWorkflow(t *testing.T) {
	s := apptest.NewStack(t)
	repID, rep := s.CreateRep("Pat", 5)
	poolID := s.CreatePool(fmt.Sprintf(`{"name":"Fan pool","scope":"global","member_ids":[%q],"policy":{"distribution":"claim_only","no_follow_up_after":"7d"}}`, repID))
	ids := s.ClaimedLeads(poolID, rep, "Fan Company", "1380013811", 3)
	var patched lead.Pool
	s.Expect(s.Do("PATCH", "/api/v1/pools/"+poolID, s.Admin, `{"policy":{"no_follow_up_after":"2s"}}`), 200).JSON(t, &patched)
	if patched.Policy.NoFollowUpAfter != lead.Wall(2*time.Second) {
		t.Fatalf("patched policy %+v", patched.Policy)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var signalled int
	run := s.TC.GetWorkflow(ctx, workflows.PolicyChangeWorkflowID(poolID, patched.UpdatedAt.UnixMicro()), "")
	if err := run.Get(ctx, &signalled); err != nil || signalled != len(ids) {
		t.Fatalf("policy fan-out: %d leads signalled, %v", signalled, err)
	}
	apptest.RecordHistory(t, s.TC, workflows.PolicyChangeWorkflowID(poolID, patched.UpdatedAt.UnixMicro()), "policy_fanout_3_leads")
	for _, id := range ids {
		s.WaitFor(10*time.Second, "the reclaim of "+id+" under the shortened policy", func() bool {
			return s.GetLead(id).Status == lead.StatusPooled
		})
	}
}

// TestRoundRobinIsFairUnderBursts: six leads arriving at once in a pool of
// three reps give each rep two; an away rep gets none.
func TestRoundRobinIsFairUnderBursts(t *testing.T) {
	s := apptest.NewStack(t)
	var ids []string
	for _, n := range []string{"Rae", "Sol", "Tia", "Uma"} {
		id, _ := s.CreateRep(n, 10)
		ids = append(ids, id)
	}
	s.Expect(s.Do("PATCH", "/api/v1/users/"+ids[3], s.Admin, `{"away":true}`), 200)
	poolID := s.CreatePool(fmt.Sprintf(`{"name":"Burst","scope":"global","member_ids":[%q,%q,%q,%q],"policy":{"distribution":"round_robin","auto_accept":true}}`, ids[0], ids[1], ids[2], ids[3]))
	s.Expect(s.Do("PUT", "/api/v1/rules/routing", s.Admin, fmt.Sprintf(`{"rules":[],"default_pool_id":%q}`, poolID)), 200)
	done := make(chan lead.Lead, 6)
	for i := 0; i < 6; i++ {
		go func() {
			var l lead.Lead
			r := s.Do("POST", "/api/v1/leads", s.Admin, fmt.Sprintf(`{"company":"Burst Company %d","phone":"1380013810%d","country":"CN"}`, i, i))
			_ = json.Unmarshal(r.Body, &l)
			done <- l
		}()
	}
	per := map[string]int{}
	for i := 0; i < 6; i++ {
		l := <-done
		if l.Status != lead.StatusAssigned {
			t.Fatalf("lead %d: %+v", i, l)
		}
		per[l.OwnerID]++
	}
	if per[ids[0]] != 2 || per[ids[1]] != 2 || per[ids[2]] != 2 || per[ids[3]] != 0 {
		t.Fatalf("distribution %v", per)
	}
}

// TestLeadDeadlines: GET /api/v1/leads/{id} answers the lead's deadlines
// (lead.Deadlines, the workflow's figures): an assigned lead in a pool with
// the no-follow-up, no-conversion and reminder timers shows each, with its
// kind, timer, time and reason, soonest first; a pooled lead has none.
func TestLeadDeadlines(t *testing.T) {
	s := apptest.NewStack(t)
	repID, rep := s.CreateRep("Dina", 5)
	poolID := s.CreatePool(fmt.Sprintf(`{"name":"Timed pool","scope":"global","member_ids":[%q],"policy":{"distribution":"claim_only","no_follow_up_after":"3d","no_conversion_after":"30d","remind_before":"1d"}}`, repID))
	l := s.CreateLead(`{"company":"Deadline Trading","phone":"13800138123","country":"CN"}`)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/transfer", s.Admin, fmt.Sprintf(`{"pool_id":%q}`, poolID)), 200)
	var pooled lead.Detail
	s.Expect(s.Do("GET", "/api/v1/leads/"+l.ID, rep, ""), 200).JSON(t, &pooled)
	if pooled.Deadlines == nil || len(pooled.Deadlines) != 0 {
		t.Fatalf("a pooled lead's deadlines: %+v", pooled.Deadlines)
	}
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 200)
	var got lead.Detail
	s.Expect(s.Do("GET", "/api/v1/leads/"+l.ID, rep, ""), 200).JSON(t, &got)
	var kinds []string
	for _, d := range got.Deadlines {
		kinds = append(kinds, string(d.Kind)+"/"+d.Timer)
		if d.Reason == "" || d.Due.IsZero() {
			t.Fatalf("deadline without reason or time: %+v", d)
		}
	}
	if want := "notice/no_follow_up,reclaim/no_follow_up,notice/no_conversion,reclaim/no_conversion"; strings.Join(kinds, ",") != want {
		t.Fatalf("deadlines %v, want %s", kinds, want)
	}
	if want := got.AssignedAt.Add(72 * time.Hour); !got.Deadlines[1].Due.Equal(want) {
		t.Fatalf("no-follow-up reclaim at %s, want %s", got.Deadlines[1].Due, want)
	}
}
