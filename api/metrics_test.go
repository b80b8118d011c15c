package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/metrics"
	"github.com/leadflow/leadflow/server"
	"github.com/leadflow/leadflow/worker"
)

// TestMetricsCountTransitionsAndEmails: with the worker and the API on one
// registry (as `leadflow dev` runs them), /metrics counts a claim and an
// assignment by kind and outcome, the refused claim, the e-mail the
// assignment sends, the rule evaluations of the intakes, and shows the
// Temporal SDK's worker metrics.
func TestMetricsCountTransitionsAndEmails(t *testing.T) {
	reg := metrics.NewRegistry()
	db := testenv.Store(t)
	tc, ns := testenv.Temporal(t)
	mc, err := client.NewClientFromExisting(tc, client.Options{Namespace: ns, MetricsHandler: metrics.NewTemporal(reg)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(mc.Close)
	testenv.Worker(t, worker.Config{Temporal: mc, Namespace: ns, Store: db, Metrics: metrics.NewLifecycle(reg)})
	s := apptest.StackOn(t, db, tc, server.Config{Registry: reg})

	repID, rep := s.CreateRep("Mia", 1)
	otherID, _ := s.CreateRep("Ned", 5)
	poolID := s.CreatePool(fmt.Sprintf(`{"name":"Metered","scope":"global","member_ids":[%q,%q],"policy":{"distribution":"claim_only"}}`, repID, otherID))
	var ids []string
	for i := range 3 {
		l := s.CreateLead(fmt.Sprintf(`{"company":"Metered Company %d","phone":"1380013812%d","country":"CN"}`, i, i))
		s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/transfer", s.Admin, fmt.Sprintf(`{"pool_id":%q}`, poolID)), 200)
		ids = append(ids, l.ID)
	}
	s.Expect(s.Do("POST", "/api/v1/leads/"+ids[0]+"/claim", rep, ""), 200)
	// Over her capacity: the store refuses the claim.
	s.Expect(s.Do("POST", "/api/v1/leads/"+ids[1]+"/claim", rep, ""), 409)
	s.Expect(s.Do("POST", "/api/v1/leads/"+ids[2]+"/assign", s.Admin, fmt.Sprintf(`{"rep_id":%q}`, otherID)), 200)

	want := []string{
		`leadflow_lead_transitions_total{kind="intake",outcome="pooled"} 3`,
		`leadflow_lead_transitions_total{kind="transfer",outcome="pooled"} 3`,
		`leadflow_lead_transitions_total{kind="claim",outcome="assigned"} 1`,
		`leadflow_lead_transitions_total{kind="claim",outcome="refused"} 1`,
		`leadflow_lead_transitions_total{kind="assign",outcome="assigned"} 1`,
		`leadflow_emails_total{kind="assigned",result="sent"} 1`,
		`leadflow_rule_evaluation_seconds_count{kind="validation"} 3`,
		`temporal_workflow_task_execution_latency_seconds_bucket{`,
		`temporal_workflow_task_schedule_to_start_latency_seconds_count{`,
	}
	var text string
	var missing []string
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		text, missing = string(s.Expect(s.Do("GET", "/metrics", "", ""), 200).Body), nil
		for _, w := range want {
			if !strings.Contains(text, w) {
				missing = append(missing, w)
			}
		}
		if len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/metrics lacks %q:\n%s", missing, text)
		}
	}
	if strings.Contains(text, `leadflow_emails_total{kind="assigned",result="failed"}`) {
		t.Fatalf("an e-mail failed:\n%s", text)
	}
}
