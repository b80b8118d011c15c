package workflows

import (
	"context"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"go.temporal.io/sdk/workflow"

	"github.com/leadflow/leadflow/lead"
)

// The bulk actions (issue 28): one lead action applied to many leads by a
// BulkWorkflow, lead by lead through each lead's own workflow, as the
// single action does.

// BulkWorkflowName is the name of BulkWorkflow, as the worker registers it.
const BulkWorkflowName = "BulkWorkflow"

// The activities of a bulk action (the methods of activities.Bulk).
const (
	ActivityBulkSelect   = "BulkSelect"   // bulk id -> the number of leads selected
	ActivityBulkBatch    = "BulkBatch"    // BulkBatchInput -> BulkBatchResult
	ActivityBulkFinished = "BulkFinished" // FinishedInput -> BulkSummary
)

// BulkWorkflowID is the workflow ID of a bulk action's BulkWorkflow.
func BulkWorkflowID(bulkID string) string { return "bulk/" + bulkID }

// StartBulk starts the BulkWorkflow of a stored bulk action, once.
func StartBulk(ctx context.Context, c client.Client, bulkID string) error {
	return startOnce(ctx, c, BulkWorkflowID(bulkID), BulkWorkflowName, BulkInput{BulkID: bulkID}, temporal.SearchAttributes{})
}

// BulkBatchSize is how many leads one BulkBatch activity acts on.
const BulkBatchSize = 100

// BulkBatchesPerRun is how many batches one run of BulkWorkflow goes
// through before it continues as new (about six events a batch).
const BulkBatchesPerRun = 50

// BulkEmailOver is the size of a job above which its creator is e-mailed
// when it finishes.
const BulkEmailOver = 1000

// BulkInput starts (or continues) a BulkWorkflow: once Selected, the
// leads at positions [Offset, Total) of its selection remain.
type BulkInput struct {
	BulkID    string `json:"bulk_id"`
	Selected  bool   `json:"selected,omitempty"`
	Total     int    `json:"total,omitempty"`
	Offset    int    `json:"offset,omitempty"`
	BatchSize int    `json:"batch_size,omitempty"`
}

// BulkBatchInput is the payload of the BulkBatch activity: the leads at
// positions [From, To) of the selection.
type BulkBatchInput struct {
	BulkID string `json:"bulk_id"`
	From   int    `json:"from"`
	To     int    `json:"to"`
}

// BulkBatchResult says how many leads the batch acted on (an earlier
// attempt's not counted again) and whether the job was cancelled.
type BulkBatchResult struct {
	Processed int  `json:"processed"`
	Cancelled bool `json:"cancelled,omitempty"`
}

// BulkSummary is what a bulk action ended with.
type BulkSummary struct {
	BulkID    string `json:"bulk_id"`
	Status    string `json:"status"`
	Total     int    `json:"total"`
	Succeeded int    `json:"succeeded"`
	Refused   int    `json:"refused"`
	Failed    int    `json:"failed"`
	Error     string `json:"error,omitempty"`
}

// BulkWorkflow runs a stored bulk action: it freezes its selection
// (BulkSelect), then acts on its leads in batches (BulkBatch: each lead
// through its workflow's update, with an idempotency key of the job and
// the lead, so a retried batch repeats nothing), continuing as new every
// BulkBatchesPerRun batches. A cancelled job stops before its next batch.
// It ends by marking the job done (BulkFinished) and, above BulkEmailOver
// leads, e-mailing its creator.
func BulkWorkflow(ctx workflow.Context, in BulkInput) (BulkSummary, error) {
	size := in.BatchSize
	if size <= 0 {
		size = BulkBatchSize
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 15 * time.Minute,
		HeartbeatTimeout:    30 * time.Second,
		RetryPolicy:         bulkRetry,
	})
	var failure string
	fail := func(err error) {
		failure = err.Error()
		if e := DomainError(err); e != nil {
			failure = e.Error()
		}
	}
	if !in.Selected {
		if err := workflow.ExecuteActivity(actx, ActivityBulkSelect, in.BulkID).Get(ctx, &in.Total); err != nil {
			fail(err)
		}
		in.Selected = true
	}
	for batches := 0; failure == "" && in.Offset < in.Total; batches++ {
		if batches == BulkBatchesPerRun {
			return BulkSummary{BulkID: in.BulkID}, workflow.NewContinueAsNewError(ctx, BulkWorkflow, in)
		}
		to := min(in.Offset+size, in.Total)
		var res BulkBatchResult
		if err := workflow.ExecuteActivity(actx, ActivityBulkBatch, BulkBatchInput{BulkID: in.BulkID, From: in.Offset, To: to}).Get(ctx, &res); err != nil {
			fail(err)
			break
		}
		if res.Cancelled {
			break
		}
		in.Offset = to
	}
	fctx := workflow.WithActivityOptions(ctx, finishOptions)
	var sum BulkSummary
	if err := workflow.ExecuteActivity(fctx, ActivityBulkFinished, FinishedInput{ID: in.BulkID, Error: failure}).Get(ctx, &sum); err != nil {
		return sum, err
	}
	if sum.Total > BulkEmailOver {
		if err := SendEmail(ctx, lead.Email{Key: BulkWorkflowID(in.BulkID) + "/finished", Kind: lead.EmailBulkFinished, Ref: in.BulkID}).Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("bulk action e-mail failed", "bulk", in.BulkID, "error", err)
		}
	}
	return sum, nil
}
