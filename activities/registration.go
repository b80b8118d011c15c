package activities

import (
	"context"
	"strings"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/rules"
)

// Auto-registration (seed 003): a lead is registered with the supplier's
// systems when it is created or edited and the registration rules match;
// once, and never a lead of an ignored company. Leads that existed before
// the rules were switched on are not combed through: only a creation or an
// edit decides.

// registration decides whether lead l is registered: the "registered"
// event to record with the rule set's version and trace, nil when it is
// not. The lead's pool names the team whose ignore list and choice of
// rules apply (the supplier's, or the team's own). env is the lead's rule
// environment, nil to build one.
func (a *Activities) registration(ctx context.Context, l lead.Lead, env *rules.Env) (*lead.Event, error) {
	if l.RegisteredAt != nil {
		return nil, nil
	}
	if ignored, err := a.Store.CompanyIgnored(ctx, l.Company, l.PoolID); err != nil || ignored {
		return nil, err
	}
	stored, err := a.Store.RegistrationRulesFor(ctx, l.PoolID)
	if err != nil {
		return nil, err
	}
	set, err := a.compiledSet(stored)
	if err != nil {
		return nil, err
	}
	if env == nil || len(set.Facts()) > 0 {
		if env, err = a.envOf(ctx, l, set); err != nil {
			return nil, err
		}
	}
	out := set.Evaluate(env)
	if len(out.Errors) > 0 {
		a.Log.Warn("registration rules failed at run time", "lead", l.ID, "errors", out.Errors)
	}
	if !out.Register {
		return nil, nil
	}
	data := map[string]any{"group": out.Group, "rules": lead.RegistrationSupplier}
	if t := set.Body().CRMTarget; t != "" {
		data["crm_target"] = t
	}
	if _, team, own := strings.Cut(stored.Kind, "@"); own {
		data["rules"], data["team_id"] = lead.RegistrationOwn, team
	}
	ev := decisionEvent(lead.EventAutoRegistered, l, out, data)
	return &ev, nil
}

// envOf is lead l's rule environment with the facts the sets need.
func (a *Activities) envOf(ctx context.Context, l lead.Lead, sets ...*rules.Set) (*rules.Env, error) {
	var needs []rules.FactNeed
	for _, s := range sets {
		needs = append(needs, s.Facts()...)
	}
	counts, err := a.Store.IPCompanies(ctx, []string{l.ID}, rules.Windows(needs))
	if err != nil {
		return nil, err
	}
	return rules.NewEnv(rules.NewLeadEnv(l), rules.Facts{IPCompanies: counts[l.ID]}, a.now()), nil
}

// Edit changes a lead's details, then decides again what a lead's update
// decides (seed 003): its registration, once, and the auto_accept rules,
// which accept an offered lead they now match. A lead pushed to a CRM at
// its registration is pushed again (the CRM's contact updated).
func (a *Activities) Edit(ctx context.Context, e lead.Edit) (lead.Lead, error) {
	l, err := a.Store.EditLead(ctx, e)
	if err != nil || l.Status.Terminal() || l.Status == lead.StatusReceived {
		return l, wrap(err)
	}
	if l.RegisteredAt != nil && l.CRMTargetID != "" {
		// Pushed to a CRM at its registration: the CRM's contact is updated.
		if err := a.Store.QueueCRMPush(ctx, l.ID, l.CRMTargetID, e.RequestID+"/crm"); err != nil {
			return l, err
		}
	}
	ev, err := a.registration(ctx, l, nil)
	if err != nil {
		return l, err
	}
	if ev != nil {
		if l, err = a.Store.RegisterLead(ctx, l.ID, *ev, e.RequestID+"/registered"); err != nil {
			return l, wrap(err)
		}
	}
	if l.Status != lead.StatusOffered {
		return l, nil
	}
	accept, err := a.autoAccept(ctx, l, l.Policy)
	if err != nil || !accept {
		return l, err
	}
	l, err = a.Store.Accept(ctx, lead.Move{LeadID: l.ID, RequestID: e.RequestID + "/auto-accept",
		Reason: "accepted automatically: the auto_accept rules match the edited lead"})
	return l, wrap(err)
}
