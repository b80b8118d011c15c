package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

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
// next_at before $1, with their owner; l is joined to its pool p, so a
// report may add the viewer's condition.
const dueFollowUps = `
	SELECT l.owner_id::text, l.id::text, l.company, l.name, f.next_step, f.next_at
	FROM leads l LEFT JOIN pools p ON p.id = l.pool_id
	CROSS JOIN LATERAL (SELECT next_step, next_at FROM follow_ups x WHERE x.lead_id = l.id
		ORDER BY x.created_at DESC, x.id DESC LIMIT 1) f
	WHERE l.status = 'assigned' AND l.owner_id IS NOT NULL AND f.next_at IS NOT NULL AND f.next_at < $1`

// DigestRecipient is a user who owns leads with a follow-up due, with the
// zones their digest's hour is read in (lead.UserZone).
type DigestRecipient struct {
	ID, TimeZone, TeamZone string
}

// DigestRecipients returns the active users who own leads with a
// follow-up due before until.
func (db *DB) DigestRecipients(ctx context.Context, until time.Time) ([]DigestRecipient, error) {
	rows, err := db.pool.Query(ctx, `SELECT d.owner_id, u.time_zone, coalesce(t.time_zone, '')
		FROM (`+dueFollowUps+`) AS d(owner_id, lead_id, company, name, next_step, next_at)
		JOIN users u ON u.id = d.owner_id::uuid LEFT JOIN teams t ON t.id = u.team_id WHERE u.active
		GROUP BY d.owner_id, u.time_zone, t.time_zone ORDER BY d.owner_id`, until)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (DigestRecipient, error) {
		var d DigestRecipient
		err := r.Scan(&d.ID, &d.TimeZone, &d.TeamZone)
		return d, err
	})
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
