package activities

import (
	"context"
	"errors"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/notify"
	"github.com/leadflow/leadflow/workflows"
)

// CampaignService is the service's side of a campaign the worker calls:
// fixing its audience, and rendering and queueing a batch's messages with
// the code of one message (service.Service implements it).
type CampaignService interface {
	BeginCampaign(ctx context.Context, id string) (workflows.CampaignBegin, error)
	QueueCampaignBatch(ctx context.Context, in workflows.CampaignBatchInput, sentBy string) (workflows.CampaignBatchResult, []string, error)
}

// CampaignBegin fixes campaign id's audience and answers its rate and
// schedule.
func (a *Activities) CampaignBegin(ctx context.Context, id string) (workflows.CampaignBegin, error) {
	if a.Campaigns == nil {
		return workflows.CampaignBegin{}, errNoCampaigns
	}
	out, err := a.Campaigns.BeginCampaign(ctx, id)
	return out, wrap(err)
}

// errNoCampaigns is a worker started without the campaigns' service: the
// activity is retried (on a worker that has it).
var errNoCampaigns = errors.New("this worker sends no campaigns")

// isPermanentApp reports whether err is an application error no retry
// helps (SendMessage's refusal for good).
func isPermanentApp(err error) bool {
	var app *temporal.ApplicationError
	return errors.As(err, &app) && app.NonRetryable()
}

// CampaignBatch queues the messages of a batch of a campaign's recipients
// (once per recipient: the key is campaign × recipient) and sends those
// queued: to the outbox in the statement that stores them, to a provider one by one as
// SendMessage sends one message (claimed, leased, the suppression list
// read again). A retry after a worker was killed finds the batch's
// messages stored and sends only those still queued. The one window for
// a duplicate is the one message: the provider accepted it but the worker
// died before recording it (the providers take no idempotency key). A message a provider
// refused for good is recorded failed and the batch goes on; an outage
// fails the batch, to be retried.
func (a *Activities) CampaignBatch(ctx context.Context, in workflows.CampaignBatchInput) (workflows.CampaignBatchResult, error) {
	if a.Campaigns == nil {
		return workflows.CampaignBatchResult{}, errNoCampaigns
	}
	c, err := a.Store.CampaignRow(ctx, in.CampaignID)
	if err != nil {
		return workflows.CampaignBatchResult{}, wrap(err)
	}
	ch := a.Channels.For(c.Channel)
	_, outbox := ch.(notify.Outbox)
	sentBy := ""
	if outbox {
		sentBy = ch.Name() // stored sent: the outbox sends nothing
	}
	out, keys, err := a.Campaigns.QueueCampaignBatch(ctx, in, sentBy)
	if err != nil || len(keys) == 0 {
		return out, wrap(err)
	}
	if outbox {
		return out, a.Store.MarkOutboxSent(ctx, keys) // queued by an earlier attempt
	}
	// A message an attempt killed with the worker still holds (leased)
	// is passed over, to be retried when the lease runs out; any other
	// failure fails the batch at once, to be retried with backoff.
	var inFlight error
	for i, key := range keys {
		activity.RecordHeartbeat(ctx, i)
		err := a.SendMessage(ctx, key)
		switch {
		case err == nil, notify.Permanent(err), isPermanentApp(err):
		case errors.Is(err, errEmailInFlight):
			inFlight = err
		default:
			return out, err
		}
	}
	return out, inFlight
}

// CampaignStatus answers campaign id's status.
func (a *Activities) CampaignStatus(ctx context.Context, id string) (string, error) {
	c, err := a.Store.CampaignRow(ctx, id)
	return c.Status, wrap(err)
}

// CampaignDone marks running campaign id done: every recipient has a message.
func (a *Activities) CampaignDone(ctx context.Context, id string) error {
	_, err := a.Store.SetCampaignStatus(ctx, id, []string{lead.CampaignRunning}, lead.CampaignDone)
	if lead.ErrorCode(err) == lead.CodeConflict {
		return nil // paused or cancelled at the last moment: left so
	}
	return wrap(err)
}
