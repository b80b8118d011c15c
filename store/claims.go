package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// ClaimRule is the pool's claim rule (claim_when) as the caller evaluates
// it: called inside the claim's transaction with the locked lead, the rep
// and the rep's numbers; an error refuses the claim. Nil when the pool has none.
type ClaimRule func(l lead.Lead, rep lead.User, st lead.RepStats) error

// Claim gives a pooled lead to the rep who claims it, in one transaction:
// the access model (the rep may claim from the lead's pool), the rep's
// capacity, daily claim limit and cooldown, and the pool's claim rule,
// every refusal reason at once. The inviter of a merged duplicate takes
// the lead through the same checks (seed 000).
func (db *DB) Claim(ctx context.Context, c lead.Claim, rule ClaimRule) (lead.Lead, error) {
	m := lead.Move{LeadID: c.LeadID, ActorID: c.RepID, RequestID: c.RequestID}
	return db.transition(ctx, lead.ActClaim, m, func(tx pgx.Tx, l lead.Lead) error {
		rep, st, err := checkTaker(ctx, tx, l, c.RepID, TakeClaim)
		reasons, err := lead.RefusalReasons(err)
		if err != nil {
			return err
		}
		if rule != nil {
			more, err := lead.RefusalReasons(rule(l, rep, st))
			if err != nil {
				return err
			}
			reasons = append(reasons, more...)
		}
		if len(reasons) > 0 {
			return lead.Conflict("the lead cannot be claimed", reasons...)
		}
		if err := giveTo(ctx, tx, l.ID, c.RepID, c.ExpectedAt); err != nil {
			return err
		}
		data := map[string]any{}
		if c.ExpectedAt != nil {
			data["expected_follow_up_at"] = c.ExpectedAt.UTC().Format(time.RFC3339)
		}
		if c.Via != "" {
			data["via"] = c.Via
		}
		return insertEvent(ctx, tx, lead.Event{LeadID: c.LeadID, Type: lead.EventClaimed, ActorID: c.RepID,
			Reason: c.Reason, Data: data}, c.RequestID)
	})
}
