package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

const notificationColumns = `id::text, key, kind, coalesce(to_user_id::text, ''), to_email, subject, text, html,
	coalesce(lead_id::text, ''), status, error, attempts, provider, provider_message_id, created_at, sent_at`

func scanNotification(row pgx.Row) (lead.Notification, error) {
	var n lead.Notification
	err := row.Scan(&n.ID, &n.Key, &n.Kind, &n.ToUserID, &n.ToEmail, &n.Subject, &n.Text, &n.HTML,
		&n.LeadID, &n.Status, &n.Error, &n.Attempts, &n.Provider, &n.ProviderMessageID, &n.CreatedAt, &n.SentAt)
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
		provider = $4, updated_at = now() WHERE key = $1 AND status <> 'sent'`, key, status, reason, provider)
	return err
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
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	var bad lead.Fields
	if f.ToUserID != "" {
		if !isUUID(f.ToUserID) {
			bad.Add("to_user_id", "is not an id")
		}
		where = append(where, "to_user_id = "+arg(f.ToUserID)+"::uuid")
	}
	if f.LeadID != "" {
		if !isUUID(f.LeadID) {
			bad.Add("lead_id", "is not an id")
		}
		where = append(where, "lead_id = "+arg(f.LeadID)+"::uuid")
	}
	if f.Kind != "" {
		if !lead.KnownEmailKind(f.Kind) {
			bad.Add("kind", "is not a notification kind")
		}
		where = append(where, "kind = "+arg(f.Kind))
	}
	if f.Status != "" {
		if !slices.Contains([]string{lead.NotificationQueued, lead.NotificationSent, lead.NotificationFailed}, f.Status) {
			bad.Add("status", "must be queued, sent or failed")
		}
		where = append(where, "status = "+arg(f.Status))
	}
	if f.Cursor != "" {
		t, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		where = append(where, "(created_at, id) < ("+arg(t)+", "+arg(id)+"::uuid)")
	}
	if err := bad.Err(); err != nil {
		return nil, "", err
	}
	if f.Limit < 1 {
		f.Limit = 50
	}
	q := `SELECT ` + notificationColumns + ` FROM notifications`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY created_at DESC, id DESC LIMIT " + arg(f.Limit+1)
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (lead.Notification, error) { return scanNotification(r) })
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(items) > f.Limit {
		items = items[:f.Limit]
		last := items[f.Limit-1]
		next = encodeCursor(last.CreatedAt, last.ID)
	}
	return items, next, nil
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

// MailUser is a user as the e-mail activity needs them.
type MailUser struct {
	lead.User
	OptOut []string
}

// MailUsers returns the users with these ids (unknown ids are left out),
// in the order given.
func (db *DB) MailUsers(ctx context.Context, ids []string) ([]MailUser, error) {
	var valid []string
	for _, id := range ids {
		if isUUID(id) && !slices.Contains(valid, id) {
			valid = append(valid, id)
		}
	}
	if len(valid) == 0 {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT `+userColumns+`, email_opt_out FROM users WHERE id = ANY($1::text[]::uuid[])`, valid)
	if err != nil {
		return nil, err
	}
	users, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (MailUser, error) {
		var u MailUser
		err := r.Scan(&u.ID, &u.Name, &u.Email, &u.Role, &u.TeamID, &u.Capacity, &u.DailyClaimLimit, &u.Active, &u.CreatedAt, &u.Away, &u.OptOut)
		return u, err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(users, func(a, b MailUser) int { return slices.Index(valid, a.ID) - slices.Index(valid, b.ID) })
	return users, nil
}

// PoolRecipients lists a pool's admins and members with their new-lead
// e-mail flag, in the order they were added.
func (db *DB) PoolRecipients(ctx context.Context, poolID string) ([]lead.Recipient, error) {
	if _, err := db.Pool(ctx, poolID); err != nil {
		return nil, err
	}
	return db.recipients(ctx, `
		SELECT u.id::text, u.name, u.email, coalesce(r.notify, false), coalesce(r.added_at, u.created_at)
		FROM users u LEFT JOIN pool_recipients r ON r.pool_id = $1 AND r.user_id = u.id
		WHERE u.id IN (SELECT user_id FROM pool_members WHERE pool_id = $1)
		ORDER BY 5, u.id`, poolID)
}

// TeamRecipients lists a team's members with their new-lead e-mail flag,
// in the order they were added.
func (db *DB) TeamRecipients(ctx context.Context, teamID string) ([]lead.Recipient, error) {
	if _, err := db.Team(ctx, teamID); err != nil {
		return nil, err
	}
	return db.recipients(ctx, `
		SELECT u.id::text, u.name, u.email, coalesce(r.notify, false), coalesce(r.added_at, u.created_at)
		FROM users u LEFT JOIN team_recipients r ON r.team_id = $1 AND r.user_id = u.id
		WHERE u.team_id = $1
		ORDER BY 5, u.id`, teamID)
}

func (db *DB) recipients(ctx context.Context, sql string, args ...any) ([]lead.Recipient, error) {
	rows, err := db.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (lead.Recipient, error) {
		var x lead.Recipient
		err := r.Scan(&x.UserID, &x.Name, &x.Email, &x.Notify, &x.AddedAt)
		return x, err
	})
	if out == nil {
		out = []lead.Recipient{}
	}
	return out, err
}

// SetPoolRecipients makes exactly userIDs (admins or members of the pool)
// the pool's new-lead recipients. With none, the next user added to the
// pool becomes the default recipient (seed 003).
func (db *DB) SetPoolRecipients(ctx context.Context, poolID string, userIDs []string) ([]lead.Recipient, error) {
	if _, err := db.Pool(ctx, poolID); err != nil {
		return nil, err
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		// The same lock as the trigger that flags the first user added.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('pool_recipients'), hashtext($1::text))`, poolID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT DISTINCT user_id::text FROM pool_members WHERE pool_id = $1`, poolID)
		if err != nil {
			return err
		}
		people, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		ids, err := checkRecipients(userIDs, people, "of the pool's admins or members")
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO pool_recipients (pool_id, user_id, notify)
			SELECT $1::uuid, p::uuid, p = ANY($3::text[]) FROM unnest($2::text[]) p
			ON CONFLICT (pool_id, user_id) DO UPDATE SET notify = excluded.notify`, poolID, people, ids)
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.PoolRecipients(ctx, poolID)
}

// SetTeamRecipients makes exactly userIDs (members of the team) the team's
// new-lead recipients.
func (db *DB) SetTeamRecipients(ctx context.Context, teamID string, userIDs []string) ([]lead.Recipient, error) {
	if _, err := db.Team(ctx, teamID); err != nil {
		return nil, err
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('team_recipients'), hashtext($1::text))`, teamID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id::text FROM users WHERE team_id = $1`, teamID)
		if err != nil {
			return err
		}
		people, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		ids, err := checkRecipients(userIDs, people, "of the team's members")
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO team_recipients (team_id, user_id, notify)
			SELECT $1::uuid, p::uuid, p = ANY($3::text[]) FROM unnest($2::text[]) p
			ON CONFLICT (team_id, user_id) DO UPDATE SET notify = excluded.notify`, teamID, people, ids)
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.TeamRecipients(ctx, teamID)
}

// checkRecipients normalises ids and refuses those not among people.
func checkRecipients(ids, people []string, of string) ([]string, error) {
	var bad lead.Fields
	out := []string{}
	for _, id := range ids {
		id = strings.ToLower(strings.TrimSpace(id))
		switch {
		case !isUUID(id):
			bad.Add("user_ids", fmt.Sprintf("%q is not a user id", id))
		case !slices.Contains(people, id):
			bad.Add("user_ids", fmt.Sprintf("user %s is not one %s", id, of))
		case !slices.Contains(out, id):
			out = append(out, id)
		}
	}
	return out, bad.Err()
}

// NewLeadRecipients returns the active users flagged to hear of new leads
// in a pool: its own designated recipients and, for a team pool, the
// team's.
func (db *DB) NewLeadRecipients(ctx context.Context, poolID string) ([]string, error) {
	if !isUUID(poolID) {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `
		SELECT u.id::text FROM (
			SELECT r.user_id, r.added_at FROM pool_recipients r
			WHERE r.pool_id = $1 AND r.notify AND EXISTS (SELECT 1 FROM pool_members m WHERE m.pool_id = r.pool_id AND m.user_id = r.user_id)
			UNION ALL
			SELECT r.user_id, r.added_at FROM pools p JOIN team_recipients r ON r.team_id = p.team_id
			JOIN users tu ON tu.id = r.user_id AND tu.team_id = r.team_id
			WHERE p.id = $1 AND p.scope = 'team' AND r.notify
		) x JOIN users u ON u.id = x.user_id
		WHERE u.active
		GROUP BY u.id ORDER BY min(x.added_at), u.id`, poolID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// EscalationRecipients returns the active admins of a pool; a pool without
// any (the default pool) escalates to the installation's active admins.
func (db *DB) EscalationRecipients(ctx context.Context, poolID string) ([]string, error) {
	var ids []string
	if isUUID(poolID) {
		rows, err := db.pool.Query(ctx, `SELECT u.id::text FROM pool_members m JOIN users u ON u.id = m.user_id
			WHERE m.pool_id = $1 AND m.role = 'admin' AND u.active ORDER BY u.created_at, u.id`, poolID)
		if err != nil {
			return nil, err
		}
		if ids, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return nil, err
		}
	}
	if len(ids) > 0 {
		return ids, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT id::text FROM users WHERE role = 'admin' AND active ORDER BY created_at, id`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// DueFollowUp is an assigned lead whose latest follow-up planned the next
// one by a digest's day.
type DueFollowUp struct {
	LeadID   string
	Company  string
	Name     string
	NextStep string
	NextAt   time.Time
}

// dueFollowUps selects the assigned leads whose latest follow-up has a
// next_at before $1, with their owner.
const dueFollowUps = `
	SELECT l.owner_id::text, l.id::text, l.company, l.name, f.next_step, f.next_at
	FROM leads l
	CROSS JOIN LATERAL (SELECT next_step, next_at FROM follow_ups x WHERE x.lead_id = l.id
		ORDER BY x.created_at DESC, x.id DESC LIMIT 1) f
	WHERE l.status = 'assigned' AND l.owner_id IS NOT NULL AND f.next_at IS NOT NULL AND f.next_at < $1`

// DigestReps returns the active users who own leads with a follow-up due
// before until.
func (db *DB) DigestReps(ctx context.Context, until time.Time) ([]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT d.owner_id FROM (`+dueFollowUps+`) AS d(owner_id, lead_id, company, name, next_step, next_at)
		JOIN users u ON u.id = d.owner_id::uuid WHERE u.active
		GROUP BY d.owner_id ORDER BY d.owner_id`, until)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// DueFollowUps returns a rep's leads with a follow-up due before until,
// soonest first.
func (db *DB) DueFollowUps(ctx context.Context, repID string, until time.Time) ([]DueFollowUp, error) {
	if !isUUID(repID) {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT d.lead_id, d.company, d.name, d.next_step, d.next_at
		FROM (`+dueFollowUps+` AND l.owner_id = $2) AS d(owner_id, lead_id, company, name, next_step, next_at)
		ORDER BY d.next_at, d.lead_id`, until, repID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (DueFollowUp, error) {
		var d DueFollowUp
		err := r.Scan(&d.LeadID, &d.Company, &d.Name, &d.NextStep, &d.NextAt)
		return d, err
	})
}
