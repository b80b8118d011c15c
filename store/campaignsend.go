package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// This file queues a campaign's messages, a batch of recipients at a time.

// CampaignBatch selects the recipients of a campaign's next batch: up to
// Limit after seq After, in order; with Deferred, only those quiet hours
// deferred whose time has come and who have no message yet.
type CampaignBatch struct {
	CampaignID string
	After      int
	Limit      int
	Deferred   bool
}

// CampaignRecipients are the recipients of batch b.
func (db *DB) CampaignRecipients(ctx context.Context, b CampaignBatch) ([]lead.CampaignRecipient, error) {
	cond := ""
	if b.Deferred {
		cond = ` AND r.not_before IS NOT NULL AND r.not_before <= now()
			AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.key = 'campaign/' || r.campaign_id || '/' || r.seq)`
	}
	rows, err := db.pool.Query(ctx, `SELECT r.seq, coalesce(r.lead_id::text, ''), r.name, r.email, r.phone, r.country, r.time_zone,
			coalesce(r.rep_id::text, '')
		FROM campaign_recipients r WHERE r.campaign_id = $1 AND r.seq > $2`+cond+` ORDER BY r.seq LIMIT $3`,
		b.CampaignID, b.After, b.Limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (lead.CampaignRecipient, error) {
		var c lead.CampaignRecipient
		err := r.Scan(&c.Seq, &c.LeadID, &c.Name, &c.Email, &c.Phone, &c.Country, &c.TimeZone, &c.RepID)
		return c, err
	})
}

// DeferCampaignRecipients records that quiet hours hold back the
// recipients seqs of campaign id until their time in until (same order).
func (db *DB) DeferCampaignRecipients(ctx context.Context, id string, seqs []int, until []time.Time) error {
	if len(seqs) == 0 {
		return nil
	}
	_, err := db.pool.Exec(ctx, `UPDATE campaign_recipients r SET not_before = d.until
		FROM unnest($2::int[], $3::timestamptz[]) AS d(seq, until) WHERE r.campaign_id = $1 AND r.seq = d.seq`, id, seqs, until)
	return err
}

// NextDeferred is when the earliest deferred recipient of campaign id
// without a message may be sent to; nil when none is left.
func (db *DB) NextDeferred(ctx context.Context, id string) (*time.Time, error) {
	var t *time.Time
	err := db.pool.QueryRow(ctx, `SELECT min(r.not_before) FROM campaign_recipients r WHERE r.campaign_id = $1 AND r.not_before IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.key = 'campaign/' || r.campaign_id || '/' || r.seq)`, id).Scan(&t)
	return t, err
}

// QueueCampaignMessages stores a campaign's messages ns (their keys
// lead.CampaignKey) in one statement, each once per key: queued, or
// skipped (lead.SkipUnsubscribed) when its address is suppressed on its
// channel, as QueueMessage does one message; a message whose Status is
// set (skipped: no address) is stored so. It answers the keys of the
// messages of ns still queued (stored now or by an earlier attempt), in
// the order of ns. With sentBy (the outbox, which sends nothing: the
// stored message is what goes out) they are stored sent by it instead of
// queued, in the same statement. A message to a lead that goes out (not
// skipped) is a message_sent event in the lead's history, in the same
// statement too, once per message (keyed "event/" + its key).
func (db *DB) QueueCampaignMessages(ctx context.Context, campaignID string, ns []lead.Notification, sentBy string) ([]string, error) {
	if len(ns) == 0 {
		return nil, nil
	}
	cols := make([][]string, 11)
	for _, n := range ns {
		for i, v := range []string{n.ID, n.Key, n.ToEmail, n.Subject, n.Text, n.LeadID, n.SenderID, n.FromName, n.UnsubscribeURL, n.Status, n.Error} {
			cols[i] = append(cols[i], v)
		}
	}
	n0 := ns[0]
	_, err := db.pool.Exec(ctx, `
		WITH ins AS (INSERT INTO notifications (id, key, kind, to_email, subject, text, html, lead_id, channel, sender_id, template_id,
			from_name, unsubscribe_url, status, error, campaign_id, started_at, provider, sent_at, attempts)
		SELECT m.id::uuid, m.key, $1, m.to_email, m.subject, m.text, '', nullif(m.lead_id, '')::uuid, $2, nullif(m.sender_id, '')::uuid,
			nullif($3, '')::uuid, m.from_name, m.unsubscribe_url,
			CASE WHEN m.status <> '' THEN m.status WHEN s.reason IS NOT NULL THEN 'skipped' WHEN $16 <> '' THEN 'sent' ELSE 'queued' END,
			CASE WHEN m.status <> '' THEN m.error ELSE coalesce(s.reason, '') END, $4::uuid, now(),
			CASE WHEN m.status = '' AND s.reason IS NULL AND $16 <> '' THEN $16 ELSE '' END,
			CASE WHEN m.status = '' AND s.reason IS NULL AND $16 <> '' THEN now() END,
			CASE WHEN m.status = '' AND s.reason IS NULL AND $16 <> '' THEN 1 ELSE 0 END
		FROM unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[],
				$14::text[], $15::text[])
			AS m(id, key, to_email, subject, text, lead_id, sender_id, from_name, unsubscribe_url, status, error)
		LEFT JOIN suppressions s ON s.channel = $2 AND s.address = CASE WHEN $2 = 'email' THEN lower(trim(m.to_email)) ELSE trim(m.to_email) END
		ON CONFLICT (key) DO NOTHING
		RETURNING id, key, lead_id, sender_id, status)
		INSERT INTO lead_events (lead_id, type, actor_id, data, request_id)
		SELECT ins.lead_id, $17, ins.sender_id, jsonb_strip_nulls(jsonb_build_object('message_id', ins.id, 'channel', $2::text,
			'campaign_id', $4::text, 'template_id', nullif($3, ''))), 'event/' || ins.key
		FROM ins WHERE ins.lead_id IS NOT NULL AND ins.status <> 'skipped'
		ON CONFLICT (request_id) DO NOTHING`,
		lead.MessageKind, n0.Channel, n0.TemplateID, campaignID,
		cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6], cols[7], cols[8], cols[9], cols[10], sentBy, lead.EventMessageSent)
	if err != nil {
		return nil, err
	}
	rows, err := db.pool.Query(ctx, `SELECT n.key FROM unnest($1::text[]) WITH ORDINALITY AS k(key, i)
		JOIN notifications n ON n.key = k.key WHERE n.status = 'queued' ORDER BY k.i`, cols[1])
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// MarkOutboxSent records the queued messages of keys as sent to the
// outbox (which sends nothing: the stored message is what went out).
func (db *DB) MarkOutboxSent(ctx context.Context, keys []string) error {
	_, err := db.pool.Exec(ctx, `UPDATE notifications SET status = 'sent', attempts = attempts + 1, error = '', provider = 'outbox',
		sent_at = now(), updated_at = now() WHERE key = ANY($1) AND status = 'queued'`, keys)
	return err
}
