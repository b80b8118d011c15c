package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// This file holds the moves of a lead between pools and reps decided by a
// person or a timer. Who may make each move, and from which status, is
// the access model's (lead.Permissions), checked by transition.

// Keep is asked, on the locked lead a reclaim is about to take, whether
// the lead stays with its owner instead (a pool's reclaim_exempt_when): it
// answers the notice that says why, or nil to reclaim. owner reads the
// lead's owner and their figures in the reclaim's transaction.
type Keep func(l lead.Lead, owner Owner) *lead.Notice

// Owner reads a lead's owner and their figures (load, claims today).
type Owner func() (lead.User, lead.RepStats, error)

// Reclaim takes an assigned or offered lead back to its pool: by a manager
// (ActorID set) or by a timer of the pool's policy (ActorID empty, Reason
// says which). When keep (may be nil) answers a notice, the lead stays
// where it is and the notice is stored instead, under its own request id,
// in the same transaction.
func (db *DB) Reclaim(ctx context.Context, m lead.Move, keep Keep) (lead.Lead, error) {
	return db.transition(ctx, lead.ActReclaim, m, func(tx pgx.Tx, l lead.Lead) error {
		if keep != nil {
			owner := func() (lead.User, lead.RepStats, error) {
				u, err := userTx(ctx, tx, l.OwnerID)
				if err != nil {
					return u, lead.RepStats{}, err
				}
				st, err := repStats(ctx, tx, l.OwnerID)
				return u, st, err
			}
			if n := keep(l, owner); n != nil {
				_, err := insertNotice(ctx, tx, *n)
				return err
			}
		}
		data, err := backToPool(ctx, tx, l, m, m.ActorID == "", "")
		if err != nil {
			return err
		}
		return insertEvent(ctx, tx, lead.Event{LeadID: l.ID, Type: lead.EventReclaimed, ActorID: m.ActorID, Reason: m.Reason, Data: data}, m.RequestID)
	})
}

// Return gives an assigned lead back to its pool as invalid (contact details
// wrong, cannot be followed up), with a reason from the invalid-reasons list.
func (db *DB) Return(ctx context.Context, m lead.Move) (lead.Lead, error) {
	return db.transition(ctx, lead.ActReturn, m, func(tx pgx.Tx, l lead.Lead) error {
		data, err := backToPool(ctx, tx, l, m, false, m.Reason)
		if err != nil {
			return err
		}
		return insertEvent(ctx, tx, lead.Event{LeadID: l.ID, Type: lead.EventReturned, ActorID: m.ActorID, Reason: m.Reason, Data: data}, m.RequestID)
	})
}

// backToPool puts lead l, reclaimed or returned, unowned into the pool
// its pool's policy lets m name (lead.Policy.ReturnTarget), and answers
// its event's data: the owner it left and, when it changed pools, the pool
// it went to.
func backToPool(ctx context.Context, tx pgx.Tx, l lead.Lead, m lead.Move, byTimer bool, invalid string) (map[string]any, error) {
	target, err := l.Policy.ReturnTarget(l.PoolID, m.PoolID, byTimer)
	if err != nil {
		return nil, err
	}
	data := map[string]any{"from_owner": l.OwnerID}
	if target != l.PoolID {
		if err := intoPool(ctx, tx, lead.ActReclaim, "", target); err != nil { // the policy allows it: it must exist
			return nil, err
		}
		data["from_pool"], data["to_pool"] = l.PoolID, target
	}
	return data, toPool(ctx, tx, l, target, invalid)
}

// CloseLead ends a lead's lifecycle without a customer.
func (db *DB) CloseLead(ctx context.Context, m lead.Move) (lead.Lead, error) {
	return db.transition(ctx, lead.ActClose, m, func(tx pgx.Tx, l lead.Lead) error {
		if _, err := tx.Exec(ctx, `UPDATE leads SET status = 'closed', updated_at = now() WHERE id = $1`, l.ID); err != nil {
			return err
		}
		return insertEvent(ctx, tx, lead.Event{LeadID: l.ID, Type: lead.EventClosed, ActorID: m.ActorID, Reason: m.Reason}, m.RequestID)
	})
}

// Reopen puts a closed lead back into a pool, unowned: m.PoolID, else the
// pool it was closed in. The actor must administer that pool too (admins
// may reopen into any).
func (db *DB) Reopen(ctx context.Context, m lead.Move) (lead.Lead, error) {
	return db.transition(ctx, lead.ActReopen, m, func(tx pgx.Tx, l lead.Lead) error {
		poolID := m.PoolID
		if poolID == "" {
			poolID = l.PoolID
		}
		if poolID == "" {
			return lead.Invalid(lead.FieldError{Field: "pool_id", Reason: "is required: the lead was closed in no pool"})
		}
		if err := intoPool(ctx, tx, lead.ActReopen, m.ActorID, poolID); err != nil {
			return err
		}
		l.OwnerID = "" // a closed lead's last owner has no cooldown to start
		if err := toPool(ctx, tx, l, poolID, ""); err != nil {
			return err
		}
		return insertEvent(ctx, tx, lead.Event{LeadID: l.ID, Type: lead.EventReopened, ActorID: m.ActorID, Reason: m.Reason,
			Data: map[string]any{"from_pool": l.PoolID, "to_pool": poolID}}, m.RequestID)
	})
}

// Readmit overrides the rejection of a rejected lead: it is received again
// (its reject reasons cleared, kept in the event) for the intake to decide
// anew (lead.IntakeOptions.Readmission).
func (db *DB) Readmit(ctx context.Context, m lead.Move) (lead.Lead, error) {
	return db.transition(ctx, lead.ActReadmit, m, func(tx pgx.Tx, l lead.Lead) error {
		if _, err := tx.Exec(ctx, `UPDATE leads SET status = 'received', reject_reasons = '{}', intake_outcome = '',
			field_errors = NULL, duplicate_of = NULL, updated_at = now() WHERE id = $1`, l.ID); err != nil {
			return err
		}
		return insertEvent(ctx, tx, lead.Event{LeadID: l.ID, Type: lead.EventReadmitted, ActorID: m.ActorID, Reason: m.Reason,
			Data: map[string]any{"reject_reasons": nonNilStrings(l.RejectReasons)}}, m.RequestID)
	})
}

// intoPool checks that pool id exists and that actor (none: a timer) may
// move a lead into it by act: an admin, or an admin of the pool.
func intoPool(ctx context.Context, tx pgx.Tx, act lead.Action, actorID, id string) error {
	if !isUUID(id) {
		return lead.Invalid(lead.FieldError{Field: "pool_id", Reason: "no such pool"})
	}
	target, err := readPool(ctx, tx, id, false)
	if lead.ErrorCode(err) == lead.CodeNotFound {
		return lead.Invalid(lead.FieldError{Field: "pool_id", Reason: "no such pool"})
	} else if err != nil {
		return err
	}
	// Shared with the archiving's lock: a pool archived meanwhile takes no lead.
	var archived bool
	if err := tx.QueryRow(ctx, `SELECT archived_at IS NOT NULL FROM pools WHERE id = $1 FOR KEY SHARE`, id).Scan(&archived); err != nil {
		return err
	}
	if archived {
		return lead.Conflict("the pool is archived", "pool "+target.Name+" is archived: restore it first")
	}
	if actorID == "" {
		return nil
	}
	actor, err := userTx(ctx, tx, actorID)
	if err != nil {
		return err
	}
	if err := lead.AuthorizePool(act, actor, lead.PoolAccessOf(actor, target)); err != nil {
		return lead.Errorf(lead.CodeForbidden, "you may not move leads into pool %s: that is for admins and its own admins", target.Name)
	}
	return nil
}

// Transfer moves a lead to another pool, unowned. A manager must
// administer both pools.
func (db *DB) Transfer(ctx context.Context, m lead.Move) (lead.Lead, error) {
	return db.transition(ctx, lead.ActTransfer, m, func(tx pgx.Tx, l lead.Lead) error {
		if l.PoolID == m.PoolID {
			return lead.Conflict("the lead cannot be transferred", "the lead is in that pool already")
		}
		if err := intoPool(ctx, tx, lead.ActTransfer, m.ActorID, m.PoolID); err != nil {
			return err
		}
		if err := toPool(ctx, tx, l, m.PoolID, ""); err != nil {
			return err
		}
		return insertEvent(ctx, tx, lead.Event{LeadID: l.ID, Type: lead.EventTransferred, ActorID: m.ActorID, Reason: m.Reason,
			Data: map[string]any{"from_pool": l.PoolID, "to_pool": m.PoolID}}, m.RequestID)
	})
}

// Assign gives a lead to a rep chosen by a manager or admin: an active
// member of the lead's pool, within the rep's capacity (assignRefusal).
func (db *DB) Assign(ctx context.Context, m lead.Move) (lead.Lead, error) {
	return db.transition(ctx, lead.ActAssign, m, func(tx pgx.Tx, l lead.Lead) error {
		rep, _, err := checkTaker(ctx, tx, l, m.RepID, TakeAssign)
		reasons, err := lead.RefusalReasons(err)
		if err != nil {
			return err
		}
		pa, err := poolAccess(ctx, tx, rep, l.PoolID)
		if err != nil {
			return err
		}
		if err := assignRefusal(l, rep, reasons, pa); err != nil {
			return err
		}
		if err := giveTo(ctx, tx, l.ID, m.RepID, nil); err != nil {
			return err
		}
		return insertEvent(ctx, tx, lead.Event{LeadID: l.ID, Type: lead.EventAssigned, ActorID: m.ActorID, Reason: m.Reason,
			Data: map[string]any{"owner_id": m.RepID, "from_owner": l.OwnerID}}, m.RequestID)
	})
}

// assignRefusal decides whether lead l may be assigned to user u, given
// the taking check's reasons (takerReasons) and u's access to the lead's
// pool: nil, or the conflict that says why not. Assign and Assignees
// decide with it.
func assignRefusal(l lead.Lead, u lead.User, reasons []string, pa lead.PoolAccess) error {
	if l.Status == lead.StatusAssigned && l.OwnerID == u.ID {
		return lead.Conflict("the lead cannot be assigned", "the rep owns it already")
	}
	if !pa.Member {
		reasons = append(reasons, "the rep is not a member of the lead's pool")
	}
	if len(reasons) > 0 {
		return lead.Conflict("the lead cannot be taken by this rep", reasons...)
	}
	return nil
}

// Assignees are the users lead l may be assigned to now, by name: those
// Assign would accept (assignRefusal, with the same taking check), read
// without locking; Assign checks the chosen one again.
func (db *DB) Assignees(ctx context.Context, l lead.Lead) ([]lead.User, error) {
	if l.PoolID == "" {
		return nil, nil
	}
	pool, err := readPool(ctx, db.pool, l.PoolID, false)
	if err != nil {
		return nil, err
	}
	// The SQL keeps the active members of the pool (memberSQL, the twin of
	// PoolAccessOf.Member) only to read fewer rows; Go decides.
	rows, err := db.pool.Query(ctx, `SELECT `+userColumns+`, `+takerSQL(TakeAssign, "$1::uuid")+` `+takerFrom+`
		WHERE u.active AND EXISTS (SELECT 1 FROM pools p WHERE p.id = $2::uuid AND `+memberSQL("p", "u.id")+`)
		ORDER BY u.name, u.id`, l.ID, l.PoolID)
	if err != nil {
		return nil, err
	}
	type row struct {
		u lead.User
		t taker
	}
	all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var x row
		return x, r.Scan(append(userFields(&x.u), x.t.fields()...)...)
	})
	if err != nil {
		return nil, err
	}
	var out []lead.User
	for _, x := range all {
		if assignRefusal(l, x.u, takerReasons(x.u, x.t, TakeAssign), lead.PoolAccessOf(x.u, pool)) == nil {
			out = append(out, x.u)
		}
	}
	return out, nil
}

// Accept: the offered rep (or a manager for them) takes the lead.
func (db *DB) Accept(ctx context.Context, m lead.Move) (lead.Lead, error) {
	return db.transition(ctx, lead.ActAccept, m, func(tx pgx.Tx, l lead.Lead) error {
		if _, _, err := checkTaker(ctx, tx, l, l.OwnerID, TakeAccept); err != nil {
			return err
		}
		if err := giveTo(ctx, tx, l.ID, l.OwnerID, nil); err != nil {
			return err
		}
		return insertEvent(ctx, tx, lead.Event{LeadID: l.ID, Type: lead.EventAccepted, ActorID: m.ActorID}, m.RequestID)
	})
}

// Decline: the offered rep refuses the lead (or, with an empty ActorID, the
// offer expired); the lead goes to the next eligible member, else back to the pool.
func (db *DB) Decline(ctx context.Context, m lead.Move) (lead.Lead, error) {
	return db.transition(ctx, lead.ActDecline, m, func(tx pgx.Tx, l lead.Lead) error {
		if _, err := tx.Exec(ctx, `INSERT INTO lead_offer_refusals (lead_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
			l.ID, l.OwnerID); err != nil {
			return err
		}
		typ := lead.EventDeclined
		if m.ActorID == "" {
			typ = lead.EventOfferEnded
		}
		if err := insertEvent(ctx, tx, lead.Event{LeadID: l.ID, Type: typ, ActorID: m.ActorID, Reason: m.Reason,
			Data: map[string]any{"rep_id": l.OwnerID}}, m.RequestID); err != nil {
			return err
		}
		if err := toPool(ctx, tx, l, l.PoolID, ""); err != nil {
			return err
		}
		l.Status, l.OwnerID = lead.StatusPooled, ""
		_, err := distribute(ctx, tx, l, m.AutoAccept, m.RequestID+"/next")
		return err
	})
}

// RecordNotice stores a reminder, an escalation or a refusal once per
// request id and reports whether it was new.
func (db *DB) RecordNotice(ctx context.Context, n lead.Notice) (bool, error) {
	return insertNotice(ctx, db.pool, n)
}

// insertNotice stores notice n as an event of its lead once per request
// id, and reports whether this call stored it.
func insertNotice(ctx context.Context, q execer, n lead.Notice) (bool, error) {
	tag, err := q.Exec(ctx, `INSERT INTO lead_events (lead_id, type, reason, data, request_id)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (request_id) DO NOTHING`,
		n.LeadID, n.Type, n.Reason, map[string]any{"due": n.Due.UTC().Format(time.RFC3339)}, n.RequestID)
	return err == nil && tag.RowsAffected() == 1, err
}
