package store

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// ReportScope lists the ids of the leads v's reports count
// (Viewer.reportCondition), for TestVisibilityTwin.
func ReportScope(ctx context.Context, db *DB, v Viewer) ([]string, error) {
	var args []any
	cond := v.reportCondition(func(a any) string { args = append(args, a); return "$" + strconv.Itoa(len(args)) })
	if cond == "" {
		cond = "true"
	}
	rows, err := db.pool.Query(ctx, `SELECT l.id::text FROM leads l LEFT JOIN pools p ON p.id = l.pool_id WHERE `+cond, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// EventFunnel is the funnel report computed from the leads and their
// events, as FunnelReport did before the lead_funnel summary (migration
// 015): the oracle TestReportFunnelMatchesEvents compares the summary with.
func EventFunnel(ctx context.Context, db *DB, f ReportFilter) ([]FunnelRow, error) {
	where, args := f.where()
	q := `
		WITH s AS (
			SELECT ` + funnelKeys[f.GroupBy] + ` AS key, l.intake_outcome,
				min(e.at) FILTER (WHERE e.type IN ('assigned', 'claimed', 'accepted')) AS assigned_at,
				min(e.at) FILTER (WHERE e.type = 'followed_up') AS followed_up_at,
				coalesce(bool_or(e.type = 'converted'), false) AS converted,
				coalesce(bool_or(e.type = 'reclaimed'), false) AS reclaimed,
				coalesce(bool_or(e.type = 'returned'), false) AS returned,
				coalesce(bool_or(e.type IN ('reclaimed', 'returned', 'transferred')), false) AS repooled
			FROM leads l LEFT JOIN pools p ON p.id = l.pool_id
			LEFT JOIN lead_events e ON e.lead_id = l.id
			WHERE ` + where + `
			GROUP BY l.id
		)
		SELECT s.key, count(*),
			count(*) FILTER (WHERE s.intake_outcome IN ('rejected', 'duplicate_refused')),
			count(*) FILTER (WHERE s.intake_outcome = 'merged'),
			count(*) FILTER (WHERE s.intake_outcome IN ('pooled', 'offered', 'assigned') OR s.repooled),
			count(s.assigned_at), count(s.followed_up_at),
			count(*) FILTER (WHERE s.converted), count(*) FILTER (WHERE s.reclaimed), count(*) FILTER (WHERE s.returned),
			percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM s.followed_up_at - s.assigned_at))
		FROM s GROUP BY s.key ORDER BY 2 DESC, 1`
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (FunnelRow, error) {
		var f FunnelRow
		err := r.Scan(&f.Key, &f.Registered, &f.Rejected, &f.Merged, &f.Pooled, &f.Assigned,
			&f.FollowedUp, &f.Converted, &f.Reclaimed, &f.Returned, &f.MedianFirstContactSeconds)
		return f, err
	})
}

// FunnelSQL is FunnelReport's query and its arguments, for EXPLAIN.
func FunnelSQL(f ReportFilter) (string, []any) { return funnelQuery(f) }
