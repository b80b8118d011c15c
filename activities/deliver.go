package activities

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/metrics"
	"github.com/leadflow/leadflow/notify"
)

// deliver claims notification n by its key, leases it, sends the stored
// message through s and records the outcome: what the e-mails and the
// chat posts share. A retried activity finds what an earlier attempt sent
// (or that was refused for good) and skips it.
func (a *Activities) deliver(ctx context.Context, n lead.Notification, toName string, s notify.Sender) error {
	key := n.Key
	n, err := a.Store.ClaimNotification(ctx, n)
	if err != nil {
		return err
	}
	if n.Status != lead.NotificationQueued {
		return nil // sent (or refused for good) by an earlier attempt
	}
	// One attempt at a time sends it: a retry that starts while an earlier
	// attempt still waits for the provider must not send it again.
	leased, until, err := a.Store.LeaseNotification(ctx, key, EmailLease)
	if err != nil {
		return err
	}
	if !leased {
		if n, err := a.Store.NotificationByKey(ctx, key); err == nil && n.Status != lead.NotificationQueued {
			return nil // sent (or refused for good) meanwhile
		}
		return inFlight(until)
	}
	args := map[string]string{"kind": n.Kind, "to_user_id": n.ToUserID}
	if n.LeadID != "" {
		args["lead_id"] = n.LeadID
	}
	// The stored message is sent, so that every attempt sends the same one.
	msgID, err := s.Send(ctx, notify.Message{Key: key, To: n.ToEmail, ToName: toName, Subject: n.Subject, Text: n.Text, HTML: n.HTML, Args: args,
		FromName: n.FromName, UnsubscribeURL: n.UnsubscribeURL})
	if err != nil {
		permanent := notify.Permanent(err)
		a.Log.Warn("notification not sent", "kind", n.Kind, "key", key, "to", n.ToEmail, "permanent", permanent, "err", err)
		result := metrics.EmailRetried
		if permanent {
			result = metrics.EmailFailed
		}
		a.Metrics.Email(n.Kind, result)
		if merr := a.Store.MarkNotificationFailed(context.WithoutCancel(ctx), key, s.Name(), err.Error(), permanent); merr != nil {
			return errors.Join(err, merr)
		}
		return err
	}
	a.Metrics.Email(n.Kind, metrics.EmailSent)
	// Recorded even when the activity's context is ending: the message is out.
	return a.Store.MarkNotificationSent(context.WithoutCancel(ctx), key, s.Name(), msgID)
}

// inFlight is errEmailInFlight for a lease held until until, retried when
// that lease runs out rather than after the retry policy's backoff: a
// message whose worker was killed mid-send goes out as soon as it may.
func inFlight(until time.Time) error {
	wait := max(time.Until(until)+time.Second, time.Second)
	return temporal.NewApplicationErrorWithOptions(errEmailInFlight.Error(), "in_flight",
		temporal.ApplicationErrorOptions{NextRetryDelay: wait, Cause: errEmailInFlight})
}
