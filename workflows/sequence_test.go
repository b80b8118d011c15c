package workflows

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// seqFake answers a SequenceWorkflow's activities over steps as the
// service does: "send", "wait:<d>", "branch:<goto>" (which holds while
// branch is true); it records the steps sent and when.
type seqFake struct {
	steps  []string
	branch bool
	sent   []int
	at     []time.Time
	env    *testsuite.TestWorkflowEnvironment
}

func (f *seqFake) advance(_ context.Context, in SequenceAdvanceInput) (SequenceStep, error) {
	for i := in.At; i < len(f.steps); {
		switch s := f.steps[i]; {
		case s == "send":
			return SequenceStep{Action: SequenceSend, Index: i}, nil
		case s[:5] == "wait:":
			d, _ := time.ParseDuration(s[5:])
			return SequenceStep{Action: SequenceWait, Index: i, Wait: d}, nil
		default:
			if f.branch {
				i = int(s[7] - '0')
			} else {
				i++
			}
		}
	}
	return SequenceStep{Action: SequenceEnd, Index: len(f.steps)}, nil
}

func seqEnv(f *seqFake) *testsuite.TestWorkflowEnvironment {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	f.env = env
	env.RegisterWorkflowWithOptions(SequenceWorkflow, workflow.RegisterOptions{Name: SequenceWorkflowName})
	env.RegisterActivityWithOptions(f.advance, activity.RegisterOptions{Name: ActivitySequenceAdvance})
	env.RegisterActivityWithOptions(func(_ context.Context, in SequenceSendInput) error {
		f.sent = append(f.sent, in.Index)
		f.at = append(f.at, env.Now())
		return nil
	}, activity.RegisterOptions{Name: ActivitySequenceSend})
	return env
}

// TestSequenceWorkflowSteps: sends and waits in order, the waits skipped
// in test time (3 days, then 72 hours); a branch that holds jumps ahead.
func TestSequenceWorkflowSteps(t *testing.T) {
	for _, branch := range []bool{false, true} {
		f := &seqFake{steps: []string{"send", "wait:72h", "branch:5", "send", "wait:72h", "send"}, branch: branch}
		env := seqEnv(f)
		start := env.Now()
		env.ExecuteWorkflow(SequenceWorkflowName, SequenceInput{EnrolmentID: "e1", SequenceID: "s1", LeadID: "l1"})
		if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
			t.Fatalf("branch %v: completed %v, err %v", branch, env.IsWorkflowCompleted(), env.GetWorkflowError())
		}
		want := []int{0, 3, 5}
		if branch {
			want = []int{0, 5}
		}
		if len(f.sent) != len(want) {
			t.Fatalf("branch %v: sent steps %v, want %v", branch, f.sent, want)
		}
		for i := range want {
			if f.sent[i] != want[i] {
				t.Fatalf("branch %v: sent steps %v, want %v", branch, f.sent, want)
			}
		}
		if d := f.at[1].Sub(start); d < 72*time.Hour {
			t.Fatalf("branch %v: the second message went out %v after the first, before the wait", branch, d)
		}
	}
}

// TestSequenceWorkflowExitOnClaim: the lead is claimed during a wait (the
// service signals the exit): the workflow ends at once and sends nothing more.
func TestSequenceWorkflowExitOnClaim(t *testing.T) {
	f := &seqFake{steps: []string{"send", "wait:72h", "send"}}
	env := seqEnv(f)
	start := env.Now()
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalSequenceExit, nil) }, time.Hour)
	env.ExecuteWorkflow(SequenceWorkflowName, SequenceInput{EnrolmentID: "e1", SequenceID: "s1", LeadID: "l1"})
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("completed %v, err %v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	if len(f.sent) != 1 || f.sent[0] != 0 {
		t.Fatalf("sent steps %v, want only the first", f.sent)
	}
	if d := env.Now().Sub(start); d >= 72*time.Hour {
		t.Fatalf("the workflow ended %v after it started: it waited out the wait", d)
	}
}
