package store

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// This file holds the reports: the funnel of the leads registered in a
// period, grouped by one of their attributes, and why leads were refused.
// The funnel reads the per-lead summary lead_funnel (migration 015), the
// rejections the leads and their rejected events; both count the leads the
// viewer answers for (Viewer.reportCondition).

// The groupings of the funnel report.
const (
	GroupSource  = "source"  // the lead's source (api, web, invite...)
	GroupChannel = "channel" // the lead's channel
	GroupInviter = "inviter" // the rep whose invite link registered it
	GroupOwner   = "owner"   // its current owner
	GroupPool    = "pool"    // its current pool
	GroupCountry = "country" // its country
	GroupGroup   = "group"   // its group (the groups option list)
	GroupStatus  = "status"  // its current status
	GroupAll     = "all"     // one row of every lead, keyed "all"
	// GroupCampaign is the campaign whose message reached the lead last
	// (none: a lead no campaign's message reached).
	GroupCampaign = "campaign"
)

// FunnelGroups lists the groupings of the funnel report.
var FunnelGroups = []string{GroupSource, GroupChannel, GroupInviter, GroupOwner, GroupPool, GroupCountry, GroupGroup, GroupStatus, GroupAll, GroupCampaign}

// funnelKeys is the SQL of each grouping's key over lead l (or its
// lead_funnel summary, which has the same columns but l.id, its lead_id); "" when the
// lead has none (not registered through an invite link, no owner, no pool).
var funnelKeys = map[string]string{
	GroupSource:  `l.source`,
	GroupChannel: `l.channel`,
	GroupInviter: `CASE WHEN l.source = 'invite' THEN coalesce(l.created_by::text, '') ELSE '' END`,
	GroupOwner:   `coalesce(l.owner_id::text, '')`,
	GroupPool:    `coalesce(l.pool_id::text, '')`,
	GroupCountry: `l.country`,
	GroupGroup:   `l.lead_group`,
	GroupStatus:  `l.status`,
	GroupAll:     `'all'`,
	GroupCampaign: `coalesce((SELECT n.campaign_id::text FROM notifications n WHERE n.lead_id = l.id AND n.kind = 'message'
		AND n.campaign_id IS NOT NULL AND n.status NOT IN ('queued', 'failed', 'skipped') ORDER BY n.created_at DESC LIMIT 1), '')`,
}

// ReportFilter chooses the leads of a report: those registered in
// [From, To) that the viewer answers for.
type ReportFilter struct {
	From, To time.Time
	// GroupBy is one of FunnelGroups (the funnel report only).
	GroupBy string
	// Viewer limits the report to its leads: an admin's is every lead; a
	// manager's the leads of the pools they administer and their own; a
	// rep's their own.
	Viewer Viewer
}

// where returns the SQL condition on lead l (joined to its pool p) of the
// filter's period and viewer, and its arguments.
func (f ReportFilter) where() (string, []any) { return f.whereOn(`l.created_at`) }

// whereOn is where with the period on the time at instead of when the
// lead was registered.
func (f ReportFilter) whereOn(at string) (string, []any) {
	args := []any{f.From, f.To}
	where := at + ` >= $1 AND ` + at + ` < $2`
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if c := f.Viewer.reportCondition(arg); c != "" {
		where += " AND " + c
	}
	return where, args
}

// FunnelRow is one group of the funnel report. Each count is of leads,
// once per stage a lead ever reached.
type FunnelRow struct {
	Key        string `json:"key"`   // the group's key: a source, an id, a country; "" for leads without one
	Label      string `json:"label"` // a person's or pool's name, else the key; "(none)" for the empty key
	Registered int64  `json:"registered"`
	Rejected   int64  `json:"rejected"` // by a validation rule or as a refused duplicate
	Merged     int64  `json:"merged"`
	Pooled     int64  `json:"pooled"`   // entered a pool: routed to one at intake, or later reclaimed, returned or transferred
	Assigned   int64  `json:"assigned"` // ever assigned, claimed or accepted
	FollowedUp int64  `json:"followed_up"`
	Converted  int64  `json:"converted"`
	Reclaimed  int64  `json:"reclaimed"`
	Returned   int64  `json:"returned"`
	// ConversionRate is Converted / Registered, 0 when none registered.
	ConversionRate float64 `json:"conversion_rate"`
	// MedianFirstContactSeconds is the median over the group's leads of the
	// time from their first assignment to their first follow-up; nil when
	// no lead was followed up.
	MedianFirstContactSeconds *float64 `json:"median_first_contact_seconds"`
}

// FunnelReport counts, per group, the leads registered in the filter's
// period that reached each stage, largest group first. It reads the
// summary of migration 015 (lead_funnel, one row per lead kept by
// triggers in the transaction that writes the lead or its events), aliased
// l and joined to its pool p like a lead, so the keys and the viewer's
// condition are those of the lead itself.
func (db *DB) FunnelReport(ctx context.Context, f ReportFilter) ([]FunnelRow, error) {
	q, args := funnelQuery(f)
	return inReportTx(ctx, db, q, args, func(r pgx.CollectableRow) (FunnelRow, error) {
		var f FunnelRow
		err := r.Scan(&f.Key, &f.Label, &f.Registered, &f.Rejected, &f.Merged, &f.Pooled, &f.Assigned,
			&f.FollowedUp, &f.Converted, &f.Reclaimed, &f.Returned, &f.MedianFirstContactSeconds)
		if f.Key == "" {
			f.Label = "(none)"
		}
		if f.Registered > 0 {
			f.ConversionRate = float64(f.Converted) / float64(f.Registered)
		}
		return f, err
	})
}

// funnelQuery is the SQL of FunnelReport and its arguments.
func funnelQuery(f ReportFilter) (string, []any) {
	key, ok := funnelKeys[f.GroupBy]
	if !ok {
		key = funnelKeys[GroupSource]
	}
	key = strings.ReplaceAll(key, "l.id ", "l.lead_id ") // the summary's lead id (the campaign key's)
	where, args := f.where()
	label := `g.key`
	switch f.GroupBy {
	case GroupInviter, GroupOwner:
		label = `(SELECT u.name FROM users u WHERE g.key <> '' AND u.id = g.key::uuid)`
	case GroupPool:
		label = `(SELECT pl.name FROM pools pl WHERE g.key <> '' AND pl.id = g.key::uuid)`
	case GroupCampaign:
		label = `(SELECT c.name FROM campaigns c WHERE g.key <> '' AND c.id = g.key::uuid)`
	case GroupAll:
		label = `'All leads'`
	}
	// The counts are hashed by key in one pass; the median sorts only the
	// leads with a first contact (an ordered-set aggregate makes the whole
	// grouping sort its input), and is joined to them.
	q := `
		WITH g AS (
			SELECT ` + key + ` AS key, count(*) AS registered,
				count(*) FILTER (WHERE l.intake_outcome IN ('rejected', 'duplicate_refused')) AS rejected,
				count(*) FILTER (WHERE l.intake_outcome = 'merged') AS merged,
				count(*) FILTER (WHERE l.intake_outcome IN ('pooled', 'offered', 'assigned') OR l.repooled) AS pooled,
				count(l.assigned_at) AS assigned,
				count(l.followed_up_at) AS followed_up,
				count(*) FILTER (WHERE l.converted) AS converted,
				count(*) FILTER (WHERE l.reclaimed) AS reclaimed,
				count(*) FILTER (WHERE l.returned) AS returned
			FROM lead_funnel l LEFT JOIN pools p ON p.id = l.pool_id
			WHERE ` + where + `
			GROUP BY 1
		), m AS (
			SELECT ` + key + ` AS key,
				percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM l.followed_up_at - l.assigned_at)) AS median
			FROM lead_funnel l LEFT JOIN pools p ON p.id = l.pool_id
			WHERE ` + where + ` AND l.assigned_at IS NOT NULL AND l.followed_up_at IS NOT NULL
			GROUP BY 1
		)
		SELECT g.key, coalesce(` + label + `, g.key), g.registered, g.rejected, g.merged, g.pooled, g.assigned,
			g.followed_up, g.converted, g.reclaimed, g.returned, m.median
		FROM g LEFT JOIN m ON m.key = g.key ORDER BY g.registered DESC, g.key`
	return q, args
}

// The rule kinds of the rejection report.
const (
	RejectValidation = "validation" // a validation rule refused the lead
	RejectDuplicate  = "duplicate"  // the duplicate policy reject refused it
)

// RejectionRow counts the leads one rule refused for one reason.
type RejectionRow struct {
	RuleKind string `json:"rule_kind"` // validation or duplicate
	Rule     string `json:"rule"`      // the validation rule's name; for a duplicate the policy, reject
	Reason   string `json:"reason"`    // the rule's message as the lead recorded it
	Count    int64  `json:"count"`
}

// RejectionReport counts the leads registered in the filter's period that
// were refused, by rule and reason, most frequent first. A lead refused by
// two validation rules counts once for each. The rules are read from the
// rejected events: a validation rejection's trace names the rules that
// matched, in the order of the lead's reject reasons; a refused duplicate's
// event names the lead it duplicates.
func (db *DB) RejectionReport(ctx context.Context, f ReportFilter) ([]RejectionRow, error) {
	where, args := f.where()
	q := `
		WITH r AS MATERIALIZED (
			SELECT l.reject_reasons, e.rule_kind, e.reason, e.trace, e.data
			FROM leads l LEFT JOIN pools p ON p.id = l.pool_id
			JOIN lead_events e ON e.lead_id = l.id AND e.type = 'rejected'
			WHERE l.status = 'rejected' AND ` + where + `
		)
		SELECT '` + RejectValidation + `', m.step->>'rule', coalesce(r.reject_reasons[m.n], r.reason), count(*)
		FROM r CROSS JOIN LATERAL (
			SELECT t.step, row_number() OVER (ORDER BY t.ord) AS n
			FROM jsonb_array_elements(CASE WHEN jsonb_typeof(r.trace) = 'array' THEN r.trace ELSE '[]' END) WITH ORDINALITY AS t (step, ord)
			WHERE t.step->>'matched' = 'true'
		) m
		WHERE r.rule_kind = 'validation'
		GROUP BY 1, 2, 3
		UNION ALL
		SELECT '` + RejectDuplicate + `', 'reject', 'duplicate of a live lead', count(*)
		FROM r WHERE r.data ? 'duplicate_of'
		HAVING count(*) > 0
		ORDER BY 4 DESC, 1, 2, 3`
	return inReportTx(ctx, db, q, args, pgx.RowToStructByPos[RejectionRow])
}

// inReportTx runs a report's query in a read-only transaction set for one
// large aggregation: no JIT (compiling the funnel's query took 2.7 s of
// its 6.3 s over a million leads) and work memory enough to sort and hash
// a million rows without spilling to disk.
func inReportTx[T any](ctx context.Context, db *DB, q string, args []any, scan pgx.RowToFunc[T]) ([]T, error) {
	var out []T
	err := pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL jit = off`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SET LOCAL work_mem = '64MB'`); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, scan)
		return err
	})
	return out, err
}

// ValidGroup reports whether g is one of FunnelGroups.
func ValidGroup(g string) bool { return slices.Contains(FunnelGroups, g) }
