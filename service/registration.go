package service

import (
	"context"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/rules"
)

// A team's registration rules (seed 003): "supplier" managed (the rules an
// admin keeps, kind registration, shown read-only to the team's manager)
// or "own" (the rules the team's manager edits here). An admin, or the
// team's manager, reads and edits them; another manager is refused.

// TeamRegistration is the registration rules that apply to a team's leads.
type TeamRegistration struct {
	TeamID string `json:"team_id"`
	// RegistrationRules is the team's choice: supplier or own.
	RegistrationRules string `json:"registration_rules"`
	// Editable: the caller may save the team's own rules (the team chose own).
	Editable bool         `json:"editable"`
	RuleSet  lead.RuleSet `json:"rule_set"`
}

// teamRules is team id when me may see its registration rules.
func (s *Service) teamRules(ctx context.Context, me lead.User, id string) (lead.Team, error) {
	if err := Allowed(me, GateStaff); err != nil {
		return lead.Team{}, err
	}
	t, err := s.db.Team(ctx, id)
	if err == nil && me.Role != lead.RoleAdmin && me.TeamID != t.ID {
		return t, lead.Errorf(lead.CodeForbidden, "a manager sees only their own team's registration rules")
	}
	return t, err
}

// TeamRegistrationRules are the registration rules that apply to team id's leads.
func (s *Service) TeamRegistrationRules(ctx context.Context, me lead.User, id string) (TeamRegistration, error) {
	t, err := s.teamRules(ctx, me, id)
	if err != nil {
		return TeamRegistration{}, err
	}
	out := TeamRegistration{TeamID: t.ID, RegistrationRules: t.RegistrationRules, Editable: t.RegistrationRules == lead.RegistrationOwn}
	if out.Editable {
		out.RuleSet, err = s.db.TeamRegistrationRules(ctx, t.ID)
	} else {
		out.RuleSet, err = s.db.ActiveRuleSet(ctx, string(rules.KindRegistration))
	}
	return out, err
}

// SaveTeamRegistrationRules stores body as the next version of team id's
// own registration rules, at once in force; a team whose rules are
// supplier managed is refused (conflict).
func (s *Service) SaveTeamRegistrationRules(ctx context.Context, me lead.User, id string, body []byte) (lead.RuleSet, error) {
	t, err := s.teamRules(ctx, me, id)
	if err != nil {
		return lead.RuleSet{}, err
	}
	if t.RegistrationRules != lead.RegistrationOwn {
		return lead.RuleSet{}, lead.Conflict("the team's registration rules are supplier managed",
			`set the team's registration_rules to "own" to define its own`)
	}
	if _, err := s.checkRules(ctx, rules.KindRegistration, body); err != nil {
		return lead.RuleSet{}, err
	}
	return s.db.SaveRuleSet(ctx, lead.TeamRegistrationKind(t.ID), body, me.ID)
}
