package activities

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/webhook"
	"github.com/leadflow/leadflow/workflows"
)

// Hooks is what webhook deliveries need: the guard that says which
// addresses they may reach and how long one attempt may take.
type Hooks struct {
	Guard   webhook.Guard
	Timeout time.Duration

	once   sync.Once
	client *http.Client
}

func (h *Hooks) httpClient() *http.Client {
	h.once.Do(func() {
		t := h.Timeout
		if t <= 0 {
			t = workflows.DefaultWebhookRetry.Timeout
		}
		h.client = h.Guard.Client(t)
	})
	return h.client
}

// NextWebhookDelivery is the next delivery of a lead's events to a
// subscription (0: none).
func (a *Activities) NextWebhookDelivery(ctx context.Context, in workflows.WebhookChainInput) (int64, error) {
	return a.Store.NextWebhookDelivery(ctx, in.SubscriptionID, in.LeadID)
}

// DeliverWebhook makes one attempt of a delivery: the stored body, signed
// now with the subscription's secrets, posted under the delivery's
// webhook-id (the same on every attempt) to an address the guard checks
// again as it dials. It records the attempt; an answer other than 2xx is
// an error the workflow's retry policy retries. A delivery no longer due
// (its subscription was turned off, or it was delivered) is not sent.
func (a *Activities) DeliverWebhook(ctx context.Context, id int64) error {
	m, err := a.Store.WebhookMessageOf(ctx, id)
	if err != nil || !m.Due {
		return wrap(err)
	}
	r := webhook.Post(ctx, a.Hooks.httpClient(), webhook.Message{URL: m.URL, ID: m.WebhookID, Secrets: m.Secrets, Body: m.Body}, a.now())
	att := store.WebhookAttempt{DeliveryID: id, Delivered: r.OK(), StatusCode: r.StatusCode, Latency: r.Latency, BodyExcerpt: r.Excerpt,
		Cut: r.StatusCode == 0 && ctx.Err() != nil}
	if r.Err != nil {
		att.Error = r.Err.Error()
	}
	// Recorded even when the attempt's context is ending: it was made.
	if err := a.Store.RecordWebhookAttempt(context.WithoutCancel(ctx), att); err != nil {
		return err
	}
	if r.Err != nil {
		return fmt.Errorf("webhook %s: %w", m.WebhookID, r.Err)
	}
	return nil
}

// WebhookFailed gives a delivery up after its last attempt: the delivery
// is failed, its subscription turned off, and the e-mail to its owner is
// returned for the workflow to send (none when the delivery is no longer
// pending).
func (a *Activities) WebhookFailed(ctx context.Context, f workflows.WebhookFailure) (lead.Email, error) {
	w, err := a.Store.FailWebhookDelivery(ctx, f.DeliveryID, f.Reason)
	if lead.ErrorCode(err) == lead.CodeNotFound {
		return lead.Email{}, nil // deleted, or queued again meanwhile: nobody to tell
	}
	if err != nil {
		return lead.Email{}, err
	}
	return lead.Email{Key: fmt.Sprintf("webhook/%s/disabled/%d", w.ID, f.DeliveryID), Kind: lead.EmailWebhookDisabled,
		RepID: w.OwnerID, Summary: w.URL, Reason: f.Reason}, nil
}
