package activities

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"

	"github.com/leadflow/leadflow/workflows"
)

// policySignalers is how many lead workflows one page signals at once.
const policySignalers = 16

// SignalPolicyPage reads one page of a pool's live leads with the pool's
// policy as it is now (store.LiveLeadsPage) and signals each lead's
// workflow with it (workflows.PolicySignal), policySignalers at a time. A
// lead whose workflow ended meanwhile is skipped; any other failure fails
// the activity, and its retry signals the page again (the leads ignore a
// revision they have).
func (b *Bulk) SignalPolicyPage(ctx context.Context, in workflows.PolicyPageInput) (workflows.PolicyPageResult, error) {
	page, err := b.Store.LiveLeadsPage(ctx, in.PoolID, in.Cursor, max(in.Limit, 1))
	if err != nil {
		return workflows.PolicyPageResult{}, wrap(err)
	}
	if page.Policy.Calendar != nil {
		// The list's reclaim order follows the new working-time deadlines.
		if err := b.Store.RefreshReclaimAt(ctx, page.LeadIDs); err != nil {
			return workflows.PolicyPageResult{}, wrap(err)
		}
	}
	sig := workflows.PolicySignal{Policy: page.Policy, Version: page.Version, PoolID: in.PoolID}
	var (
		signalled atomic.Int64
		wg        sync.WaitGroup
		mu        sync.Mutex
		errs      []error
		ids       = make(chan string)
	)
	for range min(policySignalers, len(page.LeadIDs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range ids {
				err := b.Temporal.SignalWorkflow(ctx, workflows.WorkflowID(id), "", workflows.SignalPolicy, sig)
				var nf *serviceerror.NotFound
				switch {
				case err == nil:
					signalled.Add(1)
				case errors.As(err, &nf):
				default:
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		}()
	}
	for i, id := range page.LeadIDs {
		if i%100 == 0 && activity.IsActivity(ctx) {
			activity.RecordHeartbeat(ctx, i)
		}
		ids <- id
	}
	close(ids)
	wg.Wait()
	if len(errs) > 0 {
		return workflows.PolicyPageResult{}, errors.Join(errs...)
	}
	return workflows.PolicyPageResult{Signalled: int(signalled.Load()), Next: page.Next}, nil
}
