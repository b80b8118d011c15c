package store

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// Leads that come into a pool outside its working hours wait for them
// (lead.Policy.DistributeInWorkingHours, leads.window_since). When the
// hours begin, every waiting lead's workflow fires its distribute timer at
// the same moment; whichever runs first distributes the pool's waiting
// leads in the order they began to wait, so that the first to arrive is
// the first served (erpnext_china PR #51), whatever order the timers fire in.

// WaitingLeads lists, once pool id's working hours have begun, up to
// limit leads waiting for them, the longest waiting first, so that the
// caller can decide their auto-acceptance before DistributeWaiting.
func (db *DB) WaitingLeads(ctx context.Context, poolID string, limit int) ([]lead.Lead, error) {
	if !isUUID(poolID) {
		return nil, nil
	}
	if open, err := hoursBegun(ctx, db.pool, poolID); err != nil || !open {
		return nil, err
	}
	rows, err := db.pool.Query(ctx, `SELECT `+leadColumns+` FROM `+leadFrom+`
		WHERE l.pool_id = $1 AND l.status = 'pooled' AND l.window_since IS NOT NULL
		ORDER BY l.window_since, l.id LIMIT $2`, poolID, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (lead.Lead, error) { return scanLead(r) })
}

// DistributeWaiting distributes, once pool id's working hours have begun,
// up to limit of its waiting leads in the order they began to wait, each
// auto-accepted when accept says so, and answers how many it took. The
// pool's waiting leads are handled by one transaction at a time.
func (db *DB) DistributeWaiting(ctx context.Context, poolID string, accept map[string]bool, limit int) (int, error) {
	if !isUUID(poolID) {
		return 0, nil
	}
	n := 0
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		n = 0
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 11))`, "window/"+poolID); err != nil {
			return err
		}
		if open, err := hoursBegun(ctx, tx, poolID); err != nil || !open {
			return err
		}
		// A lead another transaction holds (a claim) is left to it.
		rows, err := tx.Query(ctx, `SELECT `+leadColumns+` FROM `+leadFrom+`
			WHERE l.pool_id = $1 AND l.status = 'pooled' AND l.window_since IS NOT NULL
			ORDER BY l.window_since, l.id LIMIT $2 FOR UPDATE OF l SKIP LOCKED`, poolID, limit)
		if err != nil {
			return err
		}
		waiting, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (lead.Lead, error) { return scanLead(r) })
		if err != nil {
			return err
		}
		for _, l := range waiting {
			key := "window/" + l.ID + "/" + strconv.FormatInt(l.WaitingSince.UnixMicro(), 10)
			if _, err := distribute(ctx, tx, l, accept[l.ID], key); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// rowQuerier is a pool or a transaction, to read one row.
type rowQuerier interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}

// policyWithCalendar is pool id's policy as its leads carry it (with the
// calendar its working-time timers count on, poolPolicy), read without a lock.
func policyWithCalendar(ctx context.Context, q rowQuerier, poolID string) (lead.Policy, error) {
	var policy lead.Policy
	var raw []byte
	if err := q.QueryRow(ctx, `SELECT `+poolPolicy+` FROM pools p WHERE p.id = $1`, poolID).Scan(&raw); err != nil {
		return policy, notFound(err, "pool")
	}
	return policy, json.Unmarshal(raw, &policy)
}

// hoursBegun reports whether pool id distributes now: its working hours
// have begun, or it does not wait for them.
func hoursBegun(ctx context.Context, q rowQuerier, poolID string) (bool, error) {
	policy, err := policyWithCalendar(ctx, q, poolID)
	if err != nil {
		return false, err
	}
	_, waits := policy.DistributionWait(time.Now())
	return !waits, nil
}
