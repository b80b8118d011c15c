package workflows

import (
	"context"
	"errors"
	"testing"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/leadflow/leadflow/lead"
)

// bulkEnv runs BulkWorkflow over a selection of total leads, its batches
// answered by batch; mails counts the e-mails sent, and 100 a selection.
func bulkEnv(total int, batch func(BulkBatchInput) BulkBatchResult, finished *[]FinishedInput, mails *int) *testsuite.TestWorkflowEnvironment {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(BulkWorkflow, workflow.RegisterOptions{Name: BulkWorkflowName})
	env.RegisterActivityWithOptions(func(context.Context, string) (int, error) {
		*mails += 100 // a selection: counted apart from the e-mails
		return total, nil
	}, activity.RegisterOptions{Name: ActivityBulkSelect})
	env.RegisterActivityWithOptions(func(_ context.Context, in BulkBatchInput) (BulkBatchResult, error) { return batch(in), nil },
		activity.RegisterOptions{Name: ActivityBulkBatch})
	env.RegisterActivityWithOptions(func(_ context.Context, in FinishedInput) (BulkSummary, error) {
		*finished = append(*finished, in)
		return BulkSummary{BulkID: in.ID, Status: "done", Total: total, Succeeded: total}, nil
	}, activity.RegisterOptions{Name: ActivityBulkFinished})
	env.RegisterActivityWithOptions(func(_ context.Context, e lead.Email) error {
		if e.Kind == lead.EmailBulkFinished {
			*mails++
		}
		return nil
	}, activity.RegisterOptions{Name: ActivityEmail})
	return env
}

// TestBulkWorkflowBatches: the selection is made once, its leads covered
// by consecutive batches; a run continues as new after BulkBatchesPerRun
// batches, and the continuation finishes the job and e-mails its creator
// (more than BulkEmailOver leads).
func TestBulkWorkflowBatches(t *testing.T) {
	total := BulkBatchesPerRun*BulkBatchSize + 7
	var batches []BulkBatchInput
	var finished []FinishedInput
	mails := 0
	record := func(in BulkBatchInput) BulkBatchResult {
		batches = append(batches, in)
		return BulkBatchResult{Processed: in.To - in.From}
	}
	env := bulkEnv(total, record, &finished, &mails)
	env.ExecuteWorkflow(BulkWorkflow, BulkInput{BulkID: "b"})
	var can *workflow.ContinueAsNewError
	if !env.IsWorkflowCompleted() || !errors.As(env.GetWorkflowError(), &can) {
		t.Fatalf("want continue-as-new, got %v", env.GetWorkflowError())
	}
	if len(batches) != BulkBatchesPerRun || batches[0] != (BulkBatchInput{BulkID: "b", From: 0, To: BulkBatchSize}) || len(finished) != 0 || mails != 100 {
		t.Fatalf("first run: %d batches, first %+v, finished %v", len(batches), batches[0], finished)
	}
	var next BulkInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil ||
		next != (BulkInput{BulkID: "b", Selected: true, Total: total, Offset: BulkBatchesPerRun * BulkBatchSize}) {
		t.Fatalf("continued with %+v, %v", next, err)
	}
	batches = nil
	env = bulkEnv(total, record, &finished, &mails)
	env.ExecuteWorkflow(BulkWorkflow, next)
	var sum BulkSummary
	if err := env.GetWorkflowResult(&sum); err != nil || sum.Status != "done" {
		t.Fatalf("result %+v, %v", sum, err)
	}
	if len(batches) != 1 || batches[0].From != BulkBatchesPerRun*BulkBatchSize || batches[0].To != total || len(finished) != 1 || mails != 101 {
		t.Fatalf("second run (no second selection, one e-mail): %+v, finished %v, %d", batches, finished, mails)
	}
}

// TestBulkWorkflowCancelled: a batch that finds the job cancelled ends
// it before the next batch; a small job e-mails nobody.
func TestBulkWorkflowCancelled(t *testing.T) {
	var batches []BulkBatchInput
	var finished []FinishedInput
	mails := 0
	env := bulkEnv(3*BulkBatchSize, func(in BulkBatchInput) BulkBatchResult {
		batches = append(batches, in)
		return BulkBatchResult{Cancelled: len(batches) == 2}
	}, &finished, &mails)
	env.ExecuteWorkflow(BulkWorkflow, BulkInput{BulkID: "b"})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if len(batches) != 2 || len(finished) != 1 || finished[0].Error != "" || mails != 100 {
		t.Fatalf("%d batches, finished %v, %d e-mails", len(batches), finished, mails)
	}
}
