package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// The lists sort and filter by a lead's reclaim deadline (reclaim_at,
// reclaimAt). Triggers keep it from the pool's policy (migrations 030 and
// 032) when its timers count wall-clock time; SQL cannot count working
// time on a calendar, so for a pool whose timers do the trigger leaves it
// NULL and the code below sets it from lead.NextReclaim, the rule the
// lead's workflow arms its timer by.

// workingReclaimAt sets reclaim_at of lead l, read as the transaction left
// it, when its pool counts working time (its policy carries its calendar).
func workingReclaimAt(ctx context.Context, tx pgx.Tx, l lead.Lead) error {
	if l.Policy == nil || l.Policy.Calendar == nil {
		return nil
	}
	_, err := tx.Exec(ctx, setReclaimAtSQL, l.ID, nextReclaim(l))
	return err
}

// setReclaimAtSQL sets lead $1's reclaim_at to $2 when it differs.
const setReclaimAtSQL = `UPDATE leads SET reclaim_at = $2 WHERE id = $1 AND reclaim_at IS DISTINCT FROM $2`

// nextReclaim is the reclaim deadline of l, nil when it has none.
func nextReclaim(l lead.Lead) *time.Time {
	if l.Status != lead.StatusAssigned {
		return nil
	}
	if d, ok := lead.NextReclaim(l); ok {
		return &d.Due
	}
	return nil
}

// RefreshReclaimAt sets reclaim_at of the assigned leads among ids whose
// pool counts working time, after their pool's policy or calendar changed
// (the policy change's pages, activities.SignalPolicyPage).
func (db *DB) RefreshReclaimAt(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	rows, err := db.pool.Query(ctx, `SELECT `+leadColumns+` FROM `+leadFrom+` WHERE l.id = ANY($1::uuid[]) AND l.status = 'assigned'`, ids)
	if err != nil {
		return err
	}
	leads, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (lead.Lead, error) { return scanLead(r) })
	if err != nil {
		return err
	}
	b := &pgx.Batch{}
	for _, l := range leads {
		if l.Policy != nil && l.Policy.Calendar != nil {
			b.Queue(setReclaimAtSQL, l.ID, nextReclaim(l))
		}
	}
	if b.Len() == 0 {
		return nil
	}
	return db.pool.SendBatch(ctx, b).Close()
}
