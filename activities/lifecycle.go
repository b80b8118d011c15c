package activities

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/rules"
	"github.com/leadflow/leadflow/store"
)

// exprCache compiles pool expressions (claim_when, reclaim_exempt_when) once.
var exprCache sync.Map // source -> *rules.Expr

func compiledExpr(src string) (*rules.Expr, error) {
	if e, ok := exprCache.Load(src); ok {
		return e.(*rules.Expr), nil
	}
	e, err := rules.CompileExpr(src)
	if err != nil {
		return nil, err
	}
	exprCache.Store(src, e)
	return e, nil
}

// poolExpr evaluates a pool expression (kind: claim_when or
// reclaim_exempt_when) about lead l and rep u with the rep's numbers st. A
// rule that fails is reported as an error and decides nothing.
func (a *Activities) poolExpr(kind, src string, l lead.Lead, u lead.User, st lead.RepStats) (bool, rules.TraceStep, error) {
	e, err := compiledExpr(src)
	if err != nil {
		return false, rules.TraceStep{}, err
	}
	env := rules.NewEnv(rules.NewLeadEnv(l), rules.Facts{}, a.now())
	env.Rep = rules.RepEnv{ID: u.ID, Name: u.Name, Email: u.Email, Role: string(u.Role), TeamID: u.TeamID,
		Capacity: u.Capacity, Held: st.Load, ClaimsToday: st.ClaimsToday, Active: u.Active,
		Skills: u.Skills, Languages: u.Languages, Regions: u.Regions}
	env.Pool = rules.PoolEnv{ID: l.PoolID}
	start := time.Now()
	step, err := e.Eval(env)
	a.Metrics.RuleEvaluated(kind, time.Since(start), err != nil)
	return step.Matched, step, err
}

// claimWhen is the pool's claim rule, evaluated by the store inside the
// claim's transaction (store.ClaimRule).
func (a *Activities) claimWhen(l lead.Lead, rep lead.User, st lead.RepStats) error {
	if l.Policy == nil || l.Policy.ClaimWhen == "" {
		return nil
	}
	ok, step, err := a.poolExpr("claim_when", l.Policy.ClaimWhen, l, rep, st)
	if err != nil {
		return lead.Conflict("the lead cannot be claimed", "the pool's claim rule failed: "+err.Error())
	}
	if !ok {
		return lead.Conflict("the lead cannot be claimed", fmt.Sprintf("claim rule not met: %s is %v", step.When, step.Value))
	}
	return nil
}

// Claim gives a pooled lead to the rep who claims it, when the access
// model, the rep's capacity, daily limit and cooldown and the pool's
// claim_when allow it (all decided in the store's one transaction).
func (a *Activities) Claim(ctx context.Context, c lead.Claim) (lead.Lead, error) {
	l, err := a.Store.Claim(ctx, c, a.claimWhen)
	return l, wrap(err)
}

// AssignToInviter gives a lead that a duplicate registration from a rep's
// invite link was merged into to that rep (seed 000), as a claim by that
// rep: every check of a claim applies. A refusal leaves the lead where it
// is and its history says why.
func (a *Activities) AssignToInviter(ctx context.Context, m lead.Move) (lead.Lead, error) {
	c := lead.Claim{LeadID: m.LeadID, RepID: m.RepID, RequestID: m.RequestID, Reason: m.Reason, Via: lead.SourceInvite}
	l, err := a.Store.Claim(ctx, c, a.claimWhen)
	switch lead.ErrorCode(err) {
	case lead.CodeConflict, lead.CodeForbidden, lead.CodeNotFound:
		why := err.Error()
		if lead.ErrorCode(err) == lead.CodeNotFound {
			why = "the lead is not in a pool the rep may claim from"
		}
		if _, err := a.Store.RecordNotice(ctx, lead.Notice{LeadID: m.LeadID, RequestID: m.RequestID + "/refused",
			Type: lead.EventInviterRefused, Reason: "not given to the inviting rep: " + why, Due: a.now()}); err != nil {
			return l, wrap(err)
		}
		l, err = a.Store.Lead(ctx, m.LeadID)
	}
	return l, wrap(err)
}

// autoAccept decides whether a distribution under policy assigns (true)
// or offers: the pool's flag, or the auto_accept rules. An ignored company
// (the Companies list of the lead's pool's team and the global one, or the
// rules' deprecated ignore list) is never accepted automatically, whatever
// the pool.
func (a *Activities) autoAccept(ctx context.Context, l lead.Lead, policy *lead.Policy) (bool, error) {
	if ignored, err := a.Store.CompanyIgnored(ctx, l.Company, l.PoolID); err != nil || ignored {
		return false, err
	}
	sets, err := a.activeSets(ctx, rules.KindAutoAccept)
	if err != nil {
		return false, err
	}
	out := sets[0].Evaluate(rules.NewEnv(rules.NewLeadEnv(l), rules.Facts{}, a.now()))
	if out.Ignored {
		return false, nil
	}
	return out.Accept || (policy != nil && policy.AutoAccept), nil
}

// Distribute hands a pooled lead to a member of its pool by the pool's policy.
func (a *Activities) Distribute(ctx context.Context, m lead.Move) (lead.Lead, error) {
	l, err := a.Store.Lead(ctx, m.LeadID)
	if err != nil {
		return l, wrap(err)
	}
	return a.distribute(ctx, l, m)
}

// distribute is Distribute of lead l as just stored (a reclaim's or a
// transfer's result: no second read).
func (a *Activities) distribute(ctx context.Context, l lead.Lead, m lead.Move) (lead.Lead, error) {
	var err error
	if l.Status != lead.StatusPooled || l.Policy == nil || l.Policy.Distribution == "" || l.Policy.Distribution == lead.DistributionClaimOnly {
		return l, nil
	}
	if l.Policy.DistributeInWorkingHours {
		// Those waiting for the pool's hours go first, longest waiting first
		// (this lead among them when it waits).
		if err := a.distributeWaiting(ctx, l.PoolID); err != nil {
			return l, err
		}
	}
	if m.AutoAccept, err = a.autoAccept(ctx, l, l.Policy); err != nil {
		return l, wrap(err)
	}
	l, err = a.Store.Distribute(ctx, m)
	return l, wrap(err)
}

// waitingBatch is how many waiting leads one transaction distributes.
const waitingBatch = 100

// distributeWaiting distributes the leads waiting for pool id's working
// hours, once they have begun, in the order they began to wait, each
// auto-accepted as the auto_accept rules say (store.DistributeWaiting).
func (a *Activities) distributeWaiting(ctx context.Context, poolID string) error {
	for {
		waiting, err := a.Store.WaitingLeads(ctx, poolID, waitingBatch)
		if err != nil || len(waiting) == 0 {
			return wrap(err)
		}
		accept := make(map[string]bool, len(waiting))
		for _, w := range waiting {
			if accept[w.ID], err = a.autoAccept(ctx, w, w.Policy); err != nil {
				return wrap(err)
			}
		}
		n, err := a.Store.DistributeWaiting(ctx, poolID, accept, waitingBatch)
		if err != nil || n < waitingBatch {
			return wrap(err)
		}
	}
}

// Assign gives a lead to a rep chosen by a manager or admin.
func (a *Activities) Assign(ctx context.Context, m lead.Move) (lead.Lead, error) {
	l, err := a.Store.Assign(ctx, m)
	return l, wrap(err)
}

// Transfer moves a lead to another pool, then distributes it by that pool's policy.
func (a *Activities) Transfer(ctx context.Context, m lead.Move) (lead.Lead, error) {
	l, err := a.Store.Transfer(ctx, m)
	if err != nil {
		return l, wrap(err)
	}
	return a.distribute(ctx, l, lead.Move{LeadID: l.ID, RequestID: m.RequestID + "/distribute"})
}

// Reclaim takes a lead back to its pool. A reclaim by a timer (no ActorID)
// first asks the pool's reclaim_exempt_when; an exempt lead stays with its
// owner and an event says why. The e-mails of the reclaim and of the
// distribution after it (the former owner's, an offer's) are queued in
// their transactions (lead.Outbox, keyed by m's request id), not left to
// the lead's workflow: the answer says so (EmailsQueued).
func (a *Activities) Reclaim(ctx context.Context, m lead.Move) (lead.Moved, error) {
	l, err := a.reclaim(ctx, m)
	return lead.Moved{Lead: l, EmailsQueued: err == nil}, err
}

func (a *Activities) reclaim(ctx context.Context, m lead.Move) (lead.Lead, error) {
	m.Outbox = &lead.Outbox{Key: m.RequestID, Cause: lead.CauseReclaim}
	var keep store.Keep
	if m.ActorID == "" {
		keep = func(l lead.Lead, owner store.Owner) *lead.Notice { return a.exempt(m, l, owner) }
	}
	l, err := a.Store.Reclaim(ctx, m, keep)
	if err != nil {
		return l, wrap(err)
	}
	return a.distribute(ctx, l, lead.Move{LeadID: l.ID, RequestID: m.RequestID + "/distribute", Outbox: m.Outbox})
}

// exempt asks the pool's reclaim_exempt_when about an assigned lead l that
// timer move m is about to reclaim, on the lead as its transaction locked
// it (owner reads its owner in that transaction): the exempted notice that
// keeps l with its owner, or nil. A rule that fails reclaims (and is logged).
func (a *Activities) exempt(m lead.Move, l lead.Lead, owner store.Owner) *lead.Notice {
	if l.Policy == nil || l.Policy.ReclaimExemptWhen == "" || l.Status != lead.StatusAssigned {
		return nil
	}
	u, st, err := owner()
	exempt, step := false, rules.TraceStep{}
	if err == nil {
		exempt, step, err = a.poolExpr("reclaim_exempt_when", l.Policy.ReclaimExemptWhen, l, u, st)
	}
	if err != nil {
		a.Log.Warn("reclaim_exempt_when failed; reclaiming", "lead", l.ID, "err", err)
		return nil
	}
	if !exempt {
		return nil
	}
	return &lead.Notice{LeadID: l.ID, RequestID: m.RequestID, Type: lead.EventExempted,
		Reason: fmt.Sprintf("%s; kept by reclaim_exempt_when (%s)", m.Reason, step.When), Due: a.now()}
}

// Return gives an assigned lead back to its pool as invalid.
func (a *Activities) Return(ctx context.Context, m lead.Move) (lead.Lead, error) {
	l, err := a.Store.Return(ctx, m)
	return l, wrap(err)
}

// Close ends a lead without a customer.
func (a *Activities) Close(ctx context.Context, m lead.Move) (lead.Lead, error) {
	l, err := a.Store.CloseLead(ctx, m)
	return l, wrap(err)
}

// KeepReviewed takes a lead an IP burst flagged out of review.
func (a *Activities) KeepReviewed(ctx context.Context, m lead.Move) (lead.Lead, error) {
	l, err := a.Store.KeepReviewed(ctx, m)
	return l, wrap(err)
}

// RejectReviewed rejects a lead an IP burst flagged.
func (a *Activities) RejectReviewed(ctx context.Context, m lead.Move) (lead.Lead, error) {
	l, err := a.Store.RejectReviewed(ctx, m)
	return l, wrap(err)
}

// Reopen puts a closed lead back into a pool.
func (a *Activities) Reopen(ctx context.Context, m lead.Move) (lead.Lead, error) {
	l, err := a.Store.Reopen(ctx, m)
	return l, wrap(err)
}

// Readmit makes a rejected lead received again, for its intake to run anew.
func (a *Activities) Readmit(ctx context.Context, m lead.Move) (lead.Lead, error) {
	l, err := a.Store.Readmit(ctx, m)
	return l, wrap(err)
}

// Accept: the offered rep takes the lead.
func (a *Activities) Accept(ctx context.Context, m lead.Move) (lead.Lead, error) {
	l, err := a.Store.Accept(ctx, m)
	return l, wrap(err)
}

// Decline: the offered rep refuses it, or the offer expired (no ActorID);
// the lead goes to the next eligible member.
func (a *Activities) Decline(ctx context.Context, m lead.Move) (lead.Lead, error) {
	l, err := a.Store.Lead(ctx, m.LeadID)
	if err != nil {
		return l, wrap(err)
	}
	if m.AutoAccept, err = a.autoAccept(ctx, l, l.Policy); err != nil {
		return l, wrap(err)
	}
	l, err = a.Store.Decline(ctx, m)
	return l, wrap(err)
}

// Notify records a reminder or an escalation once (the e-mail is the
// Email activity's).
func (a *Activities) Notify(ctx context.Context, n lead.Notice) (bool, error) {
	fresh, err := a.Store.RecordNotice(ctx, n)
	return fresh, wrap(err)
}

// RecordFollowUp stores a follow-up record.
func (a *Activities) RecordFollowUp(ctx context.Context, n lead.NewFollowUp) (lead.FollowUp, error) {
	f, err := a.Store.AddFollowUp(ctx, n)
	return f, wrap(err)
}

// Convert turns an assigned lead into a customer, its fields mapped by the
// active conversion rules and overridden by the caller's values; the
// custom fields of the customer and the order are checked against their
// definitions.
func (a *Activities) Convert(ctx context.Context, c lead.Conversion) (lead.Converted, error) {
	l, err := a.Store.Lead(ctx, c.LeadID)
	if err != nil {
		return lead.Converted{}, wrap(err)
	}
	if l.Status == lead.StatusAssigned {
		if err := a.conversion(ctx, l, &c); err != nil {
			return lead.Converted{}, wrap(err)
		}
	}
	out, err := a.Store.Convert(ctx, c)
	return out, wrap(err)
}

// conversion maps a lead onto a customer (and an order) with the active
// conversion rules: lead custom fields not mapped explicitly keep their
// names (seed 002), the caller's overrides win over the mapping. It
// records the decision (rule set version and trace) for the converted event.
func (a *Activities) conversion(ctx context.Context, l lead.Lead, c *lead.Conversion) error {
	sets, err := a.activeSets(ctx, rules.KindConversion)
	if err != nil {
		return err
	}
	out := sets[0].Evaluate(rules.NewEnv(rules.NewLeadEnv(l), rules.Facts{}, a.now()))
	if len(out.Errors) > 0 {
		return lead.Conflict("the lead cannot be converted", out.Errors...)
	}
	c.Customer, c.Order = rules.Conversion(l, out, c.CustomerOverrides, c.OrderOverrides)
	var bad lead.Fields
	for _, e := range []struct {
		entity string
		values map[string]any
	}{{lead.EntityCustomer, c.Customer}, {lead.EntityOrder, c.Order}} {
		if len(e.values) == 0 && e.entity == lead.EntityOrder {
			continue // no order
		}
		schema, err := a.Store.CustomSchema(ctx, e.entity)
		if err != nil {
			return err
		}
		// The field errors name the part of the body: customer.custom.<name>, order.custom.<name>.
		for _, f := range schema.Check(e.values, false) {
			f.Field = e.entity + "." + f.Field
			bad = append(bad, f)
		}
	}
	if err := bad.Err(); err != nil {
		return err
	}
	ev := decisionEvent(lead.EventConverted, l, out, nil)
	c.Decision = &ev
	return nil
}
