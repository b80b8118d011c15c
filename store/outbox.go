package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// queueMoveEmails queues in tx the e-mails a move from before to after
// calls for (lead.MoveEmails), keyed as ob says; an e-mail already queued
// under its key stays as it is.
func queueMoveEmails(ctx context.Context, tx pgx.Tx, ob *lead.Outbox, before, after lead.Lead, m lead.Move) error {
	m.RequestID = ob.Key
	for _, e := range lead.MoveEmails(ob.Cause, before, after, m) {
		body, err := json.Marshal(e)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO email_outbox (key, request) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`,
			e.Key, body); err != nil {
			return err
		}
	}
	return nil
}

// OutboxEmail is an e-mail of the outbox leased to a sender.
type OutboxEmail struct {
	Email    lead.Email
	Attempts int // this lease's attempt included
	Queued   time.Time
}

// LeaseOutbox leases up to n queued e-mails that are due and not leased
// (or whose lease ran out: their sender died), oldest first, for d, and
// counts the attempt.
func (db *DB) LeaseOutbox(ctx context.Context, n int, d time.Duration) ([]OutboxEmail, error) {
	rows, err := db.pool.Query(ctx, `UPDATE email_outbox o SET lease_until = now() + $2::interval, attempts = o.attempts + 1, updated_at = now()
		FROM (SELECT key FROM email_outbox WHERE status = 'queued' AND due_at <= now() AND (lease_until IS NULL OR lease_until <= now())
			ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED) due
		WHERE o.key = due.key RETURNING o.request, o.attempts, o.created_at`, n, d.String())
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (OutboxEmail, error) {
		var o OutboxEmail
		var body []byte
		if err := row.Scan(&body, &o.Attempts, &o.Queued); err != nil {
			return o, err
		}
		return o, json.Unmarshal(body, &o.Email)
	})
}

// OutboxSent removes the sent e-mails of keys from the outbox.
func (db *DB) OutboxSent(ctx context.Context, keys []string) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM email_outbox WHERE key = ANY($1)`, keys)
	return err
}

// OutboxRetry puts an e-mail whose attempt failed back in the queue, due
// at at, with the reason.
func (db *DB) OutboxRetry(ctx context.Context, key string, at time.Time, reason string) error {
	_, err := db.pool.Exec(ctx, `UPDATE email_outbox SET due_at = $2, lease_until = NULL, error = $3, updated_at = now()
		WHERE key = $1 AND status = 'queued'`, key, at, reason)
	return err
}

// OutboxFailed gives an e-mail up (refused for good, or retried too long).
func (db *DB) OutboxFailed(ctx context.Context, key, reason string) error {
	_, err := db.pool.Exec(ctx, `UPDATE email_outbox SET status = 'failed', lease_until = NULL, error = $2, updated_at = now()
		WHERE key = $1`, key, reason)
	return err
}

// OutboxQueued counts the e-mails waiting in the outbox (due or not).
func (db *DB) OutboxQueued(ctx context.Context) (int, error) {
	var n int
	err := db.pool.QueryRow(ctx, `SELECT count(*) FROM email_outbox WHERE status = 'queued'`).Scan(&n)
	return n, err
}
