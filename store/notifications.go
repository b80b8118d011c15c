package store

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

const notificationColumns = `id::text, key, kind, coalesce(to_user_id::text, ''), to_email, subject, text, html,
	coalesce(lead_id::text, ''), status, error, attempts, provider, provider_message_id, created_at, sent_at,
	channel, coalesce(sender_id::text, ''), coalesce(template_id::text, ''), from_name, unsubscribe_url`

func scanNotification(row pgx.Row) (lead.Notification, error) {
	var n lead.Notification
	err := row.Scan(&n.ID, &n.Key, &n.Kind, &n.ToUserID, &n.ToEmail, &n.Subject, &n.Text, &n.HTML,
		&n.LeadID, &n.Status, &n.Error, &n.Attempts, &n.Provider, &n.ProviderMessageID, &n.CreatedAt, &n.SentAt,
		&n.Channel, &n.SenderID, &n.TemplateID, &n.FromName, &n.UnsubscribeURL)
	return n, err
}

// ClaimNotification stores n as queued unless a notification with its key
// exists, and returns the stored one: a retried send finds the e-mail of
// its first attempt (and its status) instead of making a second one.
func (db *DB) ClaimNotification(ctx context.Context, n lead.Notification) (lead.Notification, error) {
	if n.Key == "" {
		return n, lead.Invalid(lead.FieldError{Field: "key", Reason: "is required"})
	}
	if n.ID == "" {
		n.ID = uuid.Must(uuid.NewV7()).String()
	}
	if n.ToUserID != "" && !isUUID(n.ToUserID) {
		return n, lead.Invalid(lead.FieldError{Field: "to_user_id", Reason: "is not an id"})
	}
	if n.LeadID != "" && !isUUID(n.LeadID) {
		return n, lead.Invalid(lead.FieldError{Field: "lead_id", Reason: "is not an id"})
	}
	stored, err := scanNotification(db.pool.QueryRow(ctx, `
		INSERT INTO notifications (id, key, kind, to_user_id, to_email, subject, text, html, lead_id)
		VALUES ($1, $2, $3, nullif($4, '')::uuid, $5, $6, $7, $8, nullif($9, '')::uuid)
		ON CONFLICT (key) DO NOTHING
		RETURNING `+notificationColumns,
		n.ID, n.Key, n.Kind, n.ToUserID, n.ToEmail, n.Subject, n.Text, n.HTML, n.LeadID))
	if err == pgx.ErrNoRows {
		return db.NotificationByKey(ctx, n.Key)
	}
	return stored, err
}

// NotificationByKey returns the notification with an idempotency key.
func (db *DB) NotificationByKey(ctx context.Context, key string) (lead.Notification, error) {
	n, err := scanNotification(db.pool.QueryRow(ctx, `SELECT `+notificationColumns+` FROM notifications WHERE key = $1`, key))
	return n, notFound(err, "notification")
}

// Notification returns one notification by its id.
func (db *DB) Notification(ctx context.Context, id string) (lead.Notification, error) {
	if !isUUID(id) {
		return lead.Notification{}, lead.Errorf(lead.CodeNotFound, "notification not found")
	}
	n, err := scanNotification(db.pool.QueryRow(ctx, `SELECT `+notificationColumns+` FROM notifications WHERE id = $1`, id))
	return n, notFound(err, "notification")
}

// MarkNotificationSent records a delivery by provider with its message id.
func (db *DB) MarkNotificationSent(ctx context.Context, key, provider, messageID string) error {
	_, err := db.pool.Exec(ctx, `UPDATE notifications SET status = 'sent', attempts = attempts + 1, error = '',
		provider = $2, provider_message_id = $3, sent_at = now(), updated_at = now() WHERE key = $1`, key, provider, messageID)
	return err
}

// MarkNotificationFailed records a failed attempt: a permanent failure
// makes the notification failed (it is not sent again); a temporary one
// leaves it queued for the next attempt.
func (db *DB) MarkNotificationFailed(ctx context.Context, key, provider, reason string, permanent bool) error {
	status := lead.NotificationQueued
	if permanent {
		status = lead.NotificationFailed
	}
	_, err := db.pool.Exec(ctx, `UPDATE notifications SET status = $2, attempts = attempts + 1, error = $3,
		provider = $4, updated_at = now(), lease_until = NULL WHERE key = $1 AND status <> 'sent'`, key, status, reason, provider)
	return err
}

// LeaseNotification gives the caller the queued notification key for d:
// leased false when it is not queued any more, or another attempt holds
// a lease on it that has not run out (until is then that lease's end).
// The lease ends when the notification is marked sent or failed.
func (db *DB) LeaseNotification(ctx context.Context, key string, d time.Duration) (leased bool, until time.Time, err error) {
	var held *time.Time
	err = db.pool.QueryRow(ctx, `WITH l AS (UPDATE notifications SET lease_until = now() + $2::interval
			WHERE key = $1 AND status = 'queued' AND (lease_until IS NULL OR lease_until <= now()) RETURNING lease_until)
		SELECT true, lease_until FROM l
		UNION ALL SELECT false, lease_until FROM notifications WHERE key = $1 AND NOT EXISTS (SELECT 1 FROM l)`,
		key, d.String()).Scan(&leased, &held)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, time.Time{}, nil
	}
	if held != nil {
		until = *held
	}
	return leased, until, err
}

// DropQueuedNotifications marks failed, with reason, the queued
// notifications of one e-mail (keys key + "/" + recipient): an earlier
// attempt claimed them and could not send them, and the e-mail is not to be
// sent any more (the lead moved on), so they must not look queued forever.
// It answers how many it marked.
func (db *DB) DropQueuedNotifications(ctx context.Context, key, reason string) (int64, error) {
	tag, err := db.pool.Exec(ctx, `UPDATE notifications SET status = 'failed', error = $2, updated_at = now()
		WHERE left(key, length($1) + 1) = $1 || '/' AND status = 'queued'`, key, reason)
	return tag.RowsAffected(), err
}

// NotificationFilter selects notifications to list.
type NotificationFilter struct {
	ToUserID string // "" for everyone's
	LeadID   string
	Kind     string
	Status   string
	Limit    int
	Cursor   string
}

// Notifications lists notifications newest first, after the cursor, at most f.Limit.
func (db *DB) Notifications(ctx context.Context, f NotificationFilter) ([]lead.Notification, string, error) {
	var q listQuery
	var bad lead.Fields
	if f.ToUserID != "" {
		if !isUUID(f.ToUserID) {
			bad.Add("to_user_id", "is not an id")
		}
		q.and("to_user_id = " + q.arg(f.ToUserID) + "::uuid")
	}
	if f.LeadID != "" {
		if !isUUID(f.LeadID) {
			bad.Add("lead_id", "is not an id")
		}
		q.and("lead_id = " + q.arg(f.LeadID) + "::uuid")
	}
	if f.Kind != "" {
		if !lead.KnownEmailKind(f.Kind) && f.Kind != lead.MessageKind {
			bad.Add("kind", "is not a notification kind")
		}
		q.and("kind = " + q.arg(f.Kind))
	}
	if f.Status != "" {
		if !slices.Contains([]string{lead.NotificationQueued, lead.NotificationSent, lead.NotificationFailed, lead.NotificationSkipped}, f.Status) {
			bad.Add("status", "must be queued, sent, failed or skipped")
		}
		q.and("status = " + q.arg(f.Status))
	}
	if err := q.keyset("created_at", "id", true, f.Cursor); err != nil {
		return nil, "", err
	}
	if err := bad.Err(); err != nil {
		return nil, "", err
	}
	if f.Limit < 1 {
		f.Limit = 50
	}
	return queryPage(ctx, db, notificationColumns+` FROM notifications`, &q, f.Limit, scanNotification,
		func(n lead.Notification) (time.Time, string) { return n.CreatedAt, n.ID })
}

// EmailOptOut returns the non-essential e-mail kinds a user turned off.
func (db *DB) EmailOptOut(ctx context.Context, userID string) ([]string, error) {
	if !isUUID(userID) {
		return nil, lead.Errorf(lead.CodeNotFound, "user not found")
	}
	var kinds []string
	err := db.pool.QueryRow(ctx, `SELECT email_opt_out FROM users WHERE id = $1`, userID).Scan(&kinds)
	if kinds == nil {
		kinds = []string{}
	}
	return kinds, notFound(err, "user")
}

// SetEmailOptOut replaces the kinds a user turned off (see lead.CleanOptOut).
func (db *DB) SetEmailOptOut(ctx context.Context, userID string, kinds []string) ([]string, error) {
	kinds, err := lead.CleanOptOut("opt_out", kinds)
	if err != nil {
		return nil, err
	}
	if !isUUID(userID) {
		return nil, lead.Errorf(lead.CodeNotFound, "user not found")
	}
	tag, err := db.pool.Exec(ctx, `UPDATE users SET email_opt_out = $2 WHERE id = $1`, userID, kinds)
	if err != nil {
		return nil, err
	}
	if tag.RowsAffected() == 0 {
		return nil, lead.Errorf(lead.CodeNotFound, "user not found")
	}
	return kinds, nil
}
