package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/leadflow/leadflow/lead"
)

// This file is the webhook subscriptions; webhookdeliveries.go their
// deliveries. The events themselves are written by the trigger of
// migration 021, in the transaction of the lead's history event.

const webhookColumns = `w.id::text, w.url, w.events, coalesce(w.pool_id::text, ''), w.active, w.owner_id::text,
	w.disabled_reason, CASE WHEN w.previous_until > now() THEN w.previous_until END, w.created_at, w.updated_at`

func scanWebhook(r pgx.Row) (lead.Webhook, error) {
	var w lead.Webhook
	err := r.Scan(&w.ID, &w.URL, &w.Events, &w.PoolID, &w.Active, &w.OwnerID, &w.DisabledReason,
		&w.PreviousSecretUntil, &w.CreatedAt, &w.UpdatedAt)
	return w, err
}

// CreateWebhook stores subscription w with its signing secret, once per
// id: a second call with the id (a retried request) answers the first
// subscription and its secret.
func (db *DB) CreateWebhook(ctx context.Context, w lead.Webhook, secret string) (lead.Webhook, string, error) {
	_, err := db.pool.Exec(ctx, `INSERT INTO webhook_subscriptions (id, owner_id, url, events, pool_id, active, secret)
		VALUES ($1, $2, $3, $4, nullif($5, '')::uuid, $6, $7) ON CONFLICT (id) DO NOTHING`,
		w.ID, w.OwnerID, w.URL, w.Events, w.PoolID, w.Active, secret)
	if err != nil {
		return w, "", err
	}
	if err := db.pool.QueryRow(ctx, `SELECT secret FROM webhook_subscriptions WHERE id = $1`, w.ID).Scan(&secret); err != nil {
		return w, "", err
	}
	w, err = db.Webhook(ctx, w.ID)
	return w, secret, err
}

// Webhook returns one subscription.
func (db *DB) Webhook(ctx context.Context, id string) (lead.Webhook, error) {
	if !isUUID(id) {
		return lead.Webhook{}, lead.Errorf(lead.CodeNotFound, "webhook not found")
	}
	w, err := scanWebhook(db.pool.QueryRow(ctx, `SELECT `+webhookColumns+` FROM webhook_subscriptions w WHERE w.id = $1`, id))
	return w, notFound(err, "webhook")
}

// Webhooks lists subscriptions, oldest first; with adminOf (a user id),
// only those of the pools that user administers.
func (db *DB) Webhooks(ctx context.Context, adminOf string, limit int, cursor string) ([]lead.Webhook, string, error) {
	var q listQuery
	if adminOf != "" {
		q.and(poolAdminSQL("p", q.arg(adminOf)+"::uuid"))
	}
	if err := q.keyset("w.created_at", "w.id", false, cursor); err != nil {
		return nil, "", err
	}
	return queryPage(ctx, db, webhookColumns+` FROM webhook_subscriptions w LEFT JOIN pools p ON p.id = w.pool_id`, &q, limit,
		scanWebhook, func(w lead.Webhook) (time.Time, string) { return w.CreatedAt, w.ID })
}

// UpdateWebhook saves w's url, events, pool and active flag. Turned on
// again, the subscription forgets why it was turned off and its pending
// deliveries go out.
func (db *DB) UpdateWebhook(ctx context.Context, w lead.Webhook) (lead.Webhook, error) {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE webhook_subscriptions SET url = $2, events = $3, pool_id = nullif($4, '')::uuid,
			active = $5, disabled_reason = CASE WHEN $5 THEN '' ELSE disabled_reason END, updated_at = now() WHERE id = $1`,
			w.ID, w.URL, w.Events, w.PoolID, w.Active)
		if err := found(tag, err, "webhook"); err != nil {
			return err
		}
		if w.Active {
			_, err = tx.Exec(ctx, `UPDATE webhook_deliveries SET kicked = false WHERE subscription_id = $1 AND status = 'pending'`, w.ID)
		}
		return err
	})
	if err != nil {
		return w, err
	}
	return db.Webhook(ctx, w.ID)
}

// DeleteWebhook removes a subscription and its deliveries.
func (db *DB) DeleteWebhook(ctx context.Context, id string) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM webhook_subscriptions WHERE id = $1`, id)
	return found(tag, err, "webhook")
}

// RotateWebhookSecret makes secret the subscription's signing secret; the
// one it replaces keeps signing until until.
func (db *DB) RotateWebhookSecret(ctx context.Context, id, secret string, until time.Time) (lead.Webhook, error) {
	tag, err := db.pool.Exec(ctx, `UPDATE webhook_subscriptions SET previous_secret = secret, previous_until = $3,
		secret = $2, updated_at = now() WHERE id = $1`, id, secret, until)
	if err := found(tag, err, "webhook"); err != nil {
		return lead.Webhook{}, err
	}
	return db.Webhook(ctx, id)
}

// found is err, or not found for what when the statement touched no row.
func found(tag pgconn.CommandTag, err error, what string) error {
	if err == nil && tag.RowsAffected() == 0 {
		return notFound(pgx.ErrNoRows, what)
	}
	return err
}
