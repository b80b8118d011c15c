package store

import (
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// This file keeps the review of an IP burst (lead.Burst): the earlier
// registrations of a refused burst go under review, and an admin keeps or
// rejects each.

// flagBurst puts under review, with each burst rule's reason, the live
// leads registered from the refused lead's IP within the rule's window
// before it: one flagged_for_review event each, keyed by the refused lead
// so that a retried intake flags once.
func flagBurst(ctx context.Context, tx pgx.Tx, refusedID string, bursts []lead.Burst) error {
	for _, b := range bursts {
		rows, err := tx.Query(ctx, `
			UPDATE leads o SET review_reasons = array_append(o.review_reasons, $3), updated_at = now()
			FROM leads r
			WHERE r.id = $1 AND r.ip IS NOT NULL AND o.ip = r.ip AND o.id <> r.id
				AND o.created_at <= r.created_at AND o.created_at > r.created_at - $2::interval
				AND o.status IN ('pooled', 'offered', 'assigned') AND NOT $3 = ANY(o.review_reasons)
			RETURNING o.id::text`, refusedID, interval(time.Duration(b.Window)), b.Reason)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, id := range ids {
			ev := lead.Event{LeadID: id, Type: lead.EventFlagged, Reason: b.Reason,
				Data: map[string]any{"rule": b.Rule, "refused_lead_id": refusedID, "window": b.Window.String()}}
			if err := insertEvent(ctx, tx, ev, "burst/"+refusedID+"/"+b.Rule+"/"+id); err != nil {
				return err
			}
		}
	}
	return nil
}

// FlaggedBy lists the leads the refusal of lead refusedID put under
// review, each with its reason (the events' LeadID and Reason).
func (db *DB) FlaggedBy(ctx context.Context, refusedID string) ([]lead.Event, error) {
	if !isUUID(refusedID) {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT lead_id::text, reason FROM lead_events
		WHERE type = $1 AND data->>'refused_lead_id' = $2 ORDER BY lead_id, id`, lead.EventFlagged, refusedID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (lead.Event, error) {
		var e lead.Event
		return e, r.Scan(&e.LeadID, &e.Reason)
	})
}

// KeepReviewed takes a lead out of review: an admin judged it genuine.
func (db *DB) KeepReviewed(ctx context.Context, m lead.Move) (lead.Lead, error) {
	return db.transition(ctx, lead.ActReview, m, func(tx pgx.Tx, l lead.Lead) error {
		if err := underReview(l); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE leads SET review_reasons = '{}', updated_at = now() WHERE id = $1`, l.ID); err != nil {
			return err
		}
		return insertEvent(ctx, tx, lead.Event{LeadID: l.ID, Type: lead.EventReviewKept, ActorID: m.ActorID, Reason: m.Reason,
			Data: map[string]any{"review_reasons": l.ReviewReasons}}, m.RequestID)
	})
}

// RejectReviewed rejects a lead under review with its review reasons: it
// leaves its pool and owner like a lead the rules rejected at intake, and
// admins may readmit it.
func (db *DB) RejectReviewed(ctx context.Context, m lead.Move) (lead.Lead, error) {
	return db.transition(ctx, lead.ActReview, m, func(tx pgx.Tx, l lead.Lead) error {
		if err := underReview(l); err != nil {
			return err
		}
		reasons := slices.Clone(l.ReviewReasons)
		if _, err := tx.Exec(ctx, `UPDATE leads SET status = 'rejected', reject_reasons = $2, review_reasons = '{}',
			pool_id = NULL, owner_id = NULL, assigned_at = NULL, offered_at = NULL, expected_follow_up_at = NULL,
			updated_at = now() WHERE id = $1`, l.ID, reasons); err != nil {
			return err
		}
		return insertEvent(ctx, tx, lead.Event{LeadID: l.ID, Type: lead.EventRejected, ActorID: m.ActorID, Reason: m.Reason,
			Data: map[string]any{"review_reasons": reasons, "from_pool": l.PoolID, "owner_id": l.OwnerID}}, m.RequestID)
	})
}

// underReview refuses a review decision on a lead that is not under review.
func underReview(l lead.Lead) error {
	if len(l.ReviewReasons) == 0 {
		return lead.Errorf(lead.CodeConflict, "the lead is not under review")
	}
	return nil
}
