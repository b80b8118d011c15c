package workflows

import (
	"context"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// MessageInput names the stored message a MessageWorkflow sends.
type MessageInput struct {
	// Key is the message's notification key ("message/" + its id): the
	// activity's idempotency key.
	Key string `json:"key"`
}

// MessageWorkflowID is the id of the workflow sending the message of key.
func MessageWorkflowID(key string) string { return key }

// StartMessage starts the workflow that sends a stored message, once per
// message: starting it again (a retried request) is not an error.
func StartMessage(ctx context.Context, c client.Client, key string) error {
	return startOnce(ctx, c, MessageWorkflowID(key), MessageWorkflowName, MessageInput{Key: key}, temporal.SearchAttributes{})
}

// MessageWorkflow sends one message to a lead: the SendMessage activity,
// retried like an e-mail (a provider's outage delays it for up to a day;
// a refusal for good is recorded and not retried). The activity claims and
// leases the stored message, so a worker killed mid-send leaves a retry
// that finds it sent, or sends it once the lease has run out.
func MessageWorkflow(ctx workflow.Context, in MessageInput) error {
	return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, emailOptions), ActivitySendMessage, in.Key).Get(ctx, nil)
}
