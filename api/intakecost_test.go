package api_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/workflows"
)

// MaxIntakeEvents is the most history events one intake may cost.
const MaxIntakeEvents = 12

// settledHistory waits until a workflow has no pending activity and no
// pending workflow task (its intake and what followed it are done) and
// returns its history.
func settledHistory(t *testing.T, tc client.Client, workflowID string) []*historypb.HistoryEvent {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(30 * time.Second)
	for {
		d, err := tc.DescribeWorkflowExecution(ctx, workflowID, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(d.GetPendingActivities()) == 0 && d.GetPendingWorkflowTask() == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("workflow %s did not settle: %v", workflowID, d)
		}
		time.Sleep(50 * time.Millisecond)
	}
	var events []*historypb.HistoryEvent
	it := tc.GetWorkflowHistory(ctx, workflowID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, e)
	}
	return events
}

func eventTypes(events []*historypb.HistoryEvent) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.GetEventType().String()
	}
	return out
}

// TestIntakeHistoryEvents counts the history events a lead's intake
// through POST /api/v1/leads costs, once everything it started is done: a
// pooled lead, and a rejected one.
func TestIntakeHistoryEvents(t *testing.T) {
	s := apptest.NewStack(t)
	for _, c := range []struct {
		name, body string
		status     lead.Status
	}{
		{"pooled", `{"company":"Acme Trading Co., Ltd.","name":"Li Lei","phone":"138 0013 8000","country":"CN"}`, lead.StatusPooled},
		{"rejected", `{"company":"Acme Trading","phone":"123","country":"CN"}`, lead.StatusRejected},
	} {
		l := s.CreateLead(c.body)
		if l.Status != c.status {
			t.Fatalf("%s lead: %+v", c.name, l)
		}
		events := settledHistory(t, s.TC, workflows.WorkflowID(l.ID))
		if c.status == lead.StatusPooled && apptest.Recording() {
			// The replay test's history of this intake: the lead is then closed.
			s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/close", s.Admin, `{"reason":"recorded"}`), 200)
			historyLength(t, s.TC, workflows.WorkflowID(l.ID))
			apptest.RecordHistory(t, s.TC, workflows.WorkflowID(l.ID), "lead_intake_unannounced_close")
		}
		t.Logf("%s: %d events %v", c.name, len(events), eventTypes(events))
		if len(events) > MaxIntakeEvents {
			t.Errorf("the intake of a %s lead cost %d history events, want at most %d: %v", c.name, len(events), MaxIntakeEvents, eventTypes(events))
		}
		if n := countType(events, enums.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED); n != 0 {
			t.Errorf("the intake of a %s lead into a pool where nobody hears of new leads started %d activities", c.name, n)
		}
	}

	// A pool whose first member is flagged to hear of new leads: the
	// new-lead e-mail is still started (and costs its activity).
	repID, _ := s.CreateRep("Nora", 5)
	poolID := s.CreatePool(fmt.Sprintf(`{"name":"Announced","scope":"global","member_ids":[%q]}`, repID))
	s.Expect(s.Do("PUT", "/api/v1/rules/routing", s.Admin, fmt.Sprintf(`{"rules":[],"default_pool_id":%q}`, poolID)), 200)
	l := s.CreateLead(`{"company":"Globex Trading Ltd.","phone":"+44 20 7946 0958"}`)
	if l.Status != lead.StatusPooled || l.PoolID != poolID {
		t.Fatalf("lead: %+v", l)
	}
	events := settledHistory(t, s.TC, workflows.WorkflowID(l.ID))
	t.Logf("pooled, announced: %d events %v", len(events), eventTypes(events))
	if n := countType(events, enums.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED); n != 1 {
		t.Errorf("the intake into a pool with a new-lead recipient started %d activities, want the e-mail", n)
	}
}

func countType(events []*historypb.HistoryEvent, typ enums.EventType) int {
	n := 0
	for _, e := range events {
		if e.GetEventType() == typ {
			n++
		}
	}
	return n
}
