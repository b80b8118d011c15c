package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// Distribute hands a pooled lead to a member of its pool by the pool's
// distribution policy (see distribute), queuing the e-mails m.Outbox asks
// for (onMove).
func (db *DB) Distribute(ctx context.Context, m lead.Move) (lead.Lead, error) {
	return db.onMove(ctx, m, func(tx pgx.Tx, l lead.Lead) error {
		if l.Status != lead.StatusPooled {
			return nil // someone claimed it first: nothing to distribute
		}
		_, err := distribute(ctx, tx, l, m.AutoAccept, m.RequestID)
		return err
	})
}

// distribute hands the pooled lead l to a member of its pool:
// round_robin serves the member served longest ago, least_loaded the one
// with the smallest load, weighted keeps each member's share proportional
// to their weight (lead.Pick). Inactive, away, full, cooling-down members,
// those at the pool's holding cap, those who refused this lead and those
// the lead's requirement (its routing rule's require) refuses are
// skipped. With autoAccept the lead is assigned, else offered. claim_only pools, or pools without an eligible member,
// keep the lead pooled. It returns the status the lead ends in.
func distribute(ctx context.Context, tx pgx.Tx, l lead.Lead, autoAccept bool, requestID string) (lead.Status, error) {
	// A claim_only pool keeps the lead: read without a lock, so that the
	// intakes into one pool do not wait for each other.
	policy, err := policyWithCalendar(ctx, tx, l.PoolID)
	if err != nil {
		return lead.StatusPooled, err
	}
	if !lead.Distributes(policy.Distribution) {
		return lead.StatusPooled, nil // claim_only: members claim
	}
	if _, waits := policy.DistributionWait(time.Now()); waits {
		// Its workflow distributes it when the working hours begin
		// (lead.Deadlines), after those waiting longer (DistributeWaiting).
		_, err := tx.Exec(ctx, `UPDATE leads SET window_since = coalesce(window_since, now()) WHERE id = $1`, l.ID)
		return lead.StatusPooled, err
	}
	// Locking the pool serialises its distributions, so bursts stay fair; NO KEY
	// UPDATE does not wait for the key-share locks of leads referring to it.
	// The policy is read again under the lock.
	var raw []byte
	if err := tx.QueryRow(ctx, `SELECT policy FROM pools WHERE id = $1 FOR NO KEY UPDATE`, l.PoolID).Scan(&raw); err != nil {
		return lead.StatusPooled, notFound(err, "pool")
	}
	policy = lead.Policy{}
	if err := json.Unmarshal(raw, &policy); err != nil {
		return lead.StatusPooled, err
	}
	repID, err := pickRep(ctx, tx, l, policy)
	if err != nil {
		return lead.StatusPooled, err
	}
	if repID == "" {
		// Nobody eligible: the lead waits in the pool, no longer for the hours.
		if l.WaitingSince != nil {
			_, err = tx.Exec(ctx, `UPDATE leads SET window_since = NULL WHERE id = $1`, l.ID)
		}
		return lead.StatusPooled, err
	}
	if _, err := tx.Exec(ctx, `SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE`, repID); err != nil {
		return lead.StatusPooled, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO pool_member_state (pool_id, user_id, last_assigned_at, distributed) VALUES ($1, $2, clock_timestamp(), 1)
		ON CONFLICT (pool_id, user_id) DO UPDATE SET last_assigned_at = clock_timestamp(), distributed = pool_member_state.distributed + 1`,
		l.PoolID, repID); err != nil {
		return lead.StatusPooled, err
	}
	status, typ := lead.StatusOffered, lead.EventOffered
	if autoAccept {
		status, typ = lead.StatusAssigned, lead.EventAssigned
	}
	if _, err := tx.Exec(ctx, `UPDATE leads SET status = $2, owner_id = $3, updated_at = now(), window_since = NULL,
		assigned_at = CASE WHEN $2 = 'assigned' THEN now() END, offered_at = CASE WHEN $2 = 'offered' THEN now() END
		WHERE id = $1`, l.ID, status, repID); err != nil {
		return lead.StatusPooled, err
	}
	return status, insertEvent(ctx, tx, lead.Event{LeadID: l.ID, Type: typ, Data: map[string]any{
		"owner_id": repID, "distribution": policy.Distribution, "auto_accept": autoAccept, "pool_id": l.PoolID,
	}}, requestID)
}

// pickRep chooses the member of l's pool who gets it under policy ("":
// nobody may): the store finds the members free to take it (active,
// present, with room, not cooling down on it, under the pool's holding
// cap, not having refused it: the same roomSQL, coolingSQL and
// poolRoomSQL as checkTaker), and lead.Pick chooses among them by the
// lead's requirement and the distribution mode.
func pickRep(ctx context.Context, tx pgx.Tx, l lead.Lead, policy lead.Policy) (string, error) {
	rows, err := tx.Query(ctx, `
		SELECT u.id::text, u.skills, u.languages, u.regions, m.weight, h.load, coalesce(st.distributed, 0), st.last_assigned_at, u.created_at
		FROM pool_members m
		JOIN users u ON u.id = m.user_id
		LEFT JOIN pool_member_state st ON st.pool_id = m.pool_id AND st.user_id = m.user_id
		CROSS JOIN LATERAL (SELECT `+repLoadSQL("u.id")+` AS load) h
		WHERE m.pool_id = $1 AND m.role = 'member' AND u.active AND NOT u.away AND `+roomSQL("u", "h.load")+`
		  AND NOT `+coolingSQL("$2", "u")+` AND `+poolRoomSQL("$3::int", poolHeldSQL("u.id", "$1"))+`
		  AND NOT EXISTS (SELECT 1 FROM lead_offer_refusals r WHERE r.lead_id = $2 AND r.user_id = u.id)`,
		l.PoolID, l.ID, policy.MaxHeldPerRep)
	if err != nil {
		return "", err
	}
	cands, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (lead.Candidate, error) {
		var c lead.Candidate
		err := row.Scan(&c.ID, &c.Skills, &c.Languages, &c.Regions, &c.Weight, &c.Load, &c.Distributed, &c.LastAssignedAt, &c.CreatedAt)
		return c, err
	})
	if err != nil {
		return "", err
	}
	var req lead.Requirement
	if l.Requires != nil {
		req = *l.Requires
	}
	c, _ := lead.Pick(policy.Distribution, req, cands)
	return c.ID, nil
}
