package worker

import (
	"context"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"
	"golang.org/x/sync/errgroup"

	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/webhook"
	"github.com/leadflow/leadflow/workflows"
)

// pump hands new webhook deliveries to their workflows. The trigger of
// migration 021 writes a delivery in the transaction of its transition;
// the pump builds the event's body once (the lead as an admin sees it),
// then starts or signals the workflow of the delivery's subscription and
// lead (workflows.WebhookDue) and marks it handed over. A crash between
// the two hands it over again, which the workflow does not mind: it
// delivers what is pending, in order, once.
type pump struct {
	db    *store.DB
	tc    client.Client
	log   *slog.Logger
	retry workflows.WebhookRetry
	every time.Duration
}

// run pumps until ctx ends: the deliveries until none is left, then the
// messages' starts, every p.every.
func (p *pump) run(ctx context.Context) {
	ticking(ctx, p.every, func(ctx context.Context) bool {
		n, err := p.once(ctx)
		if err != nil && ctx.Err() == nil {
			p.log.Warn("webhook pump", "err", err)
		}
		if n > 0 && err == nil {
			return true
		}
		if err := p.messages(ctx); err != nil && ctx.Err() == nil {
			p.log.Warn("message starts", "err", err)
		}
		return false
	})
}

// ticking calls round until ctx ends: again at once while it says there
// is more to do, else at the next tick of every.
func ticking(ctx context.Context, every time.Duration, round func(context.Context) (more bool)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		for round(ctx) {
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// pumpBatch is how many deliveries one round hands over, and
// pumpConcurrency how many workflows it tells at once.
// One at a time keeps deliveries from crowding out intake on a shared
// Temporal server: measured with `leadflow bench -scenario webhooks` on a
// quiet machine, 1,000 intakes with a subscription ran at 66.6/s with 1 and
// 26.2–27.4/s with 4 or 16, for 58.0 deliveries/s against 51.7–54.2/s; the
// deliveries then end 19 s after such a burst instead of at once
// (BENCHMARKS.md).
const (
	pumpBatch       = 200
	pumpConcurrency = 1
)

// once hands over one batch and returns its size.
func (p *pump) once(ctx context.Context) (int, error) {
	kicks, err := p.db.UnkickedDeliveries(ctx, pumpBatch)
	if err != nil || len(kicks) == 0 {
		if err == nil {
			return p.crmOnce(ctx)
		}
		return 0, err
	}
	// Every body first: a workflow told of its lead's deliveries must find
	// them all ready, or it could end before the last one.
	built := map[int64]bool{}
	for _, k := range kicks { // oldest first, so a lead's bodies are ready in its order
		if k.HasPayload || built[k.EventID] {
			continue
		}
		l, err := p.db.Lead(ctx, k.LeadID)
		if err != nil {
			return 0, err
		}
		body, err := webhook.Payload(k.EventID, k.Type, k.OccurredAt, l)
		if err != nil {
			return 0, err
		}
		if err := p.db.SetWebhookPayload(ctx, k.EventID, body); err != nil {
			return 0, err
		}
		built[k.EventID] = true
	}
	g, gctx := errgroup.WithContext(ctx)
	chains := map[[2]string]bool{}
	ids := make([]int64, 0, len(kicks))
	g.SetLimit(pumpConcurrency)
	for _, k := range kicks {
		ids = append(ids, k.DeliveryID)
		chain := [2]string{k.SubscriptionID, k.LeadID}
		if chains[chain] {
			continue
		}
		chains[chain] = true
		g.Go(func() error {
			in := workflows.WebhookChainInput{SubscriptionID: k.SubscriptionID, LeadID: k.LeadID, Retry: p.retry}
			return workflows.WebhookDue(gctx, p.tc, in)
		})
	}
	if err := g.Wait(); err != nil {
		return 0, err
	}
	if err := p.db.MarkKicked(ctx, ids); err != nil {
		return 0, err
	}
	n, err := p.crmOnce(ctx)
	return len(ids) + n, err
}
