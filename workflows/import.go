package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/leadflow/leadflow/lead"
)

// DefaultImportBatch is how many rows one ImportBatch activity processes
// when ImportInput.BatchSize is 0 (imports started before BatchSize was set).
const DefaultImportBatch = 200

// ImportBatchSize is the batch size imports start with: fewer batches, so
// fewer waits for a batch's slowest rows.
const ImportBatchSize = 500

// ImportBatchesPerRun is how many batches one run of ImportWorkflow
// processes before it continues as new, keeping each history short
// (about six events per batch).
const ImportBatchesPerRun = 50

// ImportInput starts (or continues) an ImportWorkflow: rows at positions
// [Offset, Total) remain to be processed.
type ImportInput struct {
	ImportID  string `json:"import_id"`
	Total     int    `json:"total"`
	Offset    int    `json:"offset,omitempty"`
	BatchSize int    `json:"batch_size,omitempty"`
	// Parallel is how many batches run at once, each an activity any
	// worker may take: the intake of a large import is spread over every
	// worker of the task queue. 0 or 1 (imports started before it was
	// set): one batch after the other.
	Parallel int `json:"parallel,omitempty"`
}

// ImportParallel is the Parallel imports start with: enough batches at
// once for every worker of a small cluster to take one (each batch takes
// its rows in 32 at a time, activities.DefaultImportConcurrency).
const ImportParallel = 4

// ImportBatchInput is the payload of the ImportBatch activity: the rows at
// positions [From, To).
type ImportBatchInput struct {
	ImportID string `json:"import_id"`
	From     int    `json:"from"`
	To       int    `json:"to"`
}

// ImportBatchResult says how many rows of the batch the activity processed
// (rows processed by an earlier attempt are not counted again).
type ImportBatchResult struct {
	Processed int `json:"processed"`
}

// FinishedInput is the payload of ImportFinished and ExportFinished:
// Error is set when the job failed.
type FinishedInput struct {
	ID    string `json:"id"`
	Error string `json:"error,omitempty"`
}

// ImportSummary is what an import ended with.
type ImportSummary struct {
	ImportID string `json:"import_id"`
	Status   string `json:"status"`
	lead.ImportCounts
	Error string `json:"error,omitempty"`
}

// bulkRetry retries what can succeed later (the database, Temporal) and
// stops at once on a refusal.
var bulkRetry = &temporal.RetryPolicy{
	InitialInterval:        time.Second,
	BackoffCoefficient:     2,
	MaximumInterval:        time.Minute,
	NonRetryableErrorTypes: nonRetryable,
}

// finishOptions are those of the final step of an import or export.
var finishOptions = workflow.ActivityOptions{StartToCloseTimeout: time.Minute, RetryPolicy: bulkRetry}

// importSequential runs the batches one after the other (ImportInput's
// Parallel 0 or 1). It returns a batch's failure, or the continue-as-new
// error after ImportBatchesPerRun batches.
func importSequential(ctx, actx workflow.Context, in *ImportInput, size int) (string, error) {
	for batches := 0; in.Offset < in.Total; batches++ {
		if batches == ImportBatchesPerRun {
			return "", workflow.NewContinueAsNewError(ctx, ImportWorkflow, *in)
		}
		to := min(in.Offset+size, in.Total)
		err := workflow.ExecuteActivity(actx, ActivityImportBatch, ImportBatchInput{ImportID: in.ImportID, From: in.Offset, To: to}).Get(ctx, nil)
		if err != nil {
			return batchFailure(err), nil
		}
		in.Offset = to
	}
	return "", nil
}

// importParallel runs up to in.Parallel batches at once, in the order of
// their rows. After ImportBatchesPerRun batches it waits for those still
// running and continues as new from the offset reached; after a batch
// fails it starts no other and returns the failure once the running ones
// are done.
func importParallel(ctx, actx workflow.Context, in *ImportInput, size int) (string, error) {
	var failure string
	running, started := 0, 0
	sel := workflow.NewSelector(ctx)
	for {
		for failure == "" && in.Offset < in.Total && started < ImportBatchesPerRun && running < in.Parallel {
			to := min(in.Offset+size, in.Total)
			f := workflow.ExecuteActivity(actx, ActivityImportBatch, ImportBatchInput{ImportID: in.ImportID, From: in.Offset, To: to})
			sel.AddFuture(f, func(f workflow.Future) {
				running--
				if err := f.Get(ctx, nil); err != nil && failure == "" {
					failure = batchFailure(err)
				}
			})
			running++
			started++
			in.Offset = to
		}
		if running == 0 {
			break
		}
		sel.Select(ctx)
	}
	if failure == "" && in.Offset < in.Total {
		return "", workflow.NewContinueAsNewError(ctx, ImportWorkflow, *in)
	}
	return failure, nil
}

// batchFailure is what an import that a batch failed records.
func batchFailure(err error) string {
	if e := DomainError(err); e != nil {
		return e.Error()
	}
	return err.Error()
}

// ImportWorkflow imports the rows of a stored import in batches: one
// ImportBatch activity per batch, which starts a LeadWorkflow for every
// valid row and records each row's outcome; in.Parallel batches run at
// once (on whichever workers take them). After ImportBatchesPerRun
// batches it continues as new with the offset reached. A bad row never
// stops the import; only a failure of the import itself (its rows gone)
// does, and the import is then marked failed.
func ImportWorkflow(ctx workflow.Context, in ImportInput) (ImportSummary, error) {
	size := in.BatchSize
	if size <= 0 {
		size = DefaultImportBatch
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 15 * time.Minute,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy:         bulkRetry,
	})
	var failure string
	var err error
	if in.Parallel > 1 {
		failure, err = importParallel(ctx, actx, &in, size)
	} else {
		failure, err = importSequential(ctx, actx, &in, size)
	}
	if err != nil {
		return ImportSummary{ImportID: in.ImportID}, err // continue as new
	}
	// The final step marks the import completed (or failed) and returns its
	// counts; the e-mail telling the importer follows as its own activity.
	fctx := workflow.WithActivityOptions(ctx, finishOptions)
	var sum ImportSummary
	if err := workflow.ExecuteActivity(fctx, ActivityImportFinished, FinishedInput{ID: in.ImportID, Error: failure}).Get(ctx, &sum); err != nil {
		return sum, err
	}
	// The importer hears of it, with the counts and the link; a failed
	// e-mail is logged and recorded, it does not fail the import.
	if err := SendEmail(ctx, lead.Email{Key: ImportWorkflowID(in.ImportID) + "/finished", Kind: lead.EmailImportFinished, Ref: in.ImportID}).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("import e-mail failed", "import", in.ImportID, "error", err)
	}
	return sum, nil
}
