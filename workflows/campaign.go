package workflows

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/leadflow/leadflow/lead"
)

// CampaignInput is where a CampaignWorkflow run starts: at the beginning,
// or (continued as new) after recipient After of its pass.
type CampaignInput struct {
	CampaignID string `json:"campaign_id"`
	After      int    `json:"after,omitempty"`
	// Deferred: the pass over the recipients quiet hours held back.
	Deferred bool `json:"deferred,omitempty"`
	// Begun: the audience is fixed and the schedule waited for.
	Begun bool `json:"begun,omitempty"`
}

// CampaignBegin is what the CampaignBegin activity answers: the
// campaign's rate (messages a minute) and when it is scheduled.
type CampaignBegin struct {
	Rate        int        `json:"rate"`
	ScheduledAt *time.Time `json:"scheduled_at,omitempty"`
	Recipients  int        `json:"recipients"`
}

// CampaignBatchInput asks for the messages of up to Limit recipients
// after After (of the deferred pass when Deferred).
type CampaignBatchInput struct {
	CampaignID string `json:"campaign_id"`
	After      int    `json:"after"`
	Limit      int    `json:"limit"`
	Deferred   bool   `json:"deferred,omitempty"`
}

// CampaignBatchResult is a batch's outcome: the campaign's status (a
// paused or cancelled campaign's batch does nothing), how many recipients
// it took and the last one's seq.
type CampaignBatchResult struct {
	Status string `json:"status"`
	Count  int    `json:"count"`
	Last   int    `json:"last"`
	// NextDeferred is when the earliest deferred recipient may be sent
	// to, once a pass is over (nil: none is left).
	NextDeferred *time.Time `json:"next_deferred,omitempty"`
}

// CampaignWorkflowID is the id of campaign id's workflow.
func CampaignWorkflowID(id string) string { return "campaign/" + id }

// SignalCampaign wakes a campaign's workflow to read its status again
// (paused, resumed, cancelled).
const SignalCampaign = "campaign-changed"

// StartCampaign starts campaign id's workflow, once.
func StartCampaign(ctx context.Context, c client.Client, id string) error {
	return startOnce(ctx, c, CampaignWorkflowID(id), CampaignWorkflowName, CampaignInput{CampaignID: id}, temporal.SearchAttributes{})
}

// NotifyCampaign signals campaign id's workflow that its status changed;
// a workflow that has finished needs no telling.
func NotifyCampaign(ctx context.Context, c client.Client, id string) error {
	err := c.SignalWorkflow(ctx, CampaignWorkflowID(id), "", SignalCampaign, nil)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return nil
	}
	return err
}

// campaignBatchSize is the most recipients one batch activity takes.
const campaignBatchSize = 1000

// campaignPace is the batch size and the shortest time a batch may take
// at rate messages a minute: ten seconds' worth of messages a batch, at
// most campaignBatchSize.
func campaignPace(rate int) (int, time.Duration) {
	rate = max(1, rate)
	size := min(campaignBatchSize, max(1, rate/6))
	return size, time.Duration(float64(time.Minute) * float64(size) / float64(rate))
}

// campaignHistoryLimit is the history length after which a campaign's
// workflow continues as new.
const campaignHistoryLimit = 10000

// campaignOptions are the batch activities' options: a batch sends to up
// to campaignBatchSize recipients and heartbeats; it is retried without
// end (a provider's outage delays the campaign, loses nothing) except on a
// domain error.
var campaignOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 10 * time.Minute,
	HeartbeatTimeout:    30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:        time.Second,
		BackoffCoefficient:     2,
		MaximumInterval:        time.Minute,
		NonRetryableErrorTypes: nonRetryable,
	},
}

// CampaignWorkflow sends a campaign: it fixes the audience, waits for the
// schedule, then queues and sends its messages in batches of at most
// campaignBatchSize recipients (CampaignBatch), no faster than the
// campaign's rate. Each recipient's message has the key (campaign,
// recipient), so a batch run again after a worker was killed sends no
// second message. A paused campaign waits for a signal; a cancelled one
// stops. Recipients quiet hours held back get a pass of their own when
// their morning comes. One workflow per campaign, not per recipient: a
// batch costs a handful of history events for up to 1,000 messages.
func CampaignWorkflow(ctx workflow.Context, in CampaignInput) error {
	ctx = workflow.WithActivityOptions(ctx, campaignOptions)
	changed := workflow.GetSignalChannel(ctx, SignalCampaign)
	var begin CampaignBegin
	if err := workflow.ExecuteActivity(ctx, ActivityCampaignBegin, in.CampaignID).Get(ctx, &begin); err != nil {
		return err
	}
	if !in.Begun && begin.ScheduledAt != nil {
		if d := begin.ScheduledAt.Sub(workflow.Now(ctx)); d > 0 {
			timer := workflow.NewTimer(ctx, d)
			for done := false; !done; {
				s := workflow.NewSelector(ctx)
				s.AddFuture(timer, func(workflow.Future) { done = true })
				s.AddReceive(changed, func(c workflow.ReceiveChannel, _ bool) {
					c.Receive(ctx, nil)
					var st string
					if workflow.ExecuteActivity(ctx, ActivityCampaignStatus, in.CampaignID).Get(ctx, &st) == nil && st == lead.CampaignCancelled {
						done = true
					}
				})
				s.Select(ctx)
			}
		}
	}
	in.Begun = true
	size, period := campaignPace(begin.Rate)
	for {
		if workflow.GetInfo(ctx).GetCurrentHistoryLength() > campaignHistoryLimit {
			return workflow.NewContinueAsNewError(ctx, CampaignWorkflowName, in)
		}
		started := workflow.Now(ctx)
		var res CampaignBatchResult
		err := workflow.ExecuteActivity(ctx, ActivityCampaignBatch,
			CampaignBatchInput{CampaignID: in.CampaignID, After: in.After, Limit: size, Deferred: in.Deferred}).Get(ctx, &res)
		if err != nil {
			return err
		}
		switch {
		case res.Status == lead.CampaignCancelled || res.Status == lead.CampaignDone:
			return nil
		case res.Status == lead.CampaignPaused:
			changed.Receive(ctx, nil)
			continue
		case res.Count > 0:
			in.After = res.Last
			if wait := period - workflow.Now(ctx).Sub(started); wait > 0 {
				if err := workflow.Sleep(ctx, wait); err != nil {
					return err
				}
			}
			continue
		case res.NextDeferred == nil:
			return workflow.ExecuteActivity(ctx, ActivityCampaignDone, in.CampaignID).Get(ctx, nil)
		}
		// A pass is over and recipients wait for their morning: the next
		// pass starts then (or when the campaign changes).
		in.After, in.Deferred = 0, true
		if d := res.NextDeferred.Sub(workflow.Now(ctx)); d > 0 {
			workflow.NewSelector(ctx).
				AddFuture(workflow.NewTimer(ctx, d), func(workflow.Future) {}).
				AddReceive(changed, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, nil) }).
				Select(ctx)
		}
	}
}
