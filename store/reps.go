package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// repLoadSQL is a rep's load: the leads assigned or offered to them (an
// offer holds a place until it is accepted or declined). It is the one
// definition every capacity check, distribution and rule (rep.held) uses.
func repLoadSQL(rep string) string {
	return `(SELECT count(*) FROM leads x WHERE x.owner_id = ` + rep + ` AND x.status IN ('assigned', 'offered'))`
}

// roomSQL is the condition that rep u (a users row) has room for one more
// lead when they already hold held; coolingSQL that rep u may not take
// lead l yet, having had it reclaimed from them or returned it. They are
// the one definition of capacity and cooldown: checkTaker reads them to
// refuse a claim or an assignment (with its reasons), and distribute to
// choose a rep.
func roomSQL(u, held string) string { return held + ` < ` + u + `.capacity` }

func coolingSQL(l, u string) string {
	return `EXISTS (SELECT 1 FROM lead_cooldowns c WHERE c.lead_id = ` + l + ` AND c.user_id = ` + u + `.id AND c.until > now())`
}

// poolHeldSQL counts the leads rep u holds (assigned or offered) in pool
// p; poolRoomSQL is the condition that u may hold one more lead of a pool
// that caps each rep at limit (its policy's max_held_per_rep; 0: no cap)
// when they hold held there. They are the one definition of the cap:
// checkTaker refuses with it, distribute chooses with it.
func poolHeldSQL(u, p string) string {
	return `(SELECT count(*) FROM leads y WHERE y.owner_id = ` + u + ` AND y.pool_id = ` + p + ` AND y.status IN ('assigned', 'offered'))`
}

func poolRoomSQL(limit, held string) string {
	return `(` + limit + ` = 0 OR ` + held + ` < ` + limit + `)`
}

// claimsTodaySQL counts the rep's claims since midnight (UTC).
func claimsTodaySQL(rep string) string {
	return `(SELECT count(*) FROM lead_events e WHERE e.actor_id = ` + rep + ` AND e.type = 'claimed' AND e.at >= date_trunc('day', now()))`
}

// RepStats returns the rep's numbers rules see (rep.held, rep.claims_today).
func (db *DB) RepStats(ctx context.Context, repID string) (lead.RepStats, error) {
	return repStats(ctx, db.pool, repID)
}

func repStats(ctx context.Context, q queryRower, repID string) (lead.RepStats, error) {
	var st lead.RepStats
	err := q.QueryRow(ctx, `SELECT `+repLoadSQL("$1")+`, `+claimsTodaySQL("$1"), repID).Scan(&st.Load, &st.ClaimsToday)
	return st, err
}

// Taking is how a lead comes to a rep; it says which checks apply.
type Taking int

// The ways a lead is taken.
const (
	// TakeClaim: the rep claims it (or gets it through their invite link):
	// capacity, the daily claim limit and the cooldown apply.
	TakeClaim Taking = iota
	// TakeAssign: a manager gives it to the rep: capacity applies.
	TakeAssign
	// TakeAccept: the rep accepts an offer that already counts in their load.
	TakeAccept
)

// checkTaker locks the rep and refuses, with every reason at once, a rep
// who is inactive, full, over the daily claim limit or cooling down on the
// lead, as the way of taking requires (takerReasons). It returns the rep
// and their stats for the pool's claim rule.
func checkTaker(ctx context.Context, tx pgx.Tx, l lead.Lead, repID string, how Taking) (lead.User, lead.RepStats, error) {
	if !isUUID(repID) {
		return lead.User{}, lead.RepStats{}, lead.Invalid(lead.FieldError{Field: "rep_id", Reason: "no such user"})
	}
	u, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1 FOR NO KEY UPDATE`, repID))
	if err == pgx.ErrNoRows {
		return u, lead.RepStats{}, lead.Invalid(lead.FieldError{Field: "rep_id", Reason: "no such user"})
	}
	if err != nil {
		return u, lead.RepStats{}, err
	}
	var t taker
	if err := tx.QueryRow(ctx, `SELECT `+takerSQL(how, "$2::uuid")+` `+takerFrom+` WHERE u.id = $1`, repID, l.ID).Scan(t.fields()...); err != nil {
		return u, t.st, err
	}
	if reasons := takerReasons(u, t, how); len(reasons) > 0 {
		return u, t.st, lead.Conflict("the lead cannot be taken by this rep", reasons...)
	}
	return u, t.st, nil
}

// taker is what the taking check reads of a rep (u, a users row) and a
// lead: their numbers, whether they have room, whether they cool down on
// the lead and until when.
type taker struct {
	st      lead.RepStats
	room    bool
	cooling bool
	until   *time.Time
	// poolHeld of the lead's pool's poolLimit (max_held_per_rep) the rep
	// holds; poolRoom: they may take one more.
	poolHeld, poolLimit int
	poolRoom            bool
}

func (t *taker) fields() []any {
	return []any{&t.st.Load, &t.st.ClaimsToday, &t.room, &t.cooling, &t.until, &t.poolHeld, &t.poolLimit, &t.poolRoom}
}

// takerFrom joins each user u to their load h.load, counted once for
// rep.held and for the capacity.
var takerFrom = `FROM users u CROSS JOIN LATERAL (SELECT ` + repLoadSQL("u.id") + ` AS load) h`

// takerSQL selects a taker's columns for the lead leadArg (a uuid SQL
// expression), taken as how says.
func takerSQL(how Taking, leadArg string) string {
	held := "h.load"
	if how == TakeAccept {
		held += ` - 1` // the offer is in the load already
	}
	poolHeld := `coalesce((SELECT ` + poolHeldSQL("u.id", "tl.pool_id") + ` FROM leads tl WHERE tl.id = ` + leadArg + `), 0)`
	limit := `coalesce((SELECT (tp.policy->>'max_held_per_rep')::int FROM leads tl JOIN pools tp ON tp.id = tl.pool_id WHERE tl.id = ` + leadArg + `), 0)`
	heldBefore := poolHeld
	if how == TakeAccept {
		heldBefore += ` - 1`
	}
	return `h.load, ` + claimsTodaySQL("u.id") + `, ` + roomSQL("u", held) + `, ` + coolingSQL(leadArg, "u") + `,
		(SELECT max(c.until) FROM lead_cooldowns c WHERE c.lead_id = ` + leadArg + ` AND c.user_id = u.id),
		` + poolHeld + `, ` + limit + `, ` + poolRoomSQL(limit, heldBefore)
}

// takerReasons are why rep u may not take the lead as how says (none: they may).
func takerReasons(u lead.User, t taker, how Taking) []string {
	var reasons []string
	if !u.Active {
		reasons = append(reasons, "the rep is not active")
	}
	if !t.room {
		load := t.st.Load
		if how == TakeAccept {
			load--
		}
		reasons = append(reasons, fmt.Sprintf("capacity reached: the rep holds or is offered %d of %d leads", load, u.Capacity))
	}
	if !t.poolRoom {
		held := t.poolHeld
		if how == TakeAccept {
			held--
		}
		reasons = append(reasons, fmt.Sprintf("pool limit reached: the rep holds %d of the %d leads of this pool one rep may hold (max_held_per_rep)", held, t.poolLimit))
	}
	if how == TakeClaim {
		if t.st.ClaimsToday >= u.DailyClaimLimit {
			reasons = append(reasons, fmt.Sprintf("daily claim limit reached: %d of %d claims today", t.st.ClaimsToday, u.DailyClaimLimit))
		}
		if t.cooling && t.until != nil {
			reasons = append(reasons, "cooldown: the lead was reclaimed from or returned by this rep; claimable again after "+t.until.UTC().Format(time.RFC3339))
		}
	}
	return reasons
}

// giveTo makes the rep the lead's owner, assigned now; expected is when
// they plan to follow it up (a claim may say), nil when unsaid.
func giveTo(ctx context.Context, tx pgx.Tx, leadID, repID string, expected *time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE leads SET status = 'assigned', owner_id = $2, assigned_at = now(), offered_at = NULL,
		invalid_reason = '', expected_follow_up_at = $3, updated_at = now() WHERE id = $1`, leadID, repID, expected)
	return err
}
