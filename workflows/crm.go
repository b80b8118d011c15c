package workflows

import (
	"context"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/workflow"
)

// CRMChainInput names the pushes of one lead to one CRM target; Retry is
// how each is retried (the webhook deliveries' policy).
type CRMChainInput struct {
	TargetID string       `json:"target_id"`
	LeadID   string       `json:"lead_id"`
	Retry    WebhookRetry `json:"retry"`
}

// CRMFailure is a push given up after its last attempt.
type CRMFailure struct {
	PushID int64  `json:"push_id"`
	Reason string `json:"reason"`
}

// CRMWorkflowID is the id of the workflow pushing lead to target.
func CRMWorkflowID(targetID, leadID string) string { return "crm/" + targetID + "/" + leadID }

// CRMWorkflow pushes a lead's pending pushes to one CRM target one after
// the other (the create before the updates), each as the PushCRM activity
// retried with exponential backoff under in.Retry; a push that fails for
// good is recorded as failed and the next one goes on. It ends when
// nothing is pending; a SignalWebhookDue received meanwhile makes it look
// again.
func CRMWorkflow(ctx workflow.Context, in CRMChainInput) error {
	return chain(ctx, CRMWorkflow, in, in.Retry, ActivityNextCRMPush, func(actx, lctx workflow.Context, id int64) (bool, error) {
		if err := workflow.ExecuteActivity(actx, ActivityPushCRM, id).Get(ctx, nil); err != nil {
			f := CRMFailure{PushID: id, Reason: "the push failed for good: " + err.Error()}
			return false, workflow.ExecuteLocalActivity(lctx, ActivityCRMPushFailed, f).Get(ctx, nil)
		}
		return false, nil
	})
}

// CRMDue starts the workflow pushing a lead to a CRM target, or tells the
// running one there is more (signal-with-start).
func CRMDue(ctx context.Context, c client.Client, in CRMChainInput) error {
	_, err := c.SignalWithStartWorkflow(ctx, CRMWorkflowID(in.TargetID, in.LeadID), SignalWebhookDue, nil,
		client.StartWorkflowOptions{
			TaskQueue:             TaskQueue,
			WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		}, CRMWorkflowName, in)
	return err
}
