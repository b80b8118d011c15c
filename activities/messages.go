package activities

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/notify"
)

// SendMessage sends the stored message to a lead of key ("message/" + its
// id) on its channel (a.Channels; the outbox when the channel has no
// provider), once: it is claimed, leased and recorded like an e-mail
// (deliver). The suppression list is consulted first: a message whose
// address unsubscribed since it was queued is skipped with the reason.
// A message no longer queued (sent, failed, skipped) is left as it is.
//
// Errors: a provider's 429, 5xx or a network failure is retryable; a
// refusal for good is recorded on the message and returned as a
// non-retryable application error of type lead.ErrEmailRejected.
func (a *Activities) SendMessage(ctx context.Context, key string) error {
	n, err := a.Store.NotificationByKey(ctx, key)
	if err != nil {
		return wrap(err)
	}
	if n.Kind != lead.MessageKind {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("%s is not a message to a lead", key), string(lead.CodeInvalid), nil)
	}
	if n.Status != lead.NotificationQueued {
		return nil
	}
	reason, err := a.Store.Suppressed(ctx, n.Channel, n.ToEmail)
	if err != nil {
		return err
	}
	if reason != "" {
		_, err := a.Store.SkipMessage(ctx, key, reason)
		return err
	}
	err = a.deliver(ctx, n, "", a.Channels.For(n.Channel))
	if notify.Permanent(err) {
		return temporal.NewNonRetryableApplicationError(err.Error(), lead.ErrEmailRejected, err)
	}
	return err
}
