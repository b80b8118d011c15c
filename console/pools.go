package console

import (
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/web"
)

// This file is the console's pool pages: the pools the user may manage,
// and a pool's page with its members, admins, policy, new-lead recipients
// and owner. Every form goes through the service's methods (CreatePool,
// UpdatePool, SetPoolRecipients, TransferPool) as the API does, so the
// console refuses what the API refuses, with the same field names.

// policyForm are the fields of a pool's policy form, named as the API's
// policy object names them; "duration" fields take "90m", "36h", "7d".
// Labels and help are message ids.
var policyForm = []web.PolicyField{
	{Name: "distribution", Label: "pool.policy.distribution", Type: "select", Options: lead.Distributions, Help: "pool.help.distribution"},
	{Name: "auto_accept", Label: "pool.policy.auto_accept", Type: "checkbox"},
	{Name: "accept_timeout", Label: "pool.policy.accept_timeout", Type: "duration"},
	{Name: "first_contact_sla", Label: "pool.policy.first_contact_sla", Type: "duration", Help: "pool.help.first_contact_sla"},
	{Name: "escalate_after", Label: "pool.policy.escalate_after", Type: "duration", Help: "pool.help.escalate_after"},
	{Name: "reassign_after", Label: "pool.policy.reassign_after", Type: "duration", Help: "pool.help.reassign_after"},
	{Name: "no_follow_up_after", Label: "pool.policy.no_follow_up_after", Type: "duration"},
	{Name: "no_conversion_after", Label: "pool.policy.no_conversion_after", Type: "duration"},
	{Name: "reclaim_tiers", Label: "pool.policy.reclaim_tiers", Type: "json", Help: "pool.help.reclaim_tiers"},
	{Name: "remind_before", Label: "pool.policy.remind_before", Type: "duration", Help: "pool.help.remind_before"},
	{Name: "cooldown", Label: "pool.policy.cooldown", Type: "duration"},
	{Name: "claim_when", Label: "pool.policy.claim_when", Type: "expr", Help: "pool.help.claim_when"},
	{Name: "reclaim_exempt_when", Label: "pool.policy.reclaim_exempt_when", Type: "expr", Help: "pool.help.reclaim_exempt_when"},
	{Name: "calendar_id", Label: "calendars.policy_calendar", Type: "calendar", Help: "calendars.policy_calendar_help"},
	{Name: "remind_anytime", Label: "calendars.remind_anytime", Type: "checkbox"},
	{Name: "distribute_in_working_hours", Label: "calendars.distribute_in_working_hours", Type: "checkbox"},
	{Name: "mask_contacts", Label: "pool.policy.mask_contacts", Type: "checkbox"},
	{Name: "return_to", Label: "pool.policy.return_to", Type: "pools", Help: "pool.help.return_to"},
	{Name: "reclaim_to", Label: "pool.policy.reclaim_to", Type: "pool"},
	{Name: "max_held_per_rep", Label: "pool.policy.max_held_per_rep", Type: "int", Help: "pool.help.limit"},
	{Name: "daily_open_limit", Label: "pool.policy.daily_open_limit", Type: "int", Help: "pool.help.limit"},
	{Name: "message_counts_as_follow_up", Label: "inbox.message_counts_as_follow_up", Type: "checkbox"},
	{Name: "score_half_life", Label: "skills.score_half_life", Type: "half_life", Help: "skills.score_half_life_help"},
}

// poolDone are the notices (message ids) after a pool form succeeded.
var poolDone = map[string]string{"created": "pool.done.created", "policy": "pool.done.policy",
	"members": "pool.done.members", "details": "pool.done.details", "weights": "pool.done.weights", "admins": "pool.done.admins",
	"recipients": "pool.done.recipients", "owner": "pool.done.owner", "archived": "views.pool.archived", "restored": "views.pool.restored"}

// personLabel is a user for a select: their name and role, in the
// reader's language.
func personLabel(c *fiber.Ctx, u lead.User) string {
	return u.Name + " (" + tr(c, "role."+string(u.Role)) + ")"
}

// rawJSON is v as a raw JSON value of a pool or user change.
func rawJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // strings, bools and string slices always marshal
	}
	return b
}

func (s *Server) poolsPage(c *fiber.Ctx) error { return s.showPools(c, nil, nil) }

// showPools renders /pools: every pool for an admin, for a manager the
// pools lead.AuthorizePool lets them manage.
func (s *Server) showPools(c *fiber.Ctx, refusal error, form map[string]string) error {
	ctx, me := c.UserContext(), httpx.Caller(c)
	f := store.PoolFilter{Limit: 100, Cursor: c.Query("cursor"), Archived: c.Query("archived") == "true"}
	if me.Role != lead.RoleAdmin {
		f.VisibleTo = me.ID
	}
	pools, next, err := s.Service.Pools(ctx, me, f)
	if err != nil {
		return s.consoleRefusal(c, err)
	}
	people, teams, err := s.directory(c)
	if err != nil {
		return err
	}
	d := web.PoolsPage{CanCreate: service.Allowed(me, service.GateAdmin) == nil, Teams: teams, Distributions: lead.Distributions,
		Form: form, Errors: map[string]string{}, Archived: f.Archived}
	for _, p := range pools {
		if lead.AuthorizePool(lead.ActManagePool, me, lead.PoolAccessOf(me, p)) == nil {
			d.Pools = append(d.Pools, web.PoolRow{Pool: p, TeamName: choiceLabel(teams, p.TeamID), OwnerName: people[p.OwnerID].Name})
		}
	}
	for _, u := range people {
		if u.Role != lead.RoleRep {
			d.Staff = append(d.Staff, web.Choice{Value: u.ID, Label: personLabel(c, u)})
		}
	}
	slices.SortFunc(d.Staff, func(a, b web.Choice) int { return compareFold(a.Label, b.Label) })
	if next != "" {
		d.Next = "/pools?cursor=" + url.QueryEscape(next)
	}
	return showPage(c, "pools", "nav.pools", "pools", poolDone[c.Query("done")], &d, &d.Errors, refusal)
}

// createPoolForm creates a pool from the form of /pools (admins).
func (s *Server) createPoolForm(c *fiber.Ctx) error {
	form := formValues(c, "name", "scope", "country", "team_id", "distribution", "admin_id")
	b := service.PoolChange{Name: rawJSON(form["name"]), Scope: rawJSON(form["scope"]), Policy: rawJSON(map[string]string{"distribution": form["distribution"]})}
	if form["country"] != "" {
		b.Country = rawJSON(form["country"])
	}
	if form["team_id"] != "" {
		b.TeamID = rawJSON(form["team_id"])
	}
	if form["admin_id"] != "" {
		b.AdminIDs = rawJSON([]string{form["admin_id"]})
	}
	p, err := s.Service.CreatePool(c.UserContext(), httpx.Caller(c), b)
	if err != nil {
		if webProblem(err) == nil {
			return err
		}
		return s.showPools(c, err, form)
	}
	return c.Redirect("/pools/"+p.ID+"?done=created", fiber.StatusSeeOther)
}

func (s *Server) poolPage(c *fiber.Ctx) error {
	return s.showPool(c, poolDone[c.Query("done")], nil, nil)
}

// showPool renders a pool's page for a user who may manage it (ManagedPool,
// as PATCH /api/v1/pools/{id} decides): others get its 404 or 403. policy,
// when set, is the policy form as typed (after a refusal).
func (s *Server) showPool(c *fiber.Ctx, notice string, refusal error, policy map[string]string) error {
	ctx, me := c.UserContext(), httpx.Caller(c)
	pool, err := s.Service.ManagedPool(ctx, me, c.Params("id"))
	if err != nil {
		return s.consoleRefusal(c, err)
	}
	people, teams, err := s.directory(c)
	if err != nil {
		return err
	}
	d := web.PoolPage{Pool: pool, Teams: teams, TeamName: choiceLabel(teams, pool.TeamID), OwnerName: people[pool.OwnerID].Name,
		CanTransfer: service.OwnerErr(me, pool) == nil, CanDefine: lead.AuthorizePool(lead.ActDefinePool, me, lead.PoolAccessOf(me, pool)) == nil,
		Errors: map[string]string{}}
	if d.Recipients, err = s.Service.PoolRecipients(ctx, me, pool.ID); err != nil {
		return err
	}
	person := func(id string) web.Person {
		u, ok := people[id]
		if !ok {
			u.Name = id
		}
		return web.Person{ID: id, Name: u.Name, Email: u.Email, Role: u.Role, Owner: id == pool.OwnerID, Weight: pool.Weights[id]}
	}
	for _, id := range pool.MemberIDs {
		d.Members = append(d.Members, person(id))
	}
	for _, id := range pool.AdminIDs {
		d.Admins = append(d.Admins, person(id))
	}
	for _, u := range sortedPeople(people) {
		if !u.Active {
			continue
		}
		label := personLabel(c, u)
		if !slices.Contains(pool.MemberIDs, u.ID) {
			d.AddMembers = append(d.AddMembers, web.Choice{Value: u.ID, Label: label})
		}
		if u.Role != lead.RoleRep && !slices.Contains(pool.AdminIDs, u.ID) {
			d.AddAdmins = append(d.AddAdmins, web.Choice{Value: u.ID, Label: label})
		}
		if u.Role != lead.RoleRep && u.ID != pool.OwnerID {
			d.NewOwners = append(d.NewOwners, web.Choice{Value: u.ID, Label: label})
		}
	}
	if d.Policy, err = s.policyFields(c, pool.Policy, policy); err != nil {
		return err
	}
	return showPage(c, "pool", pool.Name, "pools", notice, &d, &d.Errors, refusal)
}

// policyFields fills the policy form from the pool's policy, or with what
// was typed, and says what each duration takes, in the reader's language.
func (s *Server) policyFields(c *fiber.Ctx, pol lead.Policy, typed map[string]string) ([]web.PolicyField, error) {
	cals, err := s.Service.Calendars(c.UserContext(), httpx.Caller(c))
	if err != nil {
		return nil, err
	}
	var calendars []web.Choice
	for _, cal := range cals {
		calendars = append(calendars, web.Choice{Value: cal.ID, Label: cal.Name})
	}
	ps, _, err := s.Service.Pools(c.UserContext(), httpx.Caller(c), store.PoolFilter{Limit: 200})
	if err != nil {
		return nil, err
	}
	pools := make([]web.Choice, len(ps))
	for i, p := range ps {
		pools[i] = web.Choice{Value: p.ID, Label: p.Name}
	}
	var current map[string]any
	_ = json.Unmarshal(rawJSON(pol), &current) // the JSON the API answers: "7d", true
	min := lead.Duration(s.MinPolicyDuration).String()
	out := make([]web.PolicyField, 0, len(policyForm))
	for _, f := range policyForm {
		switch v := current[f.Name].(type) {
		case string:
			f.Value = v
		case bool:
			f.Checked = v
		case float64:
			f.Value = strconv.Itoa(int(v))
		case []any:
			if f.Type == "json" {
				b, _ := json.MarshalIndent(v, "", "  ")
				f.Value = string(b)
				break
			}
			ids := make([]string, len(v))
			for i, x := range v {
				ids[i], _ = x.(string)
			}
			f.Value = strings.Join(ids, ",")
		}
		if typed != nil {
			f.Value, f.Checked = typed[f.Name], typed[f.Name] == "on"
		}
		help := ""
		if f.Help != "" {
			help = tr(c, f.Help)
		}
		if f.Type == "duration" {
			d := tr(c, "pool.help.duration", "Min", min)
			if help != "" {
				d += tr(c, "pool.help.sep") + help
			}
			help = d
		}
		f.Help = help
		switch f.Type {
		case "calendar":
			f.Choices = calendars
		case "pools", "pool":
			f.Choices = pools
		}
		out = append(out, f)
	}
	return out, nil
}

// policyFormSave saves the policy form as a patch of the pool's policy.
func (s *Server) policyFormSave(c *fiber.Ctx) error {
	typed := map[string]string{}
	policy := map[string]any{}
	for _, f := range policyForm {
		v := c.FormValue(f.Name)
		typed[f.Name] = v
		switch f.Type {
		case "checkbox":
			policy[f.Name] = v == "on"
		case "pools":
			ids := []string{}
			for _, b := range c.Request().PostArgs().PeekMulti(f.Name) {
				ids = append(ids, string(b))
			}
			typed[f.Name], policy[f.Name] = strings.Join(ids, ","), ids
		case "json":
			policy[f.Name] = v // not JSON: refused under its name
			if strings.TrimSpace(v) == "" {
				policy[f.Name] = []any{}
			} else if json.Valid([]byte(v)) {
				policy[f.Name] = json.RawMessage(v)
			}
		case "int":
			policy[f.Name] = v // a number the API refuses stays text, refused under its name
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil || strings.TrimSpace(v) == "" {
				policy[f.Name] = n
			}
		default:
			policy[f.Name] = v
		}
	}
	_, err := s.Service.UpdatePool(c.UserContext(), httpx.Caller(c), c.Params("id"), service.PoolChange{Policy: rawJSON(policy)})
	return s.poolFormDone(c, err, "policy", typed)
}

// poolPeopleForm adds a user to, or removes one from, the pool's members
// (field member_ids) or admins (admin_ids): a patch of that list, which
// the service refuses as the API does (admin_ids is for admins only).
func (s *Server) poolPeopleForm(field, done string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, me := c.UserContext(), httpx.Caller(c)
		pool, err := s.Service.ManagedPool(ctx, me, c.Params("id"))
		if err != nil {
			return s.poolFormDone(c, err, done, nil)
		}
		ids := slices.Clone(pool.MemberIDs)
		if field == "admin_ids" {
			ids = slices.Clone(pool.AdminIDs)
		}
		id := c.FormValue("user_id")
		if c.FormValue("op") == "remove" {
			ids = slices.DeleteFunc(ids, func(v string) bool { return v == id })
		} else {
			ids = append(ids, id)
		}
		b := service.PoolChange{MemberIDs: rawJSON(ids)}
		if field == "admin_ids" {
			b = service.PoolChange{AdminIDs: rawJSON(ids)}
		}
		_, err = s.Service.UpdatePool(ctx, me, pool.ID, b)
		return s.poolFormDone(c, err, done, nil)
	}
}

// poolDetailsForm renames the pool, and moves a country pool to another
// country or a team pool to another team (admins only: the service refuses
// a pool's own admins, naming the fields).
func (s *Server) poolDetailsForm(c *fiber.Ctx) error {
	b := service.PoolChange{Name: rawJSON(strings.TrimSpace(c.FormValue("name")))}
	switch lead.Scope(c.FormValue("scope")) {
	case lead.ScopeCountry:
		b.Country = rawJSON(strings.TrimSpace(c.FormValue("country")))
	case lead.ScopeTeam:
		b.TeamID = rawJSON(c.FormValue("team_id"))
	}
	_, err := s.Service.UpdatePool(c.UserContext(), httpx.Caller(c), c.Params("id"), b)
	return s.poolFormDone(c, err, "details", nil)
}

// poolWeightsForm sets the members' weights in weighted distribution
// (fields weight.<member id>); a weight that is no number is refused by
// the API's check.
func (s *Server) poolWeightsForm(c *fiber.Ctx) error {
	weights := map[string]json.RawMessage{}
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		if id, ok := strings.CutPrefix(string(k), "weight."); ok {
			if n, err := strconv.Atoi(strings.TrimSpace(string(v))); err == nil {
				weights[id] = rawJSON(n)
			} else {
				weights[id] = rawJSON(string(v))
			}
		}
	})
	_, err := s.Service.UpdatePool(c.UserContext(), httpx.Caller(c), c.Params("id"), service.PoolChange{Weights: rawJSON(weights)})
	return s.poolFormDone(c, err, "weights", nil)
}

// poolRecipientsForm sets the pool's new-lead recipients to the users checked.
func (s *Server) poolRecipientsForm(c *fiber.Ctx) error {
	_, err := s.Service.SetPoolRecipients(c.UserContext(), httpx.Caller(c), c.Params("id"), formList(c, "user_ids"))
	return s.poolFormDone(c, err, "recipients", nil)
}

// poolTransferForm hands the pool to another manager or admin, who
// becomes one of its admins; the former owner stays a member, and goes
// back to the pools page when they may not manage it any more.
func (s *Server) poolTransferForm(c *fiber.Ctx) error {
	ctx, me := c.UserContext(), httpx.Caller(c)
	if _, err := s.Service.TransferPool(ctx, me, c.Params("id"), c.FormValue("admin_id")); err != nil {
		return s.poolFormDone(c, err, "owner", nil)
	}
	if _, err := s.Service.ManagedPool(ctx, me, c.Params("id")); err != nil {
		return c.Redirect("/pools?done=owner", fiber.StatusSeeOther)
	}
	return s.poolFormDone(c, nil, "owner", nil)
}

// poolFormDone goes back to the pool's page: with a notice, or with the
// refusal next to its field (a failure goes to the error handler); a
// policy expression that does not compile is refused as the API does.
func (s *Server) poolFormDone(c *fiber.Ctx, err error, done string, typed map[string]string) error {
	if err == nil {
		return c.Redirect("/pools/"+url.PathEscape(c.Params("id"))+"?done="+done, fiber.StatusSeeOther)
	}
	err = compileProblemOf(err)
	if webProblem(err) == nil {
		return err
	}
	return s.showPool(c, "", err, typed)
}
