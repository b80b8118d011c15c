package activities

import (
	"context"
	"strings"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/rules"
	"github.com/leadflow/leadflow/workflows"
)

// Intake stores a new lead, decides with the active rule sets what becomes
// of it (plan), and has the store apply that plan in one transaction:
// de-duplication, the inviter, the pool and its distribution. It is
// idempotent: a retry after any failure finishes what the first try began,
// and a retry after success answers what was decided. A lead it leaves
// live enters the sequences its enroll_when rules name (enrollWhen).
func (a *Activities) Intake(ctx context.Context, in workflows.LeadInput) (lead.IntakeResult, error) {
	l, err := a.Store.InsertReceived(ctx, in.Lead)
	if err != nil {
		return lead.IntakeResult{Lead: l}, wrap(err)
	}
	var plan lead.IntakePlan
	if l.Status == lead.StatusReceived {
		if plan, err = a.plan(ctx, l, in.Intake); err != nil {
			return lead.IntakeResult{Lead: l}, wrap(err)
		}
	}
	res, err := a.Store.ApplyIntake(ctx, l.ID, plan)
	if err != nil {
		return res, wrap(err)
	}
	if res.Outcome == lead.OutcomeRejected {
		return res, a.tellFlagged(ctx, l.ID)
	}
	return res, a.enrollWhen(ctx, res.Lead)
}

// tellFlagged e-mails the owners of the leads the refusal of lead
// refusedID put under review (an IP burst), once each: the e-mails' keys
// make a retried intake send none twice.
func (a *Activities) tellFlagged(ctx context.Context, refusedID string) error {
	flagged, err := a.Store.FlaggedBy(ctx, refusedID)
	if err != nil {
		return wrap(err)
	}
	for _, f := range flagged {
		e := lead.Email{Key: "burst/" + refusedID + "/" + f.LeadID, Kind: lead.EmailFlagged, LeadID: f.LeadID, Reason: f.Reason}
		if err := a.Email(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// plan validates, scores and routes a received lead with the active rule
// sets, each decision recorded with its rule set's version and trace.
// Rules that fail at run time decide nothing and flag the lead for review.
func (a *Activities) plan(ctx context.Context, l lead.Lead, in *lead.IntakeOptions) (lead.IntakePlan, error) {
	sets, err := a.activeSets(ctx, rules.KindValidation, rules.KindScoring, rules.KindRouting)
	if err != nil {
		return lead.IntakePlan{}, err
	}
	validation, scoring, routing := sets[0], sets[1], sets[2]
	env, err := a.envOf(ctx, l, sets...)
	if err != nil {
		return lead.IntakePlan{}, err
	}

	opts := lead.IntakeOptions{}
	if in != nil {
		opts = *in
	}
	val := validation.Evaluate(env)
	validated := decisionEvent(lead.EventValidated, l, val, nil)
	switch {
	case val.Rejected && opts.Readmission == "":
		ev := decisionEvent(lead.EventRejected, l, val, nil)
		ev.Reason = strings.Join(val.Reasons, "; ")
		return lead.IntakePlan{Reject: true, Reasons: val.Reasons, Fields: val.Fields, Bursts: val.Bursts, Review: val.Errors, Validated: ev}, nil
	case val.Rejected:
		// An admin readmitted the lead: the rules' rejection is recorded, not applied.
		validated.Reason = "readmitted: overrides the rejection (" + strings.Join(val.Reasons, "; ") + ")"
	}
	policy := opts.DuplicatePolicy
	switch {
	case lead.PublicSource(l.Source):
		// Public channels always merge: a customer cannot choose a policy.
		policy = lead.DuplicateMerge
	case policy == "":
		if policy, err = a.Store.DuplicatePolicy(ctx, l.Source); err != nil {
			return lead.IntakePlan{}, err
		}
	}
	score := scoring.Evaluate(env)
	route := routing.Evaluate(env)
	poolID := route.PoolID
	if route.ToInviter || poolID == "" {
		// The inviter is tried first in any case (the store applies it);
		// their pool is the routing set's default pool.
		poolID = routing.Body().DefaultPoolID
	}
	if opts.PoolID != "" {
		poolID = opts.PoolID // an import's target pool
	} else if poolID, err = a.Store.LivePoolID(ctx, poolID); err != nil {
		return lead.IntakePlan{}, err // a rule's archived pool sends the lead to the default pool
	}
	review := append(append(append([]string{}, val.Errors...), score.Errors...), route.Errors...)
	if len(review) > 0 {
		a.Log.Warn("rules failed at run time; lead flagged for review", "lead", l.ID, "errors", review)
	}
	p := lead.IntakePlan{Score: score.Score, Review: review, PoolID: poolID, Requires: route.Require, DuplicatePolicy: policy, InviterID: opts.InviterID, CreatorID: opts.CreatorID,
		Readmission: opts.Readmission, Validated: validated,
		Scored: decisionEvent(lead.EventScored, l, score, map[string]any{"score": score.Score}),
		Routed: decisionEvent(lead.EventPooled, l, route, map[string]any{"pool_id": poolID, "rule": route.Rule}),
	}
	if route.Require != nil {
		p.Routed.Data["require"] = route.Require
	}
	pol, err := a.Store.PoolPolicy(ctx, poolID)
	if err != nil {
		return p, err
	}
	l.PoolID = poolID // the pool's team's lists and rules apply
	if p.Registered, err = a.registration(ctx, l, env); err != nil {
		return p, err
	}
	if pol.Distribution != "" && pol.Distribution != lead.DistributionClaimOnly {
		if pol.DistributeInWorkingHours {
			// Leads that waited for the pool's hours are served before this one.
			if err := a.distributeWaiting(ctx, poolID); err != nil {
				return p, err
			}
		}
		if p.AutoAccept, err = a.autoAccept(ctx, l, &pol); err != nil {
			return p, err
		}
	}
	return p, nil
}
