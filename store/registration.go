package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// registerTx registers lead id (seed 003) unless it is registered already:
// its registered_at and the "registered" event e, keyed by requestID.
func registerTx(ctx context.Context, tx pgx.Tx, id string, e lead.Event, requestID string) error {
	tag, err := tx.Exec(ctx, `UPDATE leads SET registered_at = now() WHERE id = $1 AND registered_at IS NULL`, id)
	if err != nil || tag.RowsAffected() == 0 {
		return err
	}
	e.LeadID, e.Type = id, lead.EventAutoRegistered
	return insertEvent(ctx, tx, e, requestID)
}

// RegisterLead registers a live lead an edit made match the registration
// rules, once (a lead registered already, or no longer live, is left as it
// is), and returns the lead as stored.
func (db *DB) RegisterLead(ctx context.Context, id string, e lead.Event, requestID string) (lead.Lead, error) {
	return db.onLead(ctx, id, requestID, func(tx pgx.Tx, l lead.Lead) error {
		if l.RegisteredAt != nil || l.Status.Terminal() || l.Status == lead.StatusReceived {
			return nil
		}
		return registerTx(ctx, tx, id, e, requestID)
	})
}

// keeps says whether an intake outcome keeps the lead live (it may be registered).
func keeps(o lead.IntakeOutcome) bool {
	return o != lead.OutcomeRejected && o != lead.OutcomeMerged && o != lead.OutcomeDuplicate
}
