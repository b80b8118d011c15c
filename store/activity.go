package store

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// This file holds the activity report of the dashboard: the reclaims of a
// period day by day, and the follow-ups due today by owner, over what the
// viewer answers for.

// DayCount is a number of events on one day (UTC).
type DayCount struct {
	Day   string `json:"day"` // 2026-11-30
	Count int64  `json:"count"`
}

// DueRow counts one owner's assigned leads whose latest follow-up planned
// the next one by the end of today (UTC): due today, or overdue.
type DueRow struct {
	Key      string `json:"key"`   // the owner's id
	Label    string `json:"label"` // the owner's name
	DueToday int64  `json:"due_today"`
	Overdue  int64  `json:"overdue"`
}

// Activity is the activity report.
type Activity struct {
	// Reclaims counts the reclaims of the period by day, every day of it.
	Reclaims []DayCount `json:"reclaims"`
	// Due is the follow-ups due by the end of today, by owner, most first.
	Due []DueRow `json:"follow_ups_due"`
}

// ActivityReport counts the reclaims of the filter's period (when they
// happened, whenever the lead was registered) and the follow-ups due by
// the end of today (UTC), over what the filter's viewer answers for: a
// rep's reclaims are those that took their leads.
func (db *DB) ActivityReport(ctx context.Context, f ReportFilter, now time.Time) (Activity, error) {
	var a Activity
	args := []any{f.From, f.To}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	where := `e.type = 'reclaimed' AND e.at >= $1 AND e.at < $2`
	if c := f.Viewer.eventCondition(arg); c != "" {
		where += " AND " + c
	}
	rows, err := db.pool.Query(ctx, `
		SELECT to_char(d.day, 'YYYY-MM-DD'), coalesce(r.n, 0)
		FROM generate_series(date_trunc('day', $1::timestamptz AT TIME ZONE 'UTC'),
			date_trunc('day', ($2::timestamptz - interval '1 microsecond') AT TIME ZONE 'UTC'), interval '1 day') AS d (day)
		LEFT JOIN (
			SELECT date_trunc('day', e.at AT TIME ZONE 'UTC') AS day, count(*) AS n
			FROM lead_events e JOIN leads l ON l.id = e.lead_id LEFT JOIN pools p ON p.id = l.pool_id
			WHERE `+where+` GROUP BY 1
		) r ON r.day = d.day
		ORDER BY d.day`, args...)
	if err != nil {
		return a, err
	}
	if a.Reclaims, err = pgx.CollectRows(rows, pgx.RowToStructByPos[DayCount]); err != nil {
		return a, err
	}

	y, m, d := now.UTC().Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	args = []any{today.AddDate(0, 0, 1)}
	where = ""
	if c := f.Viewer.reportCondition(arg); c != "" {
		where = " AND " + c
	}
	rows, err = db.pool.Query(ctx, `
		SELECT d.owner_id, coalesce(u.name, ''), count(*) FILTER (WHERE d.next_at >= `+arg(today)+`),
			count(*) FILTER (WHERE d.next_at < `+arg(today)+`)
		FROM (`+dueFollowUps+where+`) AS d (owner_id, lead_id, company, name, next_step, next_at)
		LEFT JOIN users u ON u.id = d.owner_id::uuid
		GROUP BY 1, 2 ORDER BY count(*) DESC, 2, 1`, args...)
	if err != nil {
		return a, err
	}
	a.Due, err = pgx.CollectRows(rows, pgx.RowToStructByPos[DueRow])
	return a, err
}
