package service

import (
	"context"
	"strings"

	"github.com/leadflow/leadflow/lead"
)

// Ignored companies (seed 003): their leads are never registered nor
// accepted automatically. Admins and managers read the list (a manager the
// global entries and their team's); an admin edits the global list (or a
// team's), a manager their own team's only.

// IgnoreCompanyInput is the body of an ignore: the company's name and,
// optionally, the team whose list it joins ("" or absent: an admin's
// global list, a manager's own team).
type IgnoreCompanyInput struct {
	Name   *string `json:"name"`
	TeamID *string `json:"team_id"`
}

// MayEditIgnored refuses me an edit of the list of team ("" the global one).
func MayEditIgnored(me lead.User, team string) error {
	switch {
	case me.Role == lead.RoleAdmin:
		return nil
	case team == "":
		return lead.Errorf(lead.CodeForbidden, "only an admin edits the global list of ignored companies")
	case me.Role != lead.RoleManager || team != me.TeamID:
		return lead.Errorf(lead.CodeForbidden, "a manager edits only their own team's ignored companies")
	}
	return nil
}

// IgnoredCompanies lists the ignored companies me may see: every entry
// for an admin, the global ones and their team's for a manager.
func (s *Service) IgnoredCompanies(ctx context.Context, me lead.User) ([]lead.IgnoredCompany, error) {
	if err := Allowed(me, GateStaff); err != nil {
		return nil, err
	}
	items, err := s.db.IgnoredCompanies(ctx, me.Role == lead.RoleAdmin, me.TeamID)
	if items == nil {
		items = []lead.IgnoredCompany{}
	}
	return items, err
}

// IgnoreCompany adds a company to a list; key is the request's idempotency
// key. Ignoring a name whose normalised form is already on that list
// answers the entry there.
func (s *Service) IgnoreCompany(ctx context.Context, me lead.User, key string, in IgnoreCompanyInput) (lead.IgnoredCompany, error) {
	if err := Allowed(me, GateStaff); err != nil {
		return lead.IgnoredCompany{}, err
	}
	c := lead.IgnoredCompany{CreatedBy: me.ID}
	if me.Role == lead.RoleManager {
		c.TeamID = me.TeamID
	}
	if in.TeamID != nil {
		c.TeamID = *in.TeamID
	}
	if in.Name != nil {
		c.Name = strings.TrimSpace(*in.Name)
	}
	if c.Key = lead.NormalizeCompany(c.Name); c.Key == "" {
		return c, lead.Invalid(lead.FieldError{Field: "name", Reason: "needs a company name with letters or digits", Code: lead.ReasonCompanyName})
	}
	if len([]rune(c.Name)) > 200 {
		return c, lead.Invalid(lead.FieldError{Field: "name", Reason: "is longer than 200 characters", Code: lead.ReasonTooLong})
	}
	if c.TeamID != "" {
		if _, err := s.db.Team(ctx, c.TeamID); err != nil {
			return c, lead.Invalid(lead.FieldError{Field: "team_id", Reason: "is not a team", Code: lead.ReasonNoTeam})
		}
	}
	if err := MayEditIgnored(me, c.TeamID); err != nil {
		return c, err
	}
	c.ID = LeadID(key, "ignored\x00"+me.ID)
	return s.db.IgnoreCompany(ctx, c)
}

// UnignoreCompany removes entry id from its list.
func (s *Service) UnignoreCompany(ctx context.Context, me lead.User, id string) error {
	if err := Allowed(me, GateStaff); err != nil {
		return err
	}
	c, err := s.db.IgnoredCompany(ctx, id)
	if err != nil {
		return err
	}
	if err := MayEditIgnored(me, c.TeamID); err != nil {
		return err
	}
	return s.db.UnignoreCompany(ctx, id)
}
