package workflows

import (
	"context"
	"errors"
	"sync"
	"testing"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/leadflow/leadflow/lead"
)

func importEnv(t *testing.T, batch func(ImportBatchInput) error, finished *[]FinishedInput) *testsuite.TestWorkflowEnvironment {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(ImportWorkflow, workflow.RegisterOptions{Name: "ImportWorkflow"})
	env.RegisterActivityWithOptions(func(ctx context.Context, in ImportBatchInput) (ImportBatchResult, error) {
		return ImportBatchResult{Processed: in.To - in.From}, batch(in)
	}, activity.RegisterOptions{Name: ActivityImportBatch})
	env.RegisterActivityWithOptions(func(ctx context.Context, in FinishedInput) (ImportSummary, error) {
		*finished = append(*finished, in)
		status := "completed"
		if in.Error != "" {
			status = "failed"
		}
		return ImportSummary{ImportID: in.ID, Status: status, Error: in.Error}, nil
	}, activity.RegisterOptions{Name: ActivityImportFinished})
	return env
}

// TestImportWorkflowBatches: the rows are covered by consecutive batches,
// and a run continues as new after ImportBatchesPerRun batches with the
// offset reached.
func TestImportWorkflowBatches(t *testing.T) {
	var batches []ImportBatchInput
	var finished []FinishedInput
	env := importEnv(t, func(in ImportBatchInput) error { batches = append(batches, in); return nil }, &finished)
	total := ImportBatchesPerRun*10 + 7
	env.ExecuteWorkflow(ImportWorkflow, ImportInput{ImportID: "imp", Total: total, BatchSize: 10})
	var can *workflow.ContinueAsNewError
	if !env.IsWorkflowCompleted() || !errors.As(env.GetWorkflowError(), &can) {
		t.Fatalf("want continue-as-new, got %v", env.GetWorkflowError())
	}
	if len(batches) != ImportBatchesPerRun || batches[0] != (ImportBatchInput{ImportID: "imp", From: 0, To: 10}) ||
		batches[len(batches)-1].To != ImportBatchesPerRun*10 || len(finished) != 0 {
		t.Fatalf("first run: %d batches, last %+v, finished %v", len(batches), batches[len(batches)-1], finished)
	}
	var next ImportInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil || next.Offset != ImportBatchesPerRun*10 || next.Total != total {
		t.Fatalf("continued with %+v, %v", next, err)
	}

	// The continuation finishes the rest and the import.
	batches = nil
	env = importEnv(t, func(in ImportBatchInput) error { batches = append(batches, in); return nil }, &finished)
	env.ExecuteWorkflow(ImportWorkflow, next)
	var sum ImportSummary
	if err := env.GetWorkflowResult(&sum); err != nil || sum.Status != "completed" {
		t.Fatalf("result %+v, %v", sum, err)
	}
	if len(batches) != 1 || batches[0].From != ImportBatchesPerRun*10 || batches[0].To != total || len(finished) != 1 {
		t.Fatalf("second run: %+v, finished %v", batches, finished)
	}
}

// TestImportWorkflowParallel: with Parallel, the batches still cover every
// row once, a run continues as new after ImportBatchesPerRun batches once
// they are all done, and a batch refused for good stops the starting of
// others (those the workflow had not learnt of the failure before still
// run) and fails the import.
func TestImportWorkflowParallel(t *testing.T) {
	var mu sync.Mutex
	seen := map[int]int{}
	var finished []FinishedInput
	record := func(in ImportBatchInput) error {
		mu.Lock()
		defer mu.Unlock()
		for r := in.From; r < in.To; r++ {
			seen[r]++
		}
		return nil
	}
	total := ImportBatchesPerRun*10 + 7
	env := importEnv(t, record, &finished)
	env.ExecuteWorkflow(ImportWorkflow, ImportInput{ImportID: "imp", Total: total, BatchSize: 10, Parallel: 4})
	var can *workflow.ContinueAsNewError
	if !env.IsWorkflowCompleted() || !errors.As(env.GetWorkflowError(), &can) {
		t.Fatalf("want continue-as-new, got %v", env.GetWorkflowError())
	}
	var next ImportInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil || next.Offset != ImportBatchesPerRun*10 || next.Parallel != 4 {
		t.Fatalf("continued with %+v, %v", next, err)
	}
	env = importEnv(t, record, &finished)
	env.ExecuteWorkflow(ImportWorkflow, next)
	var sum ImportSummary
	if err := env.GetWorkflowResult(&sum); err != nil || sum.Status != "completed" || len(finished) != 1 {
		t.Fatalf("result %+v, %v, finished %v", sum, err, finished)
	}
	if len(seen) != total {
		t.Fatalf("%d rows seen of %d", len(seen), total)
	}
	for r, n := range seen {
		if n != 1 {
			t.Fatalf("row %d in %d batches", r, n)
		}
	}

	finished = nil
	batches := 0
	env = importEnv(t, func(in ImportBatchInput) error {
		mu.Lock()
		defer mu.Unlock()
		batches++
		if in.From == 20 {
			e := lead.Errorf(lead.CodeNotFound, "import not found")
			return temporal.NewNonRetryableApplicationError(e.Message, string(e.Code), nil, e)
		}
		return nil
	}, &finished)
	env.ExecuteWorkflow(ImportWorkflow, ImportInput{ImportID: "imp", Total: 1000, BatchSize: 10, Parallel: 4})
	if err := env.GetWorkflowResult(&sum); err != nil || sum.Status != "failed" || len(finished) != 1 || finished[0].Error != "import not found" {
		t.Fatalf("result %+v, %v, finished %+v", sum, err, finished)
	}
	t.Logf("%d batches of 100 ran (the third failed)", batches)
}

// TestImportWorkflowFails: a batch refused for good marks the import failed.
func TestImportWorkflowFails(t *testing.T) {
	var finished []FinishedInput
	env := importEnv(t, func(in ImportBatchInput) error {
		e := lead.Errorf(lead.CodeNotFound, "import not found")
		return temporal.NewNonRetryableApplicationError(e.Message, string(e.Code), nil, e)
	}, &finished)
	env.ExecuteWorkflow(ImportWorkflow, ImportInput{ImportID: "imp", Total: 5})
	var sum ImportSummary
	if err := env.GetWorkflowResult(&sum); err != nil || sum.Status != "failed" {
		t.Fatalf("result %+v, %v", sum, err)
	}
	if len(finished) != 1 || finished[0].Error != "import not found" {
		t.Fatalf("finished %+v", finished)
	}
}

// TestExportWorkflow: the file is made, then the export finished; a failure
// is recorded on the export.
func TestExportWorkflow(t *testing.T) {
	for _, fail := range []bool{false, true} {
		var suite testsuite.WorkflowTestSuite
		env := suite.NewTestWorkflowEnvironment()
		env.RegisterWorkflowWithOptions(ExportWorkflow, workflow.RegisterOptions{Name: "ExportWorkflow"})
		env.RegisterActivityWithOptions(func(ctx context.Context, id string) error {
			if fail {
				e := lead.Invalid(lead.FieldError{Field: "filters", Reason: "select too many leads"})
				return temporal.NewNonRetryableApplicationError(e.Message, string(e.Code), nil, e)
			}
			return nil
		}, activity.RegisterOptions{Name: ActivityExport})
		var got FinishedInput
		env.RegisterActivityWithOptions(func(ctx context.Context, in FinishedInput) (ExportSummary, error) {
			got = in
			return ExportSummary{ExportID: in.ID, Error: in.Error}, nil
		}, activity.RegisterOptions{Name: ActivityExportFinished})
		env.ExecuteWorkflow(ExportWorkflow, ExportInput{ExportID: "exp"})
		if err := env.GetWorkflowError(); err != nil {
			t.Fatal(err)
		}
		if got.ID != "exp" || (got.Error != "") != fail {
			t.Fatalf("fail=%v: finished with %+v", fail, got)
		}
		if fail && got.Error != "the request has invalid fields; filters: select too many leads" {
			t.Fatalf("error %q", got.Error)
		}
	}
}
