package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// lockLead reads a lead for update, with its pool's policy.
func lockLead(ctx context.Context, tx pgx.Tx, id string) (lead.Lead, error) {
	l, err := scanLead(tx.QueryRow(ctx, `SELECT `+leadColumns+` FROM `+leadFrom+` WHERE l.id = $1 FOR UPDATE OF l`, id))
	return l, notFound(err, "lead")
}

// transition runs fn on a locked lead unless the request was applied
// already, then returns the lead as stored.
func (db *DB) transition(ctx context.Context, m lead.Move, fn func(tx pgx.Tx, l lead.Lead) error) (lead.Lead, error) {
	if !isUUID(m.LeadID) {
		return lead.Lead{}, lead.Errorf(lead.CodeNotFound, "lead not found")
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if done, err := requestApplied(ctx, tx, m.RequestID); err != nil || done {
			return err
		}
		l, err := lockLead(ctx, tx, m.LeadID)
		if err != nil {
			return err
		}
		return fn(tx, l)
	})
	if err != nil {
		return lead.Lead{}, err
	}
	return db.Lead(ctx, m.LeadID)
}

func wrongStatus(action string, l lead.Lead, want ...lead.Status) error {
	if slices.Contains(want, l.Status) {
		return nil
	}
	return lead.Conflict("the lead cannot be "+action, fmt.Sprintf("wrong status: the lead is %s", l.Status))
}

// toPool puts a lead back in a pool, unowned, and starts the previous
// owner's cooldown when the pool's policy has one.
func toPool(ctx context.Context, tx pgx.Tx, l lead.Lead, poolID, invalidReason string) error {
	if l.OwnerID != "" && l.Policy != nil && l.Policy.Cooldown > 0 {
		if _, err := tx.Exec(ctx, `INSERT INTO lead_cooldowns (lead_id, user_id, until) VALUES ($1, $2, now() + $3::interval)
			ON CONFLICT (lead_id, user_id) DO UPDATE SET until = excluded.until`,
			l.ID, l.OwnerID, interval(time.Duration(l.Policy.Cooldown))); err != nil {
			return err
		}
	}
	_, err := tx.Exec(ctx, `UPDATE leads SET status = 'pooled', owner_id = NULL, pool_id = $2, assigned_at = NULL,
		offered_at = NULL, invalid_reason = $3, updated_at = now() WHERE id = $1`, l.ID, poolID, invalidReason)
	return err
}

func interval(d time.Duration) string {
	return strconv.FormatInt(d.Microseconds(), 10) + " microseconds"
}

// Reclaim takes an assigned or offered lead back to its pool: by a manager
// (ActorID set) or by a timer of the pool's policy (ActorID empty, Reason says which).
func (db *DB) Reclaim(ctx context.Context, m lead.Move) (lead.Lead, error) {
	return db.transition(ctx, m, func(tx pgx.Tx, l lead.Lead) error {
		if err := wrongStatus("reclaimed", l, lead.StatusAssigned, lead.StatusOffered); err != nil {
			return err
		}
		if err := toPool(ctx, tx, l, l.PoolID, ""); err != nil {
			return err
		}
		return insertEvent(ctx, tx, lead.Event{LeadID: l.ID, Type: lead.EventReclaimed, ActorID: m.ActorID, Reason: m.Reason,
			Data: map[string]any{"from_owner": l.OwnerID}}, m.RequestID)
	})
}

// Return gives an assigned lead back to its pool as invalid (contact details
// wrong, cannot be followed up), with a reason from the invalid-reasons list.
func (db *DB) Return(ctx context.Context, m lead.Move) (lead.Lead, error) {
	return db.transition(ctx, m, func(tx pgx.Tx, l lead.Lead) error {
		if err := wrongStatus("returned", l, lead.StatusAssigned); err != nil {
			return err
		}
		if err := ownerOrStaff(ctx, tx, l, m.ActorID); err != nil {
			return err
		}
		if err := toPool(ctx, tx, l, l.PoolID, m.Reason); err != nil {
			return err
		}
		return insertEvent(ctx, tx, lead.Event{LeadID: l.ID, Type: lead.EventReturned, ActorID: m.ActorID, Reason: m.Reason,
			Data: map[string]any{"from_owner": l.OwnerID}}, m.RequestID)
	})
}

// CloseLead ends a lead's lifecycle without a customer.
func (db *DB) CloseLead(ctx context.Context, m lead.Move) (lead.Lead, error) {
	return db.transition(ctx, m, func(tx pgx.Tx, l lead.Lead) error {
		if l.Status.Terminal() {
			return wrongStatus("closed", l)
		}
		if _, err := tx.Exec(ctx, `UPDATE leads SET status = 'closed', updated_at = now() WHERE id = $1`, l.ID); err != nil {
			return err
		}
		return insertEvent(ctx, tx, lead.Event{LeadID: l.ID, Type: lead.EventClosed, ActorID: m.ActorID, Reason: m.Reason}, m.RequestID)
	})
}

// Transfer moves a lead to another pool, unowned.
func (db *DB) Transfer(ctx context.Context, m lead.Move) (lead.Lead, error) {
	return db.transition(ctx, m, func(tx pgx.Tx, l lead.Lead) error {
		if err := wrongStatus("transferred", l, lead.StatusPooled, lead.StatusOffered, lead.StatusAssigned); err != nil {
			return err
		}
		if l.PoolID == m.PoolID {
			return lead.Conflict("the lead cannot be transferred", "the lead is in that pool already")
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM pools WHERE id = $1`, m.PoolID).Scan(&n); err != nil || n == 0 {
			if err == nil {
				err = lead.Invalid(lead.FieldError{Field: "pool_id", Reason: "no such pool"})
			}
			return err
		}
		if err := toPool(ctx, tx, l, m.PoolID, ""); err != nil {
			return err
		}
		return insertEvent(ctx, tx, lead.Event{LeadID: l.ID, Type: lead.EventTransfered, ActorID: m.ActorID, Reason: m.Reason,
			Data: map[string]any{"from_pool": l.PoolID, "to_pool": m.PoolID}}, m.RequestID)
	})
}

// Assign gives a lead to a rep chosen by a manager or admin, within the
// rep's capacity.
func (db *DB) Assign(ctx context.Context, m lead.Move) (lead.Lead, error) {
	return db.transition(ctx, m, func(tx pgx.Tx, l lead.Lead) error {
		if err := wrongStatus("assigned", l, lead.StatusPooled, lead.StatusOffered, lead.StatusAssigned); err != nil {
			return err
		}
		if l.Status == lead.StatusAssigned && l.OwnerID == m.RepID {
			return lead.Conflict("the lead cannot be assigned", "the rep owns it already")
		}
		if err := checkCapacity(ctx, tx, m.RepID, false); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE leads SET status = 'assigned', owner_id = $2, assigned_at = now(), offered_at = NULL,
			updated_at = now() WHERE id = $1`, l.ID, m.RepID); err != nil {
			return err
		}
		return insertEvent(ctx, tx, lead.Event{LeadID: l.ID, Type: lead.EventAssigned, ActorID: m.ActorID, Reason: m.Reason,
			Data: map[string]any{"owner_id": m.RepID, "from_owner": l.OwnerID}}, m.RequestID)
	})
}

// checkCapacity locks the rep and refuses when they are inactive or full.
// withDaily also applies the daily claim limit.
func checkCapacity(ctx context.Context, tx pgx.Tx, repID string, withDaily bool) error {
	if !isUUID(repID) {
		return lead.Invalid(lead.FieldError{Field: "rep_id", Reason: "no such user"})
	}
	var active bool
	var capacity, daily, held, today int
	err := tx.QueryRow(ctx, `SELECT active, capacity, daily_claim_limit FROM users WHERE id = $1 FOR UPDATE`, repID).
		Scan(&active, &capacity, &daily)
	if err == pgx.ErrNoRows {
		return lead.Invalid(lead.FieldError{Field: "rep_id", Reason: "no such user"})
	}
	if err != nil {
		return err
	}
	if err := tx.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM leads WHERE owner_id = $1 AND status = 'assigned'),
		       (SELECT count(*) FROM lead_events WHERE actor_id = $1 AND type = 'claimed' AND at >= date_trunc('day', now()))`,
		repID).Scan(&held, &today); err != nil {
		return err
	}
	var reasons []string
	if !active {
		reasons = append(reasons, "the rep is not active")
	}
	if held >= capacity {
		reasons = append(reasons, fmt.Sprintf("capacity reached: the rep holds %d of %d leads", held, capacity))
	}
	if withDaily && today >= daily {
		reasons = append(reasons, fmt.Sprintf("daily claim limit reached: %d of %d claims today", today, daily))
	}
	if len(reasons) > 0 {
		return lead.Conflict("the lead cannot be taken by this rep", reasons...)
	}
	return nil
}

// ownerOrStaff refuses an actor who is neither the lead's owner nor a manager or admin.
func ownerOrStaff(ctx context.Context, tx pgx.Tx, l lead.Lead, actorID string) error {
	if actorID == "" || actorID == l.OwnerID {
		return nil
	}
	var role lead.Role
	if err := tx.QueryRow(ctx, `SELECT role FROM users WHERE id = $1`, actorID).Scan(&role); err != nil {
		return notFound(err, "user")
	}
	if role == lead.RoleRep {
		return lead.Errorf(lead.CodeForbidden, "the lead belongs to another rep")
	}
	return nil
}

// Accept: the offered rep takes the lead.
func (db *DB) Accept(ctx context.Context, m lead.Move) (lead.Lead, error) {
	return db.transition(ctx, m, func(tx pgx.Tx, l lead.Lead) error {
		if err := wrongStatus("accepted", l, lead.StatusOffered); err != nil {
			return err
		}
		if l.OwnerID != m.RepID {
			return lead.Errorf(lead.CodeForbidden, "the lead is offered to another rep")
		}
		if err := checkCapacity(ctx, tx, m.RepID, false); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE leads SET status = 'assigned', assigned_at = now(), offered_at = NULL, updated_at = now()
			WHERE id = $1`, l.ID); err != nil {
			return err
		}
		return insertEvent(ctx, tx, lead.Event{LeadID: l.ID, Type: lead.EventAccepted, ActorID: m.RepID}, m.RequestID)
	})
}

// Decline: the offered rep refuses the lead (or, with an empty ActorID, the
// offer expired); the lead goes to the next eligible member, else back to the pool.
func (db *DB) Decline(ctx context.Context, m lead.Move) (lead.Lead, error) {
	return db.transition(ctx, m, func(tx pgx.Tx, l lead.Lead) error {
		if err := wrongStatus("declined", l, lead.StatusOffered); err != nil {
			return err
		}
		if m.RepID != "" && l.OwnerID != m.RepID {
			return lead.Errorf(lead.CodeForbidden, "the lead is offered to another rep")
		}
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
		return distribute(ctx, tx, l, m.AutoAccept, m.RequestID+"/next")
	})
}

// Distribute hands a pooled lead to a member of its pool by the pool's
// distribution policy: round_robin serves the member served longest ago,
// least_loaded the one holding fewest leads, weighted keeps each member's
// share proportional to their weight. Inactive, away, full, cooling-down
// members and those who refused this lead are skipped. With autoAccept the
// lead is assigned, else offered. claim_only pools, or pools without an
// eligible member, keep the lead pooled.
func (db *DB) Distribute(ctx context.Context, m lead.Move) (lead.Lead, error) {
	return db.transition(ctx, m, func(tx pgx.Tx, l lead.Lead) error {
		if l.Status != lead.StatusPooled {
			return nil // someone claimed it first: nothing to distribute
		}
		return distribute(ctx, tx, l, m.AutoAccept, m.RequestID)
	})
}

var distributionOrder = map[string]string{
	"round_robin":  `st.last_assigned_at NULLS FIRST, u.created_at, u.id`,
	"least_loaded": `held, st.last_assigned_at NULLS FIRST, u.id`,
	"weighted":     `(coalesce(st.distributed, 0) + 1)::float8 / m.weight, st.last_assigned_at NULLS FIRST, u.id`,
}

func distribute(ctx context.Context, tx pgx.Tx, l lead.Lead, autoAccept bool, requestID string) error {
	var policy lead.Policy
	var raw []byte
	// Locking the pool serialises its distributions, so bursts stay fair.
	if err := tx.QueryRow(ctx, `SELECT policy FROM pools WHERE id = $1 FOR UPDATE`, l.PoolID).Scan(&raw); err != nil {
		return notFound(err, "pool")
	}
	if err := json.Unmarshal(raw, &policy); err != nil {
		return err
	}
	order, ok := distributionOrder[policy.Distribution]
	if !ok {
		return nil // claim_only: members claim
	}
	var repID string
	err := tx.QueryRow(ctx, `
		SELECT u.id::text FROM pool_members m
		JOIN users u ON u.id = m.user_id
		LEFT JOIN pool_member_state st ON st.pool_id = m.pool_id AND st.user_id = m.user_id
		CROSS JOIN LATERAL (SELECT count(*) AS held FROM leads x WHERE x.owner_id = u.id AND x.status IN ('assigned', 'offered')) h
		WHERE m.pool_id = $1 AND m.role = 'member' AND u.active AND NOT u.away AND h.held < u.capacity
		  AND NOT EXISTS (SELECT 1 FROM lead_cooldowns c WHERE c.lead_id = $2 AND c.user_id = u.id AND c.until > now())
		  AND NOT EXISTS (SELECT 1 FROM lead_offer_refusals r WHERE r.lead_id = $2 AND r.user_id = u.id)
		ORDER BY `+order+` LIMIT 1`, l.PoolID, l.ID).Scan(&repID)
	if err == pgx.ErrNoRows {
		return nil // nobody eligible: the lead waits in the pool
	}
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, repID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO pool_member_state (pool_id, user_id, last_assigned_at, distributed) VALUES ($1, $2, clock_timestamp(), 1)
		ON CONFLICT (pool_id, user_id) DO UPDATE SET last_assigned_at = clock_timestamp(), distributed = pool_member_state.distributed + 1`,
		l.PoolID, repID); err != nil {
		return err
	}
	status, typ := lead.StatusOffered, lead.EventOffered
	if autoAccept {
		status, typ = lead.StatusAssigned, lead.EventAssigned
	}
	if _, err := tx.Exec(ctx, `UPDATE leads SET status = $2, owner_id = $3, updated_at = now(),
		assigned_at = CASE WHEN $2 = 'assigned' THEN now() END, offered_at = CASE WHEN $2 = 'offered' THEN now() END
		WHERE id = $1`, l.ID, status, repID); err != nil {
		return err
	}
	return insertEvent(ctx, tx, lead.Event{LeadID: l.ID, Type: typ, Data: map[string]any{
		"owner_id": repID, "distribution": policy.Distribution, "auto_accept": autoAccept, "pool_id": l.PoolID,
	}}, requestID)
}

// RecordNotice stores a reminder or escalation once per request id and
// reports whether it was new.
func (db *DB) RecordNotice(ctx context.Context, n lead.Notice) (bool, error) {
	tag, err := db.pool.Exec(ctx, `INSERT INTO lead_events (lead_id, type, reason, data, request_id)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (request_id) DO NOTHING`,
		n.LeadID, n.Type, n.Reason, map[string]any{"due": n.Due.UTC().Format(time.RFC3339)}, n.RequestID)
	return err == nil && tag.RowsAffected() == 1, err
}

// InCooldown reports until when a rep may not claim a lead, if at all.
func (db *DB) InCooldown(ctx context.Context, leadID, repID string) (*time.Time, error) {
	var until time.Time
	err := db.pool.QueryRow(ctx, `SELECT until FROM lead_cooldowns WHERE lead_id = $1 AND user_id = $2 AND until > now()`,
		leadID, repID).Scan(&until)
	if err == pgx.ErrNoRows {
		return nil, nil
	}
	return &until, err
}

// RepStats are the rep's numbers rules see (rep.held, rep.claims_today).
func (db *DB) RepStats(ctx context.Context, repID string) (held, claimsToday int, err error) {
	err = db.pool.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM leads WHERE owner_id = $1 AND status = 'assigned'),
		       (SELECT count(*) FROM lead_events WHERE actor_id = $1 AND type = 'claimed' AND at >= date_trunc('day', now()))`,
		repID).Scan(&held, &claimsToday)
	return held, claimsToday, err
}

// EditLead changes a lead's details and records the old and new values.
func (db *DB) EditLead(ctx context.Context, e lead.Edit) (lead.Lead, error) {
	return db.transition(ctx, lead.Move{LeadID: e.LeadID, RequestID: e.RequestID}, func(tx pgx.Tx, l lead.Lead) error {
		if l.Status.Terminal() {
			return wrongStatus("edited", l)
		}
		if err := ownerOrStaff(ctx, tx, l, e.ActorID); err != nil {
			return err
		}
		changes := map[string]any{}
		var sets []string
		var args []any
		set := func(col string, from, to any) {
			if fmt.Sprint(from) == fmt.Sprint(to) {
				return
			}
			args = append(args, to)
			sets = append(sets, col+" = $"+strconv.Itoa(len(args)+1))
			changes[col] = map[string]any{"from": from, "to": to}
		}
		str := func(col string, from string, to *string) {
			if to != nil {
				set(col, from, *to)
			}
		}
		list := func(col string, from []string, to *[]string) {
			if to != nil {
				set(col, nonNilStrings(from), nonNilStrings(*to))
			}
		}
		str("name", l.Name, e.Name)
		str("email", l.Email, e.Email)
		str("stage", l.Stage, e.Stage)
		str("notes", l.Notes, e.Notes)
		str("channel", l.Channel, e.Channel)
		str("profession", l.Profession, e.Profession)
		str("address", l.Address, e.Address)
		str("district", l.District, e.District)
		str("division", l.Division, e.Division)
		list("phones", l.Phones, e.Phones)
		list("emails", l.Emails, e.Emails)
		list("tags", l.Tags, e.Tags)
		if e.Custom != nil {
			merged := map[string]any{}
			for k, v := range l.Custom {
				merged[k] = v
			}
			for k, v := range *e.Custom {
				if v == nil {
					delete(merged, k) // null removes a custom field
				} else {
					merged[k] = v
				}
			}
			b, err := json.Marshal(merged)
			if err != nil {
				return err
			}
			if fmt.Sprint(merged) != fmt.Sprint(nonNilMap(l.Custom)) {
				args = append(args, b)
				sets = append(sets, "custom = $"+strconv.Itoa(len(args)+1))
				changes["custom"] = map[string]any{"from": nonNilMap(l.Custom), "to": merged}
			}
		}
		if len(sets) == 0 {
			return nil
		}
		q := `UPDATE leads SET ` + strings.Join(sets, ", ") + `, updated_at = now() WHERE id = $1`
		if _, err := tx.Exec(ctx, q, append([]any{l.ID}, args...)...); err != nil {
			return err
		}
		return insertEvent(ctx, tx, lead.Event{LeadID: l.ID, Type: lead.EventEdited, ActorID: e.ActorID, Data: changes}, e.RequestID)
	})
}

// LiveLeadIDs lists the leads of a pool whose workflows are running (pooled,
// offered or assigned): those a policy change must reach.
func (db *DB) LiveLeadIDs(ctx context.Context, poolID string) ([]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT id::text FROM leads WHERE pool_id = $1 AND status IN ('pooled', 'offered', 'assigned')`, poolID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
