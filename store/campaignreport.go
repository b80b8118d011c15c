package store

import (
	"context"

	"github.com/leadflow/leadflow/lead"
)

// CampaignFunnel counts the funnel of campaign id: its messages sent and
// how far they got (delivered, opened, clicked: the delivery statuses the
// providers' webhooks write on a message, each counting the later ones
// too), the addresses that unsubscribed from its channel since it
// started, the recipients who registered (a lead made since the start
// with a recipient's e-mail or phone), and of the recipients' leads (and
// those registered) how many were claimed (or assigned) and converted
// since.
func (db *DB) CampaignFunnel(ctx context.Context, id string) (lead.CampaignFunnel, error) {
	return db.messageFunnel(ctx, "campaign", `
		c AS (SELECT id, channel, coalesce(started_at, created_at) AS since FROM campaigns WHERE id = $1),
		m AS (SELECT n.status, n.lead_id, n.to_email, c.channel, c.since FROM notifications n, c WHERE n.campaign_id = $1),
		r AS (SELECT lower(r.email) AS email, r.phone, c.since FROM campaign_recipients r, c WHERE r.campaign_id = $1),
		`+registeredCTE+`,
		ls AS (SELECT lead_id AS id, since FROM m WHERE lead_id IS NOT NULL UNION SELECT id, since FROM reg)`, id)
}

// registeredCTE defines reg, the leads registered through a campaign's
// or a sequence's messages, from r, the addresses they went to (email:
// lower-case, phone: E.164, each "" when none) and since when (since): a
// lead made since then with one of them (a duplicate counting as the
// lead it was merged into), once per lead and time.
const registeredCTE = `reg AS (SELECT DISTINCT x.id, x.since FROM (
			SELECT coalesce(l.merged_into, l.id) AS id, r.since FROM leads l JOIN r ON r.email <> '' AND lower(l.email) = r.email
			WHERE l.email <> '' AND l.created_at >= r.since AND l.created_at >= (SELECT min(since) FROM r)
			UNION ALL
			SELECT coalesce(l.merged_into, l.id), r.since FROM leads l JOIN r ON r.phone <> '' AND l.phone_e164 = r.phone
			WHERE l.phone_e164 <> '' AND l.created_at >= r.since AND l.created_at >= (SELECT min(since) FROM r)) x)`

// SequenceFunnel counts the funnel of sequence id as CampaignFunnel
// counts a campaign's: its steps' messages and how far they got, the
// addresses that unsubscribed after a message went to them, the leads
// registered with the address of a message sent (e-mail, or the phone of
// an SMS or WhatsApp message) since it was sent (a lead registering
// again through the link counts as itself: its duplicate is merged into
// it), and of the leads enrolled (and those registered) how many were
// claimed (or assigned) and converted after their enrolment.
func (db *DB) SequenceFunnel(ctx context.Context, id string) (lead.CampaignFunnel, error) {
	return db.messageFunnel(ctx, "sequence", `
		c AS (SELECT id FROM sequences WHERE id = $1),
		m AS (SELECT n.status, n.lead_id, n.to_email, n.channel, n.created_at AS since FROM notifications n WHERE n.sequence_id = $1),
		r AS (SELECT CASE WHEN channel = 'email' THEN lower(trim(to_email)) ELSE '' END AS email,
				CASE WHEN channel IN ('sms', 'whatsapp') THEN trim(to_email) ELSE '' END AS phone, since
			FROM m WHERE status NOT IN ('queued', 'failed', 'skipped')),
		`+registeredCTE+`,
		ls AS (SELECT lead_id AS id, min(created_at) AS since FROM sequence_enrolments WHERE sequence_id = $1 GROUP BY lead_id
			UNION SELECT id, since FROM reg)`, id)
}

// messageFunnel counts a funnel over the common table expressions ctes,
// which define c (the campaign or sequence: no row, not found), m (its
// messages: status, lead_id, to_email, channel, since), reg (the leads
// registered through it: registeredCTE, each with the time their claims
// and conversions count from) and ls (its leads, each with the time since
// which their claims (lead.OwnerEvents) and conversions count); $1 is id.
func (db *DB) messageFunnel(ctx context.Context, what, ctes, id string) (lead.CampaignFunnel, error) {
	var f lead.CampaignFunnel
	err := db.pool.QueryRow(ctx, `WITH `+ctes+`
		SELECT
			(SELECT count(*) FROM m WHERE status NOT IN ('queued', 'failed', 'skipped')),
			(SELECT count(*) FROM m WHERE status IN ('delivered', 'opened', 'clicked')),
			(SELECT count(*) FROM m WHERE status IN ('opened', 'clicked')),
			(SELECT count(*) FROM m WHERE status = 'clicked'),
			(SELECT count(*) FROM suppressions s WHERE EXISTS (SELECT 1 FROM m WHERE s.channel = m.channel AND s.created_at >= m.since
				AND s.address = CASE WHEN m.channel = 'email' THEN lower(trim(m.to_email)) ELSE trim(m.to_email) END)),
			(SELECT count(DISTINCT id) FROM reg),
			(SELECT count(DISTINCT e.lead_id) FROM lead_events e JOIN ls ON ls.id = e.lead_id WHERE e.at >= ls.since
				AND e.type = ANY($2)),
			(SELECT count(DISTINCT e.lead_id) FROM lead_events e JOIN ls ON ls.id = e.lead_id WHERE e.at >= ls.since
				AND e.type = 'converted')
		FROM c`, id, eventTypes(lead.OwnerEvents)).Scan(&f.Sent, &f.Delivered, &f.Opened, &f.Clicked, &f.Unsubscribed, &f.Registered, &f.Claimed, &f.Converted)
	return f, notFound(err, what)
}
