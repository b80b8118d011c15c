package workflows

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/leadflow/leadflow/lead"
)

// TestPolicyChangePagesAndContinuesAsNew: the fan-out walks the pages by
// their cursors, continues as new after PolicyPagesPerRun pages with the
// cursor and the count reached, and the continuation finishes the rest.
func TestPolicyChangePagesAndContinuesAsNew(t *testing.T) {
	pages := PolicyPagesPerRun + 3
	var seen []PolicyPageInput
	run := func(in PolicyChangeInput) *testsuite.TestWorkflowEnvironment {
		var suite testsuite.WorkflowTestSuite
		env := suite.NewTestWorkflowEnvironment()
		env.RegisterWorkflowWithOptions(PolicyChangeWorkflow, workflow.RegisterOptions{Name: PolicyChangeWorkflowName})
		env.RegisterActivityWithOptions(func(_ context.Context, in PolicyPageInput) (PolicyPageResult, error) {
			seen = append(seen, in)
			n := 0
			fmt.Sscanf(in.Cursor, "page-%d", &n)
			out := PolicyPageResult{Signalled: in.Limit}
			if n+1 < pages {
				out.Next = fmt.Sprintf("page-%d", n+1)
			}
			return out, nil
		}, activity.RegisterOptions{Name: ActivitySignalPolicy})
		env.ExecuteWorkflow(PolicyChangeWorkflow, in)
		return env
	}
	env := run(PolicyChangeInput{PoolID: "p", Version: 7})
	var can *workflow.ContinueAsNewError
	if !errors.As(env.GetWorkflowError(), &can) || len(seen) != PolicyPagesPerRun || seen[0].Cursor != "" || seen[1].Cursor != "page-1" {
		t.Fatalf("first run: %v, %d pages, %+v", env.GetWorkflowError(), len(seen), seen[:2])
	}
	var next PolicyChangeInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil ||
		next.Cursor != fmt.Sprintf("page-%d", PolicyPagesPerRun) || next.Signalled != PolicyPageSize*PolicyPagesPerRun || next.Version != 7 {
		t.Fatalf("continued with %+v, %v", next, err)
	}
	env = run(next)
	var n int
	if err := env.GetWorkflowResult(&n); err != nil || n != PolicyPageSize*pages || len(seen) != pages {
		t.Fatalf("second run: %d signalled, %d pages, %v", n, len(seen), err)
	}
}

// TestOlderPolicySignalIgnored: a policy signal of an older revision than
// the last applied one (two fan-outs overlapping) does not take the lead
// back to the older policy, nor does one of a pool the lead is not in; a
// newer one of its pool re-arms the timers.
func TestOlderPolicySignalIgnored(t *testing.T) {
	tl := runLead(t, assignedLead(lead.Policy{NoFollowUpAfter: dur("7d")}), false, func(env *testsuite.TestWorkflowEnvironment) {
		env.RegisterDelayedCallback(func() {
			env.SignalWorkflow(SignalPolicy, PolicySignal{Policy: lead.Policy{NoFollowUpAfter: dur("2h")}, Version: 2, PoolID: "p1"})
			env.SignalWorkflow(SignalPolicy, PolicySignal{Policy: lead.Policy{NoFollowUpAfter: dur("1h")}, Version: 1})
			env.SignalWorkflow(SignalPolicy, PolicySignal{Policy: lead.Policy{NoFollowUpAfter: dur("1h")}, Version: 3, PoolID: "another pool"})
		}, 10*time.Minute)
		closeAt(env, 30*24*time.Hour)
	})
	expectTimeline(t, tl, []string{"reclaim:no follow-up within 2h"}, []time.Duration{2 * time.Hour})
}
