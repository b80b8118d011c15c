package activities

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/activity"

	"github.com/leadflow/leadflow/crm"
	"github.com/leadflow/leadflow/workflows"
)

// NextCRMPush is the next pending push of a lead to a CRM target (0: none).
func (a *Activities) NextCRMPush(ctx context.Context, in workflows.CRMChainInput) (int64, error) {
	return a.Store.NextCRMPush(ctx, in.TargetID, in.LeadID)
}

// PushCRM makes one attempt of a push: the lead's contact is created in
// the CRM (its id recorded on the lead) or, once it has an id there,
// updated; never created twice, as a retried attempt looks for the contact
// an earlier one may have created. The client is the webhook guard's. An
// error is retried by the workflow's policy.
func (a *Activities) PushCRM(ctx context.Context, id int64) error {
	p, err := a.Store.CRMPushOf(ctx, id)
	if err != nil || !p.Due {
		return wrap(err)
	}
	h := crm.HubSpot{Client: a.Hooks.httpClient(), BaseURL: p.Target.BaseURL, Token: p.Target.Token}
	retried := activity.IsActivity(ctx) && activity.GetInfo(ctx).Attempt > 1
	ext, err := h.Push(ctx, p.Lead, p.ExternalID, retried)
	if ext != "" && p.ExternalID == "" {
		// Recorded even when the update after it failed: the contact exists.
		if rerr := a.Store.RecordExternalID(context.WithoutCancel(ctx), p.Lead.ID, p.Target.ID, ext); rerr != nil {
			return rerr
		}
	}
	if err != nil {
		return fmt.Errorf("crm %s, push %d: %w", p.Target.Name, id, err)
	}
	return a.Store.FinishCRMPush(context.WithoutCancel(ctx), id, "")
}

// CRMPushFailed records a push given up after its last attempt.
func (a *Activities) CRMPushFailed(ctx context.Context, f workflows.CRMFailure) error {
	a.Log.Warn("CRM push failed", "push", f.PushID, "reason", f.Reason)
	return a.Store.FinishCRMPush(ctx, f.PushID, f.Reason)
}
