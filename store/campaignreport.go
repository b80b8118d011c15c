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
	var f lead.CampaignFunnel
	err := db.pool.QueryRow(ctx, `
		WITH c AS (SELECT id, channel, coalesce(started_at, created_at) AS since FROM campaigns WHERE id = $1),
		m AS (SELECT n.status, n.lead_id, n.to_email FROM notifications n WHERE n.campaign_id = $1),
		r AS (SELECT lower(r.email) AS email, r.phone FROM campaign_recipients r WHERE r.campaign_id = $1),
		reg AS (SELECT DISTINCT coalesce(l.merged_into, l.id) AS id FROM leads l, c
			WHERE l.created_at >= c.since AND (
				(l.email <> '' AND lower(l.email) IN (SELECT email FROM r WHERE email <> ''))
				OR (l.phone_e164 <> '' AND l.phone_e164 IN (SELECT phone FROM r WHERE phone <> '')))),
		ls AS (SELECT lead_id AS id FROM m WHERE lead_id IS NOT NULL UNION SELECT id FROM reg)
		SELECT
			(SELECT count(*) FROM m WHERE status NOT IN ('queued', 'failed', 'skipped')),
			(SELECT count(*) FROM m WHERE status IN ('delivered', 'opened', 'clicked')),
			(SELECT count(*) FROM m WHERE status IN ('opened', 'clicked')),
			(SELECT count(*) FROM m WHERE status = 'clicked'),
			(SELECT count(*) FROM suppressions s, c WHERE s.channel = c.channel AND s.created_at >= c.since
				AND s.address IN (SELECT CASE WHEN c.channel = 'email' THEN lower(trim(to_email)) ELSE trim(to_email) END FROM m)),
			(SELECT count(*) FROM reg),
			(SELECT count(DISTINCT e.lead_id) FROM lead_events e, c WHERE e.lead_id IN (SELECT id FROM ls) AND e.at >= c.since
				AND e.type IN ('claimed', 'assigned', 'accepted')),
			(SELECT count(DISTINCT e.lead_id) FROM lead_events e, c WHERE e.lead_id IN (SELECT id FROM ls) AND e.at >= c.since
				AND e.type = 'converted')
		FROM c`, id).Scan(&f.Sent, &f.Delivered, &f.Opened, &f.Clicked, &f.Unsubscribed, &f.Registered, &f.Claimed, &f.Converted)
	return f, notFound(err, "campaign")
}
