package workflows

import (
	"context"
	"errors"
	"testing"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"

	"github.com/leadflow/leadflow/lead"
)

// TestFacebookLeadWorkflow: the Graph API fetch is retried until it
// answers, its record taken in as the delivery leadgen:<id>; a source
// that is gone ends the workflow without retrying.
func TestFacebookLeadWorkflow(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	run := func(fetch func() (map[string]string, error)) (string, []SourceRecordInput, int, error) {
		env := s.NewTestWorkflowEnvironment()
		fetches := 0
		var taken []SourceRecordInput
		env.RegisterActivityWithOptions(func(ctx context.Context, in FacebookLeadInput) (map[string]string, error) {
			fetches++
			if fetches < 3 {
				return nil, errors.New("the Graph API answered 503")
			}
			return fetch()
		}, activity.RegisterOptions{Name: ActivityFetchFacebookLead})
		env.RegisterActivityWithOptions(func(ctx context.Context, in SourceRecordInput) (string, error) {
			taken = append(taken, in)
			return "lead-1", nil
		}, activity.RegisterOptions{Name: ActivityIntakeSourceRecord})
		env.ExecuteWorkflow(FacebookLeadWorkflow, FacebookLeadInput{SourceID: "src", LeadgenID: "L1"})
		var id string
		err := env.GetWorkflowError()
		if err == nil {
			err = env.GetWorkflowResult(&id)
		}
		return id, taken, fetches, err
	}
	id, taken, fetches, err := run(func() (map[string]string, error) { return map[string]string{"email": "a@b.example"}, nil })
	if err != nil || id != "lead-1" || fetches != 3 || len(taken) != 1 || taken[0].DeliveryID != "leadgen:L1" || taken[0].Record["email"] != "a@b.example" {
		t.Fatalf("got %q %v after %d fetches, took %+v", id, err, fetches, taken)
	}
	_, taken, fetches, err = run(func() (map[string]string, error) {
		return nil, Refusal(lead.Errorf(lead.CodeNotFound, "source not found"))
	})
	if err == nil || fetches != 3 || len(taken) != 0 {
		t.Fatalf("a source that is gone: %v after %d fetches, took %+v", err, fetches, taken)
	}
}
