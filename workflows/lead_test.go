package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/leadflow/leadflow/lead"
)

// fakeActivities stands in for the activities: the workflow's own logic is under test here.
type fakeActivities struct {
	intake   lead.Status
	claimErr *lead.Error
	claims   int
}

func (f *fakeActivities) register(env *testsuite.TestWorkflowEnvironment) {
	env.RegisterActivityWithOptions(func(ctx context.Context, in LeadInput) (lead.Lead, error) {
		l := in.Lead
		l.Status = f.intake
		if f.intake == lead.StatusPooled {
			l.PoolID = lead.DefaultPoolID
		} else {
			l.RejectReasons = []string{"phone number is not valid for its country"}
		}
		return l, nil
	}, activity.RegisterOptions{Name: ActivityIntake})
	env.RegisterActivityWithOptions(func(ctx context.Context, c lead.Claim) (lead.Lead, error) {
		f.claims++
		if f.claimErr != nil {
			return lead.Lead{}, temporal.NewNonRetryableApplicationError(f.claimErr.Message, string(f.claimErr.Code), nil, f.claimErr)
		}
		return lead.Lead{ID: c.LeadID, Status: lead.StatusAssigned, OwnerID: c.RepID, PoolID: lead.DefaultPoolID}, nil
	}, activity.RegisterOptions{Name: ActivityClaim})
	env.RegisterActivityWithOptions(func(ctx context.Context, n lead.NewFollowUp) (lead.FollowUp, error) {
		fu := n.FollowUp
		fu.CreatedAt = time.Now()
		return fu, nil
	}, activity.RegisterOptions{Name: ActivityFollowUp})
	env.RegisterActivityWithOptions(func(ctx context.Context, c lead.Conversion) (lead.Converted, error) {
		return lead.Converted{
			Lead:     lead.Lead{ID: c.LeadID, Status: lead.StatusConverted, CustomerID: c.CustomerID},
			Customer: lead.Customer{ID: c.CustomerID, LeadID: c.LeadID},
		}, nil
	}, activity.RegisterOptions{Name: ActivityConvert})
}

func newEnv(t *testing.T, f *fakeActivities) *testsuite.TestWorkflowEnvironment {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(LeadWorkflow)
	f.register(env)
	return env
}

// updateResult collects what an update returned.
type updateResult struct {
	rejected, failed error
	accepted         bool
	value            any
}

func sendUpdate[T any](env *testsuite.TestWorkflowEnvironment, name, id string, out *updateResult, arg ...any) {
	env.UpdateWorkflow(name, id, &testsuite.TestUpdateCallback{
		OnReject: func(err error) { out.rejected = err },
		OnAccept: func() { out.accepted = true },
		OnComplete: func(v any, err error) {
			out.failed = err
			if err == nil {
				out.value = v.(T)
			}
		},
	}, arg...)
}

func TestRejectedLeadEndsTheWorkflow(t *testing.T) {
	f := &fakeActivities{intake: lead.StatusRejected}
	env := newEnv(t, f)
	var intake updateResult
	env.RegisterDelayedCallback(func() { sendUpdate[lead.IntakeResult](env, UpdateIntake, "intake", &intake) }, 0)
	env.ExecuteWorkflow(LeadWorkflow, LeadInput{Lead: lead.Lead{ID: "l1", Contact: lead.Contact{Company: "Acme Trading", Phone: "123"}}})
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("completed=%v err=%v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	var out lead.Lead
	if err := env.GetWorkflowResult(&out); err != nil || out.Status != lead.StatusRejected {
		t.Fatalf("result %+v %v", out, err)
	}
	if !intake.accepted || intake.failed != nil || intake.value.(lead.IntakeResult).Status != lead.StatusRejected {
		t.Fatalf("intake update: %+v", intake)
	}
}

func TestClaimFollowUpConvert(t *testing.T) {
	f := &fakeActivities{intake: lead.StatusPooled}
	env := newEnv(t, f)
	var early, claim, second, fu, conv updateResult
	env.RegisterDelayedCallback(func() {
		// A follow-up before the claim is refused by the validator.
		sendUpdate[lead.FollowUp](env, UpdateFollowUp, "fu0", &early, FollowUpInput{AuthorID: "rep1", Type: "call", Content: "hi"})
	}, time.Second)
	env.RegisterDelayedCallback(func() {
		sendUpdate[lead.Lead](env, UpdateClaim, "c1", &claim, ClaimInput{RepID: "rep1", Reason: "knows them"})
	}, 2*time.Second)
	env.RegisterDelayedCallback(func() {
		sendUpdate[lead.Lead](env, UpdateClaim, "c2", &second, ClaimInput{RepID: "rep2"})
	}, 3*time.Second)
	env.RegisterDelayedCallback(func() {
		sendUpdate[lead.FollowUp](env, UpdateFollowUp, "fu1", &fu, FollowUpInput{FollowUpID: "f1", AuthorID: "rep1", Type: "call", Content: "called", Stage: "Follow-up"})
	}, 4*time.Second)
	var afterFollowUp lead.Lead
	env.RegisterDelayedCallback(func() {
		if v, err := env.QueryWorkflow(QueryLead); err == nil {
			_ = v.Get(&afterFollowUp)
		}
	}, 4500*time.Millisecond)
	env.RegisterDelayedCallback(func() {
		sendUpdate[lead.Converted](env, UpdateConvert, "cv1", &conv, ConvertInput{ActorID: "rep1", CustomerID: "cust1"})
	}, 5*time.Second)
	env.ExecuteWorkflow(LeadWorkflow, LeadInput{Lead: lead.Lead{ID: "l2", Contact: lead.Contact{Company: "Acme Trading", Phone: "13800138000", Country: "CN"}}})

	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("completed=%v err=%v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	if DomainError(early.rejected) == nil || DomainError(early.rejected).Code != lead.CodeConflict {
		t.Fatalf("early follow-up should be refused with a conflict: %+v", early)
	}
	if claim.failed != nil || claim.value.(lead.Lead).OwnerID != "rep1" {
		t.Fatalf("claim: %+v", claim)
	}
	if e := DomainError(second.rejected); e == nil || e.Code != lead.CodeConflict || len(e.Reasons) == 0 {
		t.Fatalf("second claim should be refused with reasons: %+v", second)
	}
	if f.claims != 1 {
		t.Fatalf("the refused claim must not reach the store: %d claims", f.claims)
	}
	if fu.failed != nil || fu.value.(lead.FollowUp).ID != "f1" {
		t.Fatalf("follow-up: %+v", fu)
	}
	if conv.failed != nil || conv.value.(lead.Converted).Customer.ID != "cust1" {
		t.Fatalf("convert: %+v", conv)
	}
	var out lead.Lead
	if err := env.GetWorkflowResult(&out); err != nil || out.Status != lead.StatusConverted {
		t.Fatalf("result %+v %v", out, err)
	}
	if afterFollowUp.Stage != "Follow-up" || afterFollowUp.LastFollowUpAt == nil {
		t.Fatalf("follow-up not reflected in the workflow's view: %+v", afterFollowUp)
	}
}

func TestClaimRefusedByStoreKeepsLeadPooled(t *testing.T) {
	f := &fakeActivities{intake: lead.StatusPooled, claimErr: lead.Conflict("the lead cannot be claimed", "capacity reached: the rep holds 5 of 5 leads")}
	env := newEnv(t, f)
	var claim updateResult
	var state lead.Lead
	env.RegisterDelayedCallback(func() {
		sendUpdate[lead.Lead](env, UpdateClaim, "c1", &claim, ClaimInput{RepID: "rep1"})
	}, time.Second)
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryLead)
		if err == nil {
			_ = v.Get(&state)
		}
		env.CancelWorkflow()
	}, 2*time.Second)
	env.ExecuteWorkflow(LeadWorkflow, LeadInput{Lead: lead.Lead{ID: "l3", Contact: lead.Contact{Company: "Acme Trading", Phone: "13800138000", Country: "CN"}}})
	e := DomainError(claim.failed)
	if e == nil || e.Code != lead.CodeConflict || len(e.Reasons) != 1 || e.Reasons[0] != "capacity reached: the rep holds 5 of 5 leads" {
		t.Fatalf("claim should fail with the store's reasons: %+v", claim)
	}
	if state.Status != lead.StatusPooled {
		t.Fatalf("lead should stay pooled, is %s", state.Status)
	}
}

// TestSearchAttributesFollowTheInput checks that a run upserts LeadStatus,
// OwnerId and PoolId as its lead moves only when its input asks for it
// (LeadInput.NoSearchAttributes false: KeepSearchAttributes, or a history
// from before the switch), and that a run of revision 1 asks no
// GetVersion (whose marker upserts TemporalChangeVersion).
func TestSearchAttributesFollowTheInput(t *testing.T) {
	for _, c := range []struct {
		name            string
		in              LeadInput
		want, versioned bool
	}{
		{"kept", LeadInput{Revision: LeadRevision}, true, false},
		{"off", LeadInput{NoSearchAttributes: true, Revision: LeadRevision}, false, false},
		{"before revisions", LeadInput{}, true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeActivities{intake: lead.StatusPooled}
			env := newEnv(t, f)
			upserts := 0
			env.OnUpsertTypedSearchAttributes(mock.Anything).Return(nil).Run(func(mock.Arguments) { upserts++ })
			versions := 0 // GetVersion's upserts of TemporalChangeVersion
			env.OnUpsertSearchAttributes(mock.Anything).Return(nil).Run(func(mock.Arguments) { versions++ })
			var claim updateResult
			env.RegisterDelayedCallback(func() {
				sendUpdate[lead.Lead](env, UpdateClaim, "c1", &claim, ClaimInput{RepID: "rep1"})
			}, time.Second)
			env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, 2*time.Second)
			in := c.in
			in.Lead = lead.Lead{ID: "l9", Contact: lead.Contact{Company: "Acme Trading", Phone: "13800138000", Country: "CN"}}
			env.ExecuteWorkflow(LeadWorkflow, in)
			if claim.failed != nil || claim.value.(lead.Lead).OwnerID != "rep1" {
				t.Fatalf("claim: %+v", claim)
			}
			if got := upserts > 0; got != c.want {
				t.Fatalf("%d upserts of the search attributes, want them: %v", upserts, c.want)
			}
			if got := versions > 0; got != c.versioned {
				t.Fatalf("%d GetVersion upserts, want them: %v", versions, c.versioned)
			}
		})
	}
}
