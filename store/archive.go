package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// This file archives and restores pools (issue 28): an archived pool is
// hidden from distribution, tabs and pickers and kept for history; only a
// pool that holds no live lead is archived.

// liveStatuses are the statuses of a lead a pool still holds.
const liveStatuses = `('received', 'pooled', 'offered', 'assigned')`

// ArchivePool archives pool id when it holds no live lead; otherwise it
// answers how many it holds and leaves it. Archiving an archived pool
// answers it as it is.
func (db *DB) ArchivePool(ctx context.Context, id string) (lead.Pool, int, error) {
	var held int
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		// The lock waits for the moves into the pool (intoPool's key share).
		if _, err := readPool(ctx, tx, id, true); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM leads WHERE pool_id = $1 AND status IN `+liveStatuses, id).Scan(&held); err != nil || held > 0 {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE pools SET archived_at = coalesce(archived_at, now()) WHERE id = $1`, id)
		return err
	})
	if err != nil {
		return lead.Pool{}, 0, err
	}
	p, err := db.Pool(ctx, id)
	return p, held, err
}

// RestorePool makes archived pool id live again.
func (db *DB) RestorePool(ctx context.Context, id string) (lead.Pool, error) {
	if _, err := db.pool.Exec(ctx, `UPDATE pools SET archived_at = NULL WHERE id = $1`, id); err != nil {
		return lead.Pool{}, err
	}
	return db.Pool(ctx, id)
}

// LivePoolID is pool id when it is live, else (archived) the default pool:
// where intake puts a lead a rule routes to an archived pool.
func (db *DB) LivePoolID(ctx context.Context, id string) (string, error) {
	var archived bool
	if !isUUID(id) {
		return id, nil
	}
	err := db.pool.QueryRow(ctx, `SELECT archived_at IS NOT NULL FROM pools WHERE id = $1`, id).Scan(&archived)
	if err == pgx.ErrNoRows {
		return id, nil
	}
	if err != nil || !archived {
		return id, err
	}
	return lead.DefaultPoolID, nil
}
