package worker

import (
	"context"

	"github.com/leadflow/leadflow/workflows"
)

// crmOnce hands one batch of new CRM pushes to their workflows (one per
// lead and target, workflows.CRMDue) and returns its size; as for webhook
// deliveries, a crash between the two hands them over again, harmlessly.
func (p *pump) crmOnce(ctx context.Context) (int, error) {
	kicks, err := p.db.UnkickedCRMPushes(ctx, pumpBatch)
	if err != nil || len(kicks) == 0 {
		return 0, err
	}
	chains := map[[2]string]bool{}
	ids := make([]int64, 0, len(kicks))
	for _, k := range kicks {
		chain := [2]string{k.TargetID, k.Lead}
		if !chains[chain] {
			if err := workflows.CRMDue(ctx, p.tc, workflows.CRMChainInput{TargetID: k.TargetID, LeadID: k.Lead, Retry: p.retry}); err != nil {
				return 0, err
			}
			chains[chain] = true
		}
		ids = append(ids, k.PushID)
	}
	return len(ids), p.db.MarkCRMKicked(ctx, ids)
}
