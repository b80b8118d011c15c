package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// This file keeps the nurture's messages: templates, the messages to leads
// (rows of notifications, kind lead.MessageKind) and the suppression list.

const templateColumns = `id::text, name, channel, language, subject, body, coalesce(created_by::text, ''), created_at, updated_at`

func scanTemplate(row pgx.Row) (lead.Template, error) {
	var t lead.Template
	err := row.Scan(&t.ID, &t.Name, &t.Channel, &t.Language, &t.Subject, &t.Body, &t.CreatedBy, &t.CreatedAt, &t.UpdatedAt)
	return t, err
}

// errTemplateName refuses a second template of one name, channel and language.
var errTemplateName = lead.Invalid(lead.FieldError{Field: "name", Reason: "is taken by another template of this channel and language"})

// SaveTemplate creates t (a new id's) or, when it exists, replaces its
// fields; a retried create with the same id changes nothing.
func (db *DB) SaveTemplate(ctx context.Context, t lead.Template, create bool) (lead.Template, error) {
	q := `UPDATE message_templates SET name = $2, channel = $3, language = $4, subject = $5, body = $6, updated_at = now() WHERE id = $1`
	if create {
		q = `INSERT INTO message_templates (id, name, channel, language, subject, body, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, nullif($7, '')::uuid) ON CONFLICT (id) DO NOTHING`
	}
	args := []any{t.ID, t.Name, t.Channel, t.Language, t.Subject, t.Body}
	if create {
		args = append(args, t.CreatedBy)
	}
	tag, err := db.pool.Exec(ctx, q, args...)
	if isUniqueViolation(err, "message_templates_name_channel_language_key") {
		return t, errTemplateName
	}
	if err != nil {
		return t, err
	}
	if !create && tag.RowsAffected() == 0 {
		return t, lead.Errorf(lead.CodeNotFound, "template not found")
	}
	return db.Template(ctx, t.ID)
}

// Template returns one template.
func (db *DB) Template(ctx context.Context, id string) (lead.Template, error) {
	if !isUUID(id) {
		return lead.Template{}, lead.Errorf(lead.CodeNotFound, "template not found")
	}
	t, err := scanTemplate(db.pool.QueryRow(ctx, `SELECT `+templateColumns+` FROM message_templates WHERE id = $1`, id))
	return t, notFound(err, "template")
}

// Templates lists the templates, of one channel when channel is not "",
// by name, channel and language.
func (db *DB) Templates(ctx context.Context, channel string) ([]lead.Template, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+templateColumns+` FROM message_templates
		WHERE $1 = '' OR channel = $1 ORDER BY name, channel, language`, channel)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (lead.Template, error) { return scanTemplate(r) })
	if out == nil {
		out = []lead.Template{}
	}
	return out, err
}

// DeleteTemplate removes a template; its messages keep their text.
func (db *DB) DeleteTemplate(ctx context.Context, id string) error {
	if !isUUID(id) {
		return lead.Errorf(lead.CodeNotFound, "template not found")
	}
	tag, err := db.pool.Exec(ctx, `DELETE FROM message_templates WHERE id = $1`, id)
	if err == nil && tag.RowsAffected() == 0 {
		err = lead.Errorf(lead.CodeNotFound, "template not found")
	}
	return err
}

// SuppressionAddress is an address as the suppression list keeps it:
// e-mail addresses lower-case.
func SuppressionAddress(channel, address string) string {
	address = strings.TrimSpace(address)
	if channel == "email" {
		return strings.ToLower(address)
	}
	return address
}

// QueueMessage stores message n (kind lead.MessageKind, its key
// "message/" + its id) and its event in the lead's history, once per key:
// queued, or skipped (lead.SkipUnsubscribed) when its address is
// suppressed on its channel. A retry finds the stored message. A
// sequence step's message (n.EnrolmentID) is stored only while its
// enrolment is active (read under a share lock, so an exit committed
// first stops it): else the answer is not found.
func (db *DB) QueueMessage(ctx context.Context, n lead.Notification, e lead.Event) (lead.Notification, error) {
	if n.ID == "" {
		n.ID = uuid.Must(uuid.NewV7()).String()
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		row := tx.QueryRow(ctx, `
			INSERT INTO notifications (id, key, kind, to_email, subject, text, html, lead_id, channel, sender_id, template_id,
				from_name, unsubscribe_url, status, error, sequence_id)
			SELECT $1, $2, $3, $4, $5, $6, '', $7::uuid, $8, nullif($9, '')::uuid, nullif($10, '')::uuid, $11, $12,
				CASE WHEN s.reason IS NULL THEN 'queued' ELSE 'skipped' END, coalesce(s.reason, ''), `+enrolmentSequence+`
			FROM (SELECT 1) one LEFT JOIN suppressions s ON s.channel = $8 AND s.address = $13
			WHERE `+enrolmentActive+`
			ON CONFLICT (key) DO NOTHING
			RETURNING status, error`,
			n.ID, n.Key, lead.MessageKind, n.ToEmail, n.Subject, n.Text, n.LeadID, n.Channel, n.SenderID, n.TemplateID,
			n.FromName, n.UnsubscribeURL, SuppressionAddress(n.Channel, n.ToEmail), n.EnrolmentID)
		err := row.Scan(&n.Status, &n.Error)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // stored by an earlier attempt
		}
		if err != nil {
			return err
		}
		e.Data["status"] = n.Status
		if n.Error != "" {
			e.Data["reason"] = n.Error
		}
		return insertEvent(ctx, tx, e, n.Key)
	})
	if err != nil {
		return n, err
	}
	return db.NotificationByKey(ctx, n.Key)
}

// MessageStarted records that the workflow sending message key was started.
func (db *DB) MessageStarted(ctx context.Context, key string) error {
	_, err := db.pool.Exec(ctx, `UPDATE notifications SET started_at = now() WHERE key = $1 AND started_at IS NULL`, key)
	return err
}

// UnstartedMessages are the keys of up to limit queued messages stored
// more than after ago whose workflow's start was not recorded, oldest first.
func (db *DB) UnstartedMessages(ctx context.Context, limit int, after time.Duration) ([]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT key FROM notifications
		WHERE kind = 'message' AND status = 'queued' AND started_at IS NULL AND created_at < now() - $2::interval
		ORDER BY created_at LIMIT $1`, limit, after.String())
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// SkipMessage marks a queued message skipped for reason (its address was
// suppressed after it was queued); false when it was not queued.
func (db *DB) SkipMessage(ctx context.Context, key, reason string) (bool, error) {
	tag, err := db.pool.Exec(ctx, `UPDATE notifications SET status = 'skipped', error = $2, updated_at = now(), lease_until = NULL
		WHERE key = $1 AND status = 'queued'`, key, reason)
	return tag.RowsAffected() == 1, err
}

// Suppress adds an address to a channel's suppression list (kept as it
// was when it is there already).
func (db *DB) Suppress(ctx context.Context, channel, address, reason, leadID string) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO suppressions (channel, address, reason, lead_id)
		VALUES ($1, $2, $3, nullif($4, '')::uuid) ON CONFLICT (channel, address) DO NOTHING`,
		channel, SuppressionAddress(channel, address), reason, leadID)
	return err
}

// Suppressed says why an address is suppressed on a channel ("" when it is not).
func (db *DB) Suppressed(ctx context.Context, channel, address string) (string, error) {
	cs := []lead.Consent{{Channel: channel, Address: address}}
	err := db.Consents(ctx, cs)
	return cs[0].Reason, err
}

// Consents fills each consent's suppression from the list (its Channel and
// Address set; those without an address are left as they are).
func (db *DB) Consents(ctx context.Context, cs []lead.Consent) error {
	var channels, addresses []string
	for _, c := range cs {
		if c.Address != "" {
			channels, addresses = append(channels, c.Channel), append(addresses, SuppressionAddress(c.Channel, c.Address))
		}
	}
	if len(addresses) == 0 {
		return nil
	}
	rows, err := db.pool.Query(ctx, `SELECT s.channel, s.address, s.reason, s.created_at FROM suppressions s
		JOIN unnest($1::text[], $2::text[]) AS a(channel, address) ON s.channel = a.channel AND s.address = a.address`, channels, addresses)
	if err != nil {
		return err
	}
	type key struct{ channel, address string }
	found := map[key]lead.Consent{}
	for rows.Next() {
		var k key
		var c lead.Consent
		if err := rows.Scan(&k.channel, &k.address, &c.Reason, &c.SuppressedAt); err != nil {
			rows.Close()
			return err
		}
		found[k] = c
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range cs {
		if c, ok := found[key{cs[i].Channel, SuppressionAddress(cs[i].Channel, cs[i].Address)}]; ok && cs[i].Address != "" {
			cs[i].Suppressed, cs[i].Reason, cs[i].SuppressedAt = true, c.Reason, c.SuppressedAt
		}
	}
	return nil
}

// LeadConsents is the consent of each of leads on every channel
// (lead.Channels), by lead id, in one query (Consents): an export's page.
func (db *DB) LeadConsents(ctx context.Context, leads []lead.Lead) (map[string][]lead.Consent, error) {
	all := make([]lead.Consent, 0, len(leads)*len(lead.Channels))
	for _, l := range leads {
		for _, ch := range lead.Channels {
			all = append(all, lead.Consent{Channel: ch, Address: l.ChannelAddress(ch)})
		}
	}
	if err := db.Consents(ctx, all); err != nil {
		return nil, err
	}
	out := make(map[string][]lead.Consent, len(leads))
	for i, l := range leads {
		out[l.ID] = all[i*len(lead.Channels) : (i+1)*len(lead.Channels)]
	}
	return out, nil
}
