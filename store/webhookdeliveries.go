package store

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// WebhookKick is a delivery the lead's delivery workflow was not told of
// yet, with its event.
type WebhookKick struct {
	DeliveryID     int64
	SubscriptionID string
	LeadID         string
	EventID        int64
	Type           string
	OccurredAt     time.Time
	HasPayload     bool
}

// UnkickedDeliveries are the oldest pending deliveries no workflow was told of.
func (db *DB) UnkickedDeliveries(ctx context.Context, limit int) ([]WebhookKick, error) {
	rows, err := db.pool.Query(ctx, `SELECT d.id, d.subscription_id::text, d.lead_id::text, e.id, e.type, e.occurred_at,
		e.payload IS NOT NULL FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
		WHERE d.status = 'pending' AND NOT d.kicked ORDER BY d.id LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (WebhookKick, error) {
		var k WebhookKick
		err := r.Scan(&k.DeliveryID, &k.SubscriptionID, &k.LeadID, &k.EventID, &k.Type, &k.OccurredAt, &k.HasPayload)
		return k, err
	})
}

// SetWebhookPayload records the body of event id once: a body set before stays.
func (db *DB) SetWebhookPayload(ctx context.Context, id int64, payload []byte) error {
	_, err := db.pool.Exec(ctx, `UPDATE webhook_events SET payload = $2 WHERE id = $1 AND payload IS NULL`, id, string(payload))
	return err
}

// MarkKicked records that the workflows of these deliveries were told of them.
func (db *DB) MarkKicked(ctx context.Context, ids []int64) error {
	_, err := db.pool.Exec(ctx, `UPDATE webhook_deliveries SET kicked = true WHERE id = ANY ($1)`, ids)
	return err
}

// NextWebhookDelivery is the oldest pending delivery of a lead's events to
// an active subscription whose body is ready (0 when none): the lead's
// deliveries go out in order.
func (db *DB) NextWebhookDelivery(ctx context.Context, subscriptionID, leadID string) (int64, error) {
	var id int64
	var ready bool
	// The oldest pending one, ready or not: a newer one never goes first
	// (the pump tells the workflow again once the body is built).
	err := db.pool.QueryRow(ctx, `SELECT d.id, e.payload IS NOT NULL FROM webhook_deliveries d
		JOIN webhook_subscriptions w ON w.id = d.subscription_id AND w.active
		JOIN webhook_events e ON e.id = d.event_id
		WHERE d.subscription_id = $1 AND d.lead_id = $2 AND d.status = 'pending' ORDER BY d.id LIMIT 1`,
		subscriptionID, leadID).Scan(&id, &ready)
	if err == pgx.ErrNoRows || (err == nil && !ready) {
		return 0, nil
	}
	return id, err
}

// WebhookMessage is what an attempt of a delivery sends.
type WebhookMessage struct {
	URL       string
	WebhookID string
	Body      []byte
	// Secrets sign it: the current one, and the previous one during its grace period.
	Secrets []string
	// Due: the delivery is pending and its subscription active.
	Due bool
}

// WebhookMessageOf reads delivery id's message.
func (db *DB) WebhookMessageOf(ctx context.Context, id int64) (WebhookMessage, error) {
	var m WebhookMessage
	var body, secret, previous string
	err := db.pool.QueryRow(ctx, `SELECT w.url, d.webhook_id, e.payload, w.secret,
		CASE WHEN w.previous_until > now() THEN w.previous_secret ELSE '' END, d.status = 'pending' AND w.active
		FROM webhook_deliveries d JOIN webhook_subscriptions w ON w.id = d.subscription_id
		JOIN webhook_events e ON e.id = d.event_id WHERE d.id = $1`, id).Scan(&m.URL, &m.WebhookID, &body, &secret, &previous, &m.Due)
	if err != nil {
		return m, notFound(err, "delivery")
	}
	m.Body, m.Secrets = []byte(body), []string{secret}
	if previous != "" {
		m.Secrets = append(m.Secrets, previous)
	}
	return m, nil
}

// WebhookAttempt is how one attempt went.
type WebhookAttempt struct {
	DeliveryID  int64
	Delivered   bool
	StatusCode  int
	Latency     time.Duration
	BodyExcerpt string
	Error       string
	// Cut: the attempt got no answer because the retries' time ran out
	// while it waited; the log keeps how the attempt before went.
	Cut bool
}

// RecordWebhookAttempt counts an attempt of a delivery and keeps how it
// went (a cut attempt only counts); a successful one delivers it.
func (db *DB) RecordWebhookAttempt(ctx context.Context, a WebhookAttempt) error {
	_, err := db.pool.Exec(ctx, `UPDATE webhook_deliveries SET attempts = attempts + 1, attempted_at = now(),
		status = CASE WHEN $2 THEN 'delivered' ELSE status END,
		status_code = CASE WHEN $7 AND attempts > 0 THEN status_code ELSE $3 END,
		latency_ms = CASE WHEN $7 AND attempts > 0 THEN latency_ms ELSE $4 END,
		body_excerpt = CASE WHEN $7 AND attempts > 0 THEN body_excerpt ELSE $5 END,
		error = CASE WHEN $7 AND attempts > 0 THEN error ELSE $6 END
		WHERE id = $1`, a.DeliveryID, a.Delivered, a.StatusCode, a.Latency.Milliseconds(), a.BodyExcerpt, a.Error, a.Cut)
	return err
}

// FailWebhookDelivery gives up a delivery after its last attempt and turns
// its subscription off with reason; it returns the subscription (its owner
// is told).
func (db *DB) FailWebhookDelivery(ctx context.Context, id int64, reason string) (lead.Webhook, error) {
	var subID string
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `UPDATE webhook_deliveries SET status = 'failed' WHERE id = $1 AND status = 'pending'
			RETURNING subscription_id::text`, id).Scan(&subID); err != nil {
			return notFound(err, "pending delivery")
		}
		_, err := tx.Exec(ctx, `UPDATE webhook_subscriptions SET active = false, disabled_reason = $2, updated_at = now()
			WHERE id = $1`, subID, reason)
		return err
	})
	if err != nil {
		return lead.Webhook{}, err
	}
	return db.Webhook(ctx, subID)
}

// WebhookDeliveries lists a subscription's deliveries, newest first.
func (db *DB) WebhookDeliveries(ctx context.Context, subscriptionID string, limit int, cursor string) ([]lead.WebhookDelivery, string, error) {
	before := int64(1<<63 - 1)
	if cursor != "" {
		v, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || v < 0 {
			return nil, "", lead.Invalid(lead.FieldError{Field: "cursor", Reason: "is not a cursor returned by this list"})
		}
		before = v
	}
	rows, err := db.pool.Query(ctx, `SELECT d.id, e.type, e.id, d.lead_id::text, d.webhook_id, d.status, d.attempts, d.status_code,
		d.latency_ms, d.body_excerpt, d.error, d.created_at, d.attempted_at
		FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
		WHERE d.subscription_id = $1 AND d.id < $2 ORDER BY d.id DESC LIMIT $3`, subscriptionID, before, limit+1)
	if err != nil {
		return nil, "", err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (lead.WebhookDelivery, error) {
		var d lead.WebhookDelivery
		var ev int64
		err := r.Scan(&d.ID, &d.Event, &ev, &d.LeadID, &d.WebhookID, &d.Status, &d.Attempts, &d.StatusCode,
			&d.LatencyMS, &d.BodyExcerpt, &d.Error, &d.CreatedAt, &d.AttemptedAt)
		d.EventID = lead.WebhookEventID(ev)
		return d, err
	})
	if err != nil {
		return nil, "", err
	}
	out, next := pageOf(out, limit, func(last lead.WebhookDelivery) string { return strconv.FormatInt(last.ID, 10) })
	return out, next, nil
}

// Redeliver queues a subscription's delivery again (the same webhook-id).
func (db *DB) Redeliver(ctx context.Context, subscriptionID string, id int64) error {
	tag, err := db.pool.Exec(ctx, `UPDATE webhook_deliveries SET status = 'pending', kicked = false
		WHERE id = $1 AND subscription_id = $2`, id, subscriptionID)
	return found(tag, err, "delivery")
}

// WebhookDeliveryCounts counts a subscription's deliveries by status
// (lead.DeliveryPending, lead.DeliveryDelivered, lead.DeliveryFailed).
func (db *DB) WebhookDeliveryCounts(ctx context.Context, subscriptionID string) (map[string]int, error) {
	rows, err := db.pool.Query(ctx, `SELECT status, count(*) FROM webhook_deliveries
		WHERE subscription_id = $1 GROUP BY status`, subscriptionID)
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	var status string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&status, &n}, func() error {
		counts[status] = n
		return nil
	})
	return counts, err
}
