package activities

import (
	"context"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/workflows"
)

// BulkRunner acts on the leads of one batch of a bulk action, each through
// the service's single action (the worker sets it to the service's
// RunBulkBatch): retry says an earlier attempt of the batch may have acted
// on some of them, beat reports progress.
type BulkRunner func(ctx context.Context, in workflows.BulkBatchInput, retry bool, beat func(done int)) (workflows.BulkBatchResult, error)

// BulkSelect freezes the selection of a bulk action: the leads it names,
// in the order given, or those its filter selects (what the
// lead list shows its creator), newest first. It returns how many; a
// retried step keeps the first selection.
func (b *Bulk) BulkSelect(ctx context.Context, bulkID string) (int, error) {
	job, err := b.Store.BulkAction(ctx, bulkID)
	if err != nil {
		return 0, wrap(err)
	}
	if job.Selected {
		return job.Total, nil
	}
	ids := job.LeadIDs // unique, checked when the job was asked for
	if job.Filter != nil {
		ids, err = b.Store.LeadIDsOf(ctx, *job.Filter, store.MaxBulkLeads, func(n int) { activity.RecordHeartbeat(ctx, n) })
		if err != nil {
			return 0, wrap(err)
		}
	}
	if ids == nil {
		ids = []string{}
	}
	return b.Store.SelectBulk(ctx, bulkID, ids)
}

// BulkBatch acts on the leads of a bulk action at positions [From, To)
// not acted on yet, through Act (BulkRunner).
func (b *Bulk) BulkBatch(ctx context.Context, in workflows.BulkBatchInput) (workflows.BulkBatchResult, error) {
	if b.Act == nil {
		return workflows.BulkBatchResult{}, temporal.NewNonRetryableApplicationError("the worker has no bulk runner", string(lead.CodeInternal), nil)
	}
	retry := activity.GetInfo(ctx).Attempt > 1
	// The batch beats every few seconds whatever its leads' updates take
	// (a busy Temporal may take longer than the heartbeat timeout for one),
	// with the number of leads recorded so far.
	var done atomic.Int64
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				activity.RecordHeartbeat(ctx, done.Load())
			}
		}
	}()
	return b.Act(ctx, in, retry, func(n int) { done.Store(int64(n)) })
}

// BulkFinished marks a bulk action done (or failed with in.Error; a
// cancelled one stays cancelled) and returns its summary.
func (b *Bulk) BulkFinished(ctx context.Context, in workflows.FinishedInput) (workflows.BulkSummary, error) {
	job, err := b.Store.FinishBulk(ctx, in.ID, in.Error)
	if err != nil {
		return workflows.BulkSummary{}, wrap(err)
	}
	b.Log.Info("bulk action finished", "bulk", job.ID, "action", job.Action, "status", job.Status, "total", job.Total,
		"succeeded", job.Succeeded, "refused", job.Refused, "failed", job.Failed)
	return workflows.BulkSummary{BulkID: job.ID, Status: job.Status, Total: job.Total, Succeeded: job.Succeeded,
		Refused: job.Refused, Failed: job.Failed, Error: job.Error}, nil
}
