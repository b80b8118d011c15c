package console

import (
	"bytes"
	"encoding/json"
	"net/url"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/web"
)

// The Companies page: the ignored companies, added and removed through the
// service as /api/v1/companies/ignored does (service/companies.go); and
// the registration part of a team's page (service/registration.go).

// consoleCompanies registers the Companies page and its forms (staff, as the API).
func (s *Server) consoleCompanies(get, post func(string, fiber.Handler)) {
	staff := s.gated(service.GateStaff)
	get("/companies", staff(s.companiesPage))
	post("/companies/ignored", staff(s.ignoreCompanyForm))
	post("/companies/ignored/:id/delete", staff(s.unignoreCompanyForm))
}

func (s *Server) companiesPage(c *fiber.Ctx) error {
	notice := map[string]string{"added": "registration.ignored_added", "removed": "registration.ignored_removed"}[c.Query("done")]
	return s.showCompanies(c, notice, map[string]string{}, nil)
}

// showCompanies renders /companies with the add form as typed and a refusal.
func (s *Server) showCompanies(c *fiber.Ctx, notice string, form map[string]string, refusal error) error {
	ctx, me := c.UserContext(), httpx.Caller(c)
	items, err := s.Service.IgnoredCompanies(ctx, me)
	if err != nil {
		return s.consoleRefusal(c, err)
	}
	teams, _, err := s.Service.Teams(ctx, me, 500, "")
	if err != nil {
		return err
	}
	d := web.CompaniesPage{RequestID: uuid.NewString(), Form: form, Errors: map[string]string{},
		CanAdd: me.Role == lead.RoleAdmin || me.TeamID != ""}
	names := map[string]string{}
	for _, t := range teams {
		names[t.ID] = t.Name
		if me.Role == lead.RoleAdmin {
			d.Teams = append(d.Teams, web.Choice{Value: t.ID, Label: t.Name})
		}
	}
	for _, i := range items {
		d.Ignored = append(d.Ignored, web.IgnoredRow{IgnoredCompany: i, TeamName: names[i.TeamID],
			Removable: service.MayEditIgnored(me, i.TeamID) == nil})
	}
	return showPage(c, "companies", "registration.companies_title", "companies", notice, &d, &d.Errors, refusal)
}

// ignoreCompanyForm adds a company, as POST /api/v1/companies/ignored does.
func (s *Server) ignoreCompanyForm(c *fiber.Ctx) error {
	form := formValues(c, "name", "team_id")
	key, err := requestKey(c)
	if err == nil {
		in := service.IgnoreCompanyInput{Name: ptr(form["name"])}
		if form["team_id"] != "" {
			in.TeamID = ptr(form["team_id"])
		}
		if _, err = s.Service.IgnoreCompany(c.UserContext(), httpx.Caller(c), key, in); err == nil {
			return c.Redirect("/companies?done=added", fiber.StatusSeeOther)
		}
	}
	if lead.ErrorCode(err) != lead.CodeInvalid {
		return s.consoleRefusal(c, err)
	}
	return s.showCompanies(c, "", form, err)
}

// unignoreCompanyForm removes an entry, as DELETE /api/v1/companies/ignored/{id} does.
func (s *Server) unignoreCompanyForm(c *fiber.Ctx) error {
	if err := s.Service.UnignoreCompany(c.UserContext(), httpx.Caller(c), c.Params("id")); err != nil {
		return s.consoleRefusal(c, err)
	}
	return c.Redirect("/companies?done=removed", fiber.StatusSeeOther)
}

// teamRegistration is the registration part of team id's page; nil when
// the reader may not see it (another team's manager).
func (s *Server) teamRegistration(c *fiber.Ctx, id string) (*web.TeamRegistration, error) {
	r, err := s.Service.TeamRegistrationRules(c.UserContext(), httpx.Caller(c), id)
	if lead.ErrorCode(err) == lead.CodeForbidden {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var body bytes.Buffer
	if json.Indent(&body, r.RuleSet.Body, "", "  ") != nil {
		body.Write(r.RuleSet.Body)
	}
	out := &web.TeamRegistration{Choice: r.RegistrationRules, Editable: r.Editable, Version: r.RuleSet.Version, RulesJSON: body.String()}
	if typed := c.FormValue("body"); typed != "" && c.Method() == fiber.MethodPost {
		out.RulesJSON = typed // refused rules stay as typed
	}
	return out, nil
}

// teamRegistrationChoiceForm sets the team's choice, as PATCH
// /api/v1/teams/{id} with registration_rules does.
func (s *Server) teamRegistrationChoiceForm(c *fiber.Ctx) error {
	choice := c.FormValue("registration_rules")
	if _, err := s.Service.UpdateTeam(c.UserContext(), httpx.Caller(c), c.Params("id"), service.TeamChange{RegistrationRules: &choice}); err != nil {
		return s.teamFormRefused(c, err)
	}
	return c.Redirect("/teams/"+url.PathEscape(c.Params("id"))+"?done=registration", fiber.StatusSeeOther)
}

// teamRegistrationRulesForm saves the team's own rules, as PUT
// /api/v1/teams/{id}/registration-rules does.
func (s *Server) teamRegistrationRulesForm(c *fiber.Ctx) error {
	body := []byte(c.FormValue("body"))
	var compact bytes.Buffer
	if err := json.Compact(&compact, body); err != nil {
		return s.teamFormRefused(c, lead.Invalid(lead.FieldError{Field: "body", Reason: err.Error(), Code: lead.ReasonMalformed}))
	}
	if _, err := s.Service.SaveTeamRegistrationRules(c.UserContext(), httpx.Caller(c), c.Params("id"), compact.Bytes()); err != nil {
		return s.teamFormRefused(c, err)
	}
	return c.Redirect("/teams/"+url.PathEscape(c.Params("id"))+"?done=registration", fiber.StatusSeeOther)
}

// teamFormRefused shows the team's page with a refusal (a field's next to
// it), or the refusal page when the reader may not act on the team.
func (s *Server) teamFormRefused(c *fiber.Ctx, err error) error {
	err = compileProblemOf(err)
	if webProblem(err) == nil || lead.ErrorCode(err) == lead.CodeForbidden || lead.ErrorCode(err) == lead.CodeNotFound {
		return s.consoleRefusal(c, err)
	}
	return s.showTeam(c, err)
}
