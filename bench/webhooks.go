package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/leadflow/leadflow/lead"
)

// benchWebhooks measures outbound webhooks: o.Leads intakes with no
// subscription, then o.Leads more with one subscription to every event on
// a local receiver that answers 200 at once; the events each intake adds,
// what the subscription costs intake, and how fast the deliveries reach
// the receiver. The subscription is deleted at the end.
func benchWebhooks(ctx context.Context, st *stack, o Options) ([]Row, error) {
	var got atomic.Int64
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	recv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("webhook-id") != "" {
			got.Add(1)
		}
		w.WriteHeader(http.StatusNoContent)
	})}
	go func() { _ = recv.Serve(l) }()
	defer recv.Close()

	run := rand.Uint32()
	intake := func(run uint32) (time.Duration, *latencies, error) {
		var lat latencies
		wall, failed, err := tolerant(ctx, o.Leads, o.Concurrency, &lat, func(ctx context.Context, i int) error {
			return st.call(ctx, st.admin, "POST", "/api/v1/leads", leadBody(run, i), 201, nil)
		})
		if failed > 0 {
			return 0, nil, fmt.Errorf("%d intakes failed: %w", failed, err)
		}
		return wall, &lat, nil
	}
	bare, bareLat, err := intake(run)
	if err != nil {
		return nil, err
	}
	var sub lead.Webhook
	if err := st.call(ctx, st.admin, "POST", "/api/v1/webhooks",
		map[string]any{"url": "http://" + l.Addr().String() + "/hooks", "events": []string{lead.WebhookAll}}, 201, &sub); err != nil {
		return nil, err
	}
	defer func() {
		_ = st.call(context.WithoutCancel(ctx), st.admin, "DELETE", "/api/v1/webhooks/"+sub.ID, nil, 204, nil)
	}()
	begin := time.Now()
	hooked, hookedLat, err := intake(run + 1)
	if err != nil {
		return nil, err
	}
	// The deliveries are written in the transitions' transactions, so once
	// intake has answered they are all there.
	counts, err := st.db.WebhookDeliveryCounts(ctx, sub.ID)
	if err != nil {
		return nil, err
	}
	total := counts[lead.DeliveryPending] + counts[lead.DeliveryDelivered] + counts[lead.DeliveryFailed]
	afterIntake := time.Since(begin)
	deadline := time.Now().Add(30 * time.Minute)
	if err := waitUntil(ctx, 100*time.Millisecond, func() (bool, error) {
		if counts, err = st.db.WebhookDeliveryCounts(ctx, sub.ID); err != nil || counts[lead.DeliveryPending] == 0 {
			return err == nil, err
		}
		if time.Now().After(deadline) {
			return false, fmt.Errorf("webhooks: %d of %d deliveries still pending after 30 min", counts[lead.DeliveryPending], total)
		}
		return false, nil
	}); err != nil {
		return nil, err
	}
	drained := time.Since(begin)
	if counts[lead.DeliveryDelivered] != total || got.Load() < int64(total) {
		return nil, fmt.Errorf("webhooks: %d delivered, %d received, of %d", counts[lead.DeliveryDelivered], got.Load(), total)
	}
	size := fmt.Sprintf("-leads %d -concurrency %d", o.Leads, o.Concurrency)
	cmd := o.command("webhooks", size)
	return []Row{
		{fmt.Sprintf("webhooks: intake x%d, no subscription", o.Leads), rate(o.Leads, bare) + ", " + bareLat.pcts(), cmd},
		{fmt.Sprintf("webhooks: intake x%d, one subscription to *", o.Leads), rate(o.Leads, hooked) + ", " + hookedLat.pcts(), cmd},
		{"webhooks: events per intake", fmt.Sprintf("%.2f (%d deliveries)", float64(total)/float64(o.Leads), total), cmd},
		{"webhooks: deliveries, from the first intake to the last 2xx", fmt.Sprintf("%s; all delivered %s after intake ended",
			rate(total, drained), ms(drained-afterIntake)), cmd},
	}, nil
}
