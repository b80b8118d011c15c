package store

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// lockLead reads a lead for update, with its pool's policy.
func lockLead(ctx context.Context, tx pgx.Tx, id string) (lead.Lead, error) {
	l, err := scanLead(tx.QueryRow(ctx, lockLeadSQL, id))
	return l, notFound(err, "lead")
}

const lockLeadSQL = `SELECT ` + leadColumns + ` FROM ` + leadFrom + ` WHERE l.id = $1 FOR UPDATE OF l`

// lockLeadFor locks a lead (lockLead) and then reports whether request
// requestID has already changed it (requestApplied), in one round trip.
// The request is looked up once the lock is held, so a retry that waited
// for the lock behind its first attempt sees that attempt's event.
func lockLeadFor(ctx context.Context, tx pgx.Tx, id, requestID string) (lead.Lead, bool, error) {
	if requestID == "" {
		return lead.Lead{}, false, errNoRequestID
	}
	b := &pgx.Batch{}
	b.Queue(lockLeadSQL, id)
	b.Queue(requestAppliedSQL, requestID)
	br := tx.SendBatch(ctx, b)
	l, err := scanLead(br.QueryRow())
	if err != nil {
		br.Close()
		return l, false, notFound(err, "lead")
	}
	var n int
	if err := br.QueryRow().Scan(&n); err != nil {
		br.Close()
		return l, false, err
	}
	return l, n > 0, br.Close()
}

// onLead runs fn on the locked lead once per request id and returns the
// lead as the transaction left it. A retried request (its event exists)
// runs nothing and returns the lead as stored.
func (db *DB) onLead(ctx context.Context, leadID, requestID string, fn func(tx pgx.Tx, l lead.Lead) error) (lead.Lead, error) {
	return db.onMove(ctx, lead.Move{LeadID: leadID, RequestID: requestID}, fn)
}

// onMove is onLead for move m: when m.Outbox is set, the e-mails the move
// calls for (from the lead fn found to the lead it left) are queued in the
// same transaction (queueMoveEmails), so they go out exactly when the move
// is made.
func (db *DB) onMove(ctx context.Context, m lead.Move, fn func(tx pgx.Tx, l lead.Lead) error) (lead.Lead, error) {
	leadID, requestID := m.LeadID, m.RequestID
	if !isUUID(leadID) {
		return lead.Lead{}, lead.Errorf(lead.CodeNotFound, "lead not found")
	}
	var out lead.Lead
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		l, done, err := lockLeadFor(ctx, tx, leadID, requestID)
		if err != nil {
			return err
		}
		if !done {
			if err := fn(tx, l); err != nil {
				return err
			}
		}
		if out, err = lockLead(ctx, tx, leadID); err != nil || done {
			return err
		}
		if m.Outbox != nil {
			if err := queueMoveEmails(ctx, tx, m.Outbox, l, out, m); err != nil {
				return err
			}
		}
		return workingReclaimAt(ctx, tx, out)
	})
	return out, err
}

// transition runs fn on the locked lead when the access model lets the
// move's actor do act from the lead's status (see authorizeTx), once per
// request id (with the e-mails m.Outbox asks for, see onMove), and
// returns the lead as stored.
func (db *DB) transition(ctx context.Context, act lead.Action, m lead.Move, fn func(tx pgx.Tx, l lead.Lead) error) (lead.Lead, error) {
	return db.onMove(ctx, m, func(tx pgx.Tx, l lead.Lead) error {
		if _, err := authorizeTx(ctx, tx, act, m.ActorID, l); err != nil {
			return err
		}
		return fn(tx, l)
	})
}

// toPool puts a lead back in a pool, unowned, and starts the previous
// owner's cooldown when the pool's policy has one.
func toPool(ctx context.Context, tx pgx.Tx, l lead.Lead, poolID, invalidReason string) error {
	if l.OwnerID != "" && l.Policy != nil && l.Policy.Cooldown.On() {
		// The cooldown counts on the pool's calendar when it is working time.
		if _, err := tx.Exec(ctx, `INSERT INTO lead_cooldowns (lead_id, user_id, until) VALUES ($1, $2, $3)
			ON CONFLICT (lead_id, user_id) DO UPDATE SET until = excluded.until`,
			l.ID, l.OwnerID, l.Policy.Cooldown.After(time.Now(), l.Policy.Calendar)); err != nil {
			return err
		}
	}
	_, err := tx.Exec(ctx, `UPDATE leads SET status = 'pooled', owner_id = NULL, pool_id = $2, assigned_at = NULL, window_since = NULL,
		offered_at = NULL, expected_follow_up_at = NULL, invalid_reason = $3, updated_at = now() WHERE id = $1`, l.ID, poolID, invalidReason)
	return err
}

func interval(d time.Duration) string {
	return strconv.FormatInt(d.Microseconds(), 10) + " microseconds"
}
