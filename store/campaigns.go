package store

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// This file keeps the campaigns: their drafts, statuses and progress, and
// their recipients (campaignsend.go queues their messages).

const campaignColumns = `c.id::text, c.name, c.channel, coalesce(c.template_id::text, ''), c.audience, c.rate, c.scheduled_at,
	c.status, c.created_by::text, c.created_at, c.started_at, c.finished_at, c.time_zone, c.language, c.subject, c.body, c.recipients`

func scanCampaign(row pgx.Row) (lead.Campaign, error) {
	var c lead.Campaign
	var audience []byte
	err := row.Scan(&c.ID, &c.Name, &c.Channel, &c.TemplateID, &audience, &c.Rate, &c.ScheduledAt, &c.Status, &c.CreatedBy,
		&c.CreatedAt, &c.StartedAt, &c.FinishedAt, &c.TimeZone, &c.Language, &c.Subject, &c.Body, &c.Recipients)
	if err == nil {
		err = json.Unmarshal(audience, &c.Audience)
	}
	return c, err
}

// CreateCampaign stores draft c with its uploaded attendees (rs, numbered
// from 1), once per id: a retry answers the stored draft.
func (db *DB) CreateCampaign(ctx context.Context, c lead.Campaign, rs []lead.CampaignRecipient) (lead.Campaign, error) {
	stored := c.Audience
	stored.List = nil // the attendees are the recipients
	audience, err := json.Marshal(stored)
	if err != nil {
		return c, err
	}
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO campaigns (id, name, channel, template_id, audience, rate, scheduled_at, time_zone, created_by, recipients)
			VALUES ($1, $2, $3, nullif($4, '')::uuid, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING`,
			c.ID, c.Name, c.Channel, c.TemplateID, audience, c.Rate, c.ScheduledAt, c.TimeZone, c.CreatedBy, len(rs))
		if err != nil || tag.RowsAffected() == 0 || len(rs) == 0 {
			return err
		}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"campaign_recipients"},
			[]string{"campaign_id", "seq", "name", "email", "phone", "country", "time_zone", "rep_id"},
			pgx.CopyFromSlice(len(rs), func(i int) ([]any, error) {
				r := rs[i]
				var rep any
				if r.RepID != "" {
					rep = r.RepID
				}
				return []any{c.ID, i + 1, r.Name, r.Email, r.Phone, r.Country, r.TimeZone, rep}, nil
			}))
		return err
	})
	if err != nil {
		return c, err
	}
	return db.Campaign(ctx, c.ID)
}

// Campaign returns one campaign with its progress.
func (db *DB) Campaign(ctx context.Context, id string) (lead.Campaign, error) {
	if !isUUID(id) {
		return lead.Campaign{}, lead.Errorf(lead.CodeNotFound, "campaign not found")
	}
	c, err := scanCampaign(db.pool.QueryRow(ctx, `SELECT `+campaignColumns+` FROM campaigns c WHERE c.id = $1`, id))
	if err != nil {
		return c, notFound(err, "campaign")
	}
	return c, db.campaignProgress(ctx, &c)
}

// campaignProgress counts c's messages by status (skipped by reason) and
// its recipients still without one.
func (db *DB) campaignProgress(ctx context.Context, c *lead.Campaign) error {
	c.Skipped = map[string]int{}
	rows, err := db.pool.Query(ctx, `SELECT status, CASE WHEN status = 'skipped' THEN error ELSE '' END, count(*)
		FROM notifications WHERE campaign_id = $1 GROUP BY 1, 2`, c.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	done := 0
	for rows.Next() {
		var status, reason string
		var n int
		if err := rows.Scan(&status, &reason, &n); err != nil {
			return err
		}
		done += n
		switch status {
		case lead.NotificationQueued:
			c.Queued += n
		case lead.NotificationFailed:
			c.Failed += n
		case lead.NotificationSkipped:
			c.Skipped[reason] += n
		default: // sent, and the delivery statuses that follow it
			c.Sent += n
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if c.Pending = c.Recipients - done; c.Pending < 0 {
		c.Pending = 0
	}
	if c.Pending > 0 {
		return db.pool.QueryRow(ctx, `SELECT count(*) FROM campaign_recipients r WHERE r.campaign_id = $1 AND r.not_before IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.key = 'campaign/' || r.campaign_id || '/' || r.seq)`, c.ID).Scan(&c.Deferred)
	}
	return nil
}

// CampaignFilter selects campaigns to list: those CreatedBy made (every
// campaign when empty).
type CampaignFilter struct {
	CreatedBy string
	Limit     int
	Cursor    string
}

// Campaigns lists campaigns newest first, with their progress.
func (db *DB) Campaigns(ctx context.Context, f CampaignFilter) ([]lead.Campaign, string, error) {
	var q listQuery
	if f.CreatedBy != "" {
		q.and("c.created_by = " + q.arg(f.CreatedBy) + "::uuid")
	}
	if err := q.keyset("c.created_at", "c.id", true, f.Cursor); err != nil {
		return nil, "", err
	}
	if f.Limit < 1 {
		f.Limit = 50
	}
	out, next, err := queryPage(ctx, db, campaignColumns+` FROM campaigns c`, &q, f.Limit, scanCampaign,
		func(c lead.Campaign) (time.Time, string) { return c.CreatedAt, c.ID })
	for i := range out {
		if err == nil {
			err = db.campaignProgress(ctx, &out[i])
		}
	}
	return out, next, err
}

// errCampaignStatus refuses a change the campaign's status does not allow.
func errCampaignStatus(status string) error {
	return lead.Conflict("the campaign is "+status, "status: "+status)
}

// SetCampaignStatus moves campaign id from one of the statuses from to
// status to (a refusal names the status it is in); to itself, it changes
// nothing. Running stamps started_at, done and cancelled finished_at.
func (db *DB) SetCampaignStatus(ctx context.Context, id string, from []string, to string) (lead.Campaign, error) {
	c, err := db.Campaign(ctx, id)
	if err != nil || c.Status == to {
		return c, err
	}
	tag, err := db.pool.Exec(ctx, `UPDATE campaigns SET status = $3, updated_at = now(),
			started_at = CASE WHEN $3 = 'running' THEN coalesce(started_at, now()) ELSE started_at END,
			finished_at = CASE WHEN $3 IN ('done', 'cancelled') THEN now() ELSE finished_at END
		WHERE id = $1 AND status = ANY($2)`, id, from, to)
	if err != nil {
		return c, err
	}
	if tag.RowsAffected() == 0 {
		if c, err = db.Campaign(ctx, id); err == nil && c.Status != to {
			err = errCampaignStatus(c.Status)
		}
		return c, err
	}
	return db.Campaign(ctx, id)
}

// StartCampaign keeps the template's text in draft id and makes it
// scheduled (or running when it is not scheduled); a campaign that has
// started already is answered as it is.
func (db *DB) StartCampaign(ctx context.Context, id, language, subject, body string) (lead.Campaign, error) {
	tag, err := db.pool.Exec(ctx, `UPDATE campaigns SET language = $2, subject = $3, body = $4, updated_at = now(),
			status = CASE WHEN scheduled_at > now() THEN 'scheduled' ELSE 'running' END,
			started_at = CASE WHEN scheduled_at > now() THEN NULL ELSE now() END
		WHERE id = $1 AND status = 'draft'`, id, language, subject, body)
	if err != nil {
		return lead.Campaign{}, err
	}
	c, err := db.Campaign(ctx, id)
	if err == nil && tag.RowsAffected() == 0 && c.Status == lead.CampaignDraft {
		err = errors.New("campaign not started")
	}
	return c, err
}

// CampaignAudience fixes the recipients of campaign id from its lead
// filter f (the leads v answers for, by age), once: a campaign whose
// recipients are stored (a retry, an uploaded list) keeps them. It
// answers how many there are.
func (db *DB) CampaignAudience(ctx context.Context, id string, f LeadFilter, v Viewer) (int, error) {
	var n int
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var fixed bool
		err := tx.QueryRow(ctx, `SELECT recipients, recipients > 0 OR EXISTS (SELECT 1 FROM campaign_recipients WHERE campaign_id = $1)
			FROM campaigns WHERE id = $1 FOR UPDATE`, id).Scan(&n, &fixed)
		if err != nil || fixed {
			return notFound(err, "campaign")
		}
		var q listQuery
		campaign := q.arg(id)
		if err := f.conditions(&q); err != nil {
			return err
		}
		if c := v.reportCondition(q.arg); c != "" {
			q.and(c)
		}
		q.and("l.status NOT IN ('rejected', 'merged')")
		tag, err := tx.Exec(ctx, `INSERT INTO campaign_recipients (campaign_id, seq, lead_id, name, email, phone, country, time_zone, rep_id)
			SELECT `+campaign+`::uuid, row_number() OVER (ORDER BY l.created_at, l.id), l.id, l.name, l.email, l.phone_e164, l.country,
				coalesce(l.custom->>'time_zone', ''), l.owner_id
			FROM `+leadFrom+` WHERE `+q.where0(), q.args...)
		if err != nil {
			return err
		}
		n = int(tag.RowsAffected())
		_, err = tx.Exec(ctx, `UPDATE campaigns SET recipients = $2, updated_at = now() WHERE id = $1`, id, n)
		return err
	})
	return n, err
}

// where0 is q's conditions joined by AND ("true" when it has none).
func (q *listQuery) where0() string {
	if len(q.where) == 0 {
		return "true"
	}
	return strings.Join(q.where, " AND ")
}

// ActiveUsersByEmail maps the lower-case e-mail of each active user among
// emails to the user's id.
func (db *DB) ActiveUsersByEmail(ctx context.Context, emails []string) (map[string]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT lower(email), id::text FROM users WHERE active AND lower(email) = ANY($1)`, emails)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var e, id string
		if err := rows.Scan(&e, &id); err != nil {
			return nil, err
		}
		out[e] = id
	}
	return out, rows.Err()
}

// CampaignRow returns campaign id without its progress.
func (db *DB) CampaignRow(ctx context.Context, id string) (lead.Campaign, error) {
	c, err := scanCampaign(db.pool.QueryRow(ctx, `SELECT `+campaignColumns+` FROM campaigns c WHERE c.id = $1`, id))
	return c, notFound(err, "campaign")
}
