package workflows

import (
	"context"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/leadflow/leadflow/lead"
)

// SignalWebhookDue tells a WebhookWorkflow that its lead has a new
// delivery for its subscription.
const SignalWebhookDue = "webhook-due"

// WebhookRetry is how a delivery is retried: after Initial, then twice as
// long each time up to Max between attempts, for For in all (24 h by
// default); then the delivery has failed and its subscription is turned off.
type WebhookRetry struct {
	Initial time.Duration `json:"initial"`
	Max     time.Duration `json:"max"`
	For     time.Duration `json:"for"`
	// Timeout bounds one attempt (the HTTP request and its answer).
	Timeout time.Duration `json:"timeout"`
}

// DefaultWebhookRetry: 30 s, doubling up to an hour apart, for 24 h.
var DefaultWebhookRetry = WebhookRetry{Initial: 30 * time.Second, Max: time.Hour, For: 24 * time.Hour, Timeout: 15 * time.Second}

// WebhookChainInput names the chain of deliveries of one lead's events to
// one subscription; Retry is how they are retried.
type WebhookChainInput struct {
	SubscriptionID string       `json:"subscription_id"`
	LeadID         string       `json:"lead_id"`
	Retry          WebhookRetry `json:"retry"`
}

// WebhookFailure is a delivery given up after its last attempt.
type WebhookFailure struct {
	DeliveryID int64  `json:"delivery_id"`
	Reason     string `json:"reason"`
}

// WebhookWorkflowID is the id of the workflow delivering lead's events to subscription.
func WebhookWorkflowID(subscriptionID, leadID string) string {
	return "webhook/" + subscriptionID + "/" + leadID
}

// webhookBatch is how many deliveries one run makes before it continues as new.
const webhookBatch = 200

// WebhookWorkflow delivers a lead's pending events to one subscription one
// after the other, oldest first (a lead's order is kept), each as the
// DeliverWebhook activity retried with exponential backoff under
// in.Retry. A delivery that fails for good turns the subscription off and
// e-mails its owner; the workflow then ends (the rest waits for the
// subscription to be turned on again). It ends when nothing is pending; a
// SignalWebhookDue received meanwhile makes it look again, so no delivery
// is left behind.
func WebhookWorkflow(ctx workflow.Context, in WebhookChainInput) error {
	return chain(ctx, WebhookWorkflow, in, in.Retry, ActivityNextWebhook, func(actx, lctx workflow.Context, id int64) (bool, error) {
		err := workflow.ExecuteActivity(actx, ActivityDeliverWebhook, id).Get(ctx, nil)
		if err == nil {
			return false, nil
		}
		var e lead.Email
		f := WebhookFailure{DeliveryID: id, Reason: "the delivery failed for good: " + err.Error()}
		if err := workflow.ExecuteLocalActivity(lctx, ActivityWebhookFailed, f).Get(ctx, &e); err != nil || e.Key == "" {
			return true, err
		}
		return true, SendEmail(ctx, e).Get(ctx, nil)
	})
}

// chain runs a chain's pending items one after the other, oldest first:
// the local activity next (given in) names the next one (0: none) and do
// runs it, under actx (retried with exponential backoff under r) and lctx
// (local activities); do stops the chain by returning true. It ends when
// nothing is pending; a SignalWebhookDue received meanwhile makes it look
// again. After webhookBatch items it continues as new (self, in).
func chain(ctx workflow.Context, self, in any, r WebhookRetry, next string,
	do func(actx, lctx workflow.Context, id int64) (bool, error)) error {
	due := workflow.GetSignalChannel(ctx, SignalWebhookDue)
	lctx := workflow.WithLocalActivityOptions(ctx, localOptions)
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    r.Timeout + 10*time.Second,
		ScheduleToCloseTimeout: r.For,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: r.Initial, BackoffCoefficient: 2, MaximumInterval: r.Max,
			NonRetryableErrorTypes: nonRetryable},
	})
	for n := 0; ; n++ {
		for due.ReceiveAsync(nil) {
		}
		if n == webhookBatch {
			return workflow.NewContinueAsNewError(ctx, self, in)
		}
		var id int64
		if err := workflow.ExecuteLocalActivity(lctx, next, in).Get(ctx, &id); err != nil {
			return err
		}
		if id == 0 {
			if due.ReceiveAsync(nil) {
				continue
			}
			return nil
		}
		if stop, err := do(actx, lctx, id); stop || err != nil {
			return err
		}
	}
}

// WebhookDue starts the workflow delivering a lead's events to a
// subscription, or tells the running one there is more (signal-with-start:
// a delivery is never left with no workflow to make it).
func WebhookDue(ctx context.Context, c client.Client, in WebhookChainInput) error {
	_, err := c.SignalWithStartWorkflow(ctx, WebhookWorkflowID(in.SubscriptionID, in.LeadID), SignalWebhookDue, nil,
		client.StartWorkflowOptions{
			TaskQueue:             TaskQueue,
			WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		}, WebhookWorkflowName, in)
	return err
}
