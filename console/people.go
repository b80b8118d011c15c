package console

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/chat"
	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/web"
)

// This file is the console's users and teams pages. Admins create users
// (their token shown once), rotate tokens and issue one-time sign-in
// links, create teams and set a team's new-lead recipients; managers read.
// The pages and forms call the service's methods as the API does:
// CreateUser, RotateToken, SignInLink, UpdateUser, CreateTeam,
// SetTeamRecipients.

var roleNames = []string{string(lead.RoleRep), string(lead.RoleManager), string(lead.RoleAdmin)}

func (s *Server) usersPage(c *fiber.Ctx) error { return s.showUsers(c, nil, nil, nil) }

// showUsers renders /users, with a secret made just now, or a refusal of
// the create form with what was typed.
func (s *Server) showUsers(c *fiber.Ctx, secret *web.Secret, refusal error, form map[string]string) error {
	users, next, err := s.Service.Users(c.UserContext(), httpx.Caller(c), 100, c.Query("cursor"))
	if err != nil {
		return s.consoleRefusal(c, err)
	}
	teams, err := s.teamChoices(c)
	if err != nil {
		return err
	}
	d := web.UsersPage{CanEdit: service.Allowed(httpx.Caller(c), service.GateAdmin) == nil, Teams: teams, Roles: roleNames, Secret: secret,
		Form: form, Errors: map[string]string{}}
	for _, u := range users {
		d.Users = append(d.Users, web.UserRow{User: u, TeamName: choiceLabel(teams, u.TeamID)})
	}
	if next != "" {
		d.Next = "/users?cursor=" + url.QueryEscape(next)
	}
	return showPage(c, "users", "nav.users", "users", "", &d, &d.Errors, refusal)
}

// userFormDone shows the users page with the secret, or with the refusal.
func (s *Server) userFormDone(c *fiber.Ctx, secret *web.Secret, err error, form map[string]string) error {
	if err != nil && webProblem(err) == nil {
		return err
	}
	return s.showUsers(c, secret, err, form)
}

// createUserForm creates a user with a role and a team, and shows their token once.
func (s *Server) createUserForm(c *fiber.Ctx) error {
	form := formValues(c, "name", "email", "role", "team_id")
	created, err := s.Service.CreateUser(c.UserContext(), httpx.Caller(c), service.UserInput{Name: form["name"], Email: form["email"], Role: lead.Role(form["role"]),
		TeamID: form["team_id"]})
	if err != nil {
		return s.userFormDone(c, nil, err, form)
	}
	return s.userFormDone(c, &web.Secret{Label: tr(c, "users.secret_token", "Name", created.Name), Value: created.Token}, nil, nil)
}

// tokenForm gives a user a new API token and shows it once.
func (s *Server) tokenForm(c *fiber.Ctx) error {
	out, err := s.Service.RotateToken(c.UserContext(), httpx.Caller(c), c.Params("id"), nil)
	if err != nil {
		return s.userFormDone(c, nil, err, nil)
	}
	return s.userFormDone(c, &web.Secret{Label: tr(c, "users.secret_new_token", "Name", out.Name), Value: out.Token}, nil, nil)
}

// signInLinkForm issues a one-time sign-in link and shows it once.
func (s *Server) signInLinkForm(c *fiber.Ctx) error {
	link, expires, err := s.Service.SignInLink(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return s.userFormDone(c, nil, err, nil)
	}
	u, err := s.Service.User(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return err
	}
	label := tr(c, "users.secret_link", "Name", u.Name, "Until", localeOf(c).When(expires))
	return s.userFormDone(c, &web.Secret{Label: label, Value: link}, nil, nil)
}

func (s *Server) userPage(c *fiber.Ctx) error { return s.showUser(c, nil, nil) }

// showUser renders a user's form (admins): name, role, team, limits and
// the active and away flags, as typed after a refusal.
func (s *Server) showUser(c *fiber.Ctx, refusal error, form map[string]string) error {
	u, err := s.Service.User(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return s.consoleRefusal(c, err)
	}
	teams, err := s.teamChoices(c)
	if err != nil {
		return err
	}
	if form == nil {
		form = map[string]string{"name": u.Name, "role": string(u.Role), "team_id": u.TeamID,
			"capacity": strconv.Itoa(u.Capacity), "daily_claim_limit": strconv.Itoa(u.DailyClaimLimit),
			"skills": strings.Join(u.Skills, ", "), "languages": strings.Join(u.Languages, ", "), "regions": strings.Join(u.Regions, ", ")}
		for k, on := range map[string]bool{"active": u.Active, "away": u.Away} {
			if on {
				form[k] = "on"
			}
		}
	}
	d := web.UsersPage{Users: []web.UserRow{{User: u, TeamName: choiceLabel(teams, u.TeamID)}}, CanEdit: true, Teams: teams,
		Roles: roleNames, Form: form, Errors: map[string]string{}}
	return showPage(c, "user", u.Name, "users", map[string]string{"saved": "pool.done.details"}[c.Query("done")], &d, &d.Errors, refusal)
}

// saveUserForm patches the user with the form (service.UpdateUser, as
// PATCH /api/v1/users/{id}); a number that is not one is refused by the API's check.
func (s *Server) saveUserForm(c *fiber.Ctx) error {
	form := formValues(c, "name", "role", "team_id", "capacity", "daily_claim_limit", "active", "away", "skills", "languages", "regions")
	number := func(v string) json.RawMessage {
		if n, err := strconv.Atoi(v); err == nil {
			return rawJSON(n)
		}
		return rawJSON(v)
	}
	b := service.UserChange{Name: rawJSON(form["name"]), Role: rawJSON(form["role"]), TeamID: json.RawMessage("null"),
		Capacity: number(form["capacity"]), DailyClaimLimit: number(form["daily_claim_limit"]),
		Active: rawJSON(form["active"] == "on"), Away: rawJSON(form["away"] == "on"),
		Skills: rawJSON(splitTags(form["skills"])), Languages: rawJSON(splitTags(form["languages"])), Regions: rawJSON(splitTags(form["regions"]))}
	if form["team_id"] != "" {
		b.TeamID = rawJSON(form["team_id"])
	}
	if _, err := s.Service.UpdateUser(c.UserContext(), httpx.Caller(c), c.Params("id"), b); err != nil {
		if webProblem(err) == nil {
			return err
		}
		return s.showUser(c, err, form)
	}
	return c.Redirect("/users/"+url.PathEscape(c.Params("id"))+"?done=saved", fiber.StatusSeeOther)
}

func (s *Server) teamsPage(c *fiber.Ctx) error { return s.showTeams(c, nil, nil) }

// showTeams renders /teams, with a refusal of the create form.
func (s *Server) showTeams(c *fiber.Ctx, refusal error, form map[string]string) error {
	teams, next, err := s.Service.Teams(c.UserContext(), httpx.Caller(c), 100, c.Query("cursor"))
	if err != nil {
		return s.consoleRefusal(c, err)
	}
	d := web.TeamsPage{Teams: teams, CanEdit: service.Allowed(httpx.Caller(c), service.GateAdmin) == nil, Form: form, Errors: map[string]string{}}
	if next != "" {
		d.Next = "/teams?cursor=" + url.QueryEscape(next)
	}
	return showPage(c, "teams", "nav.teams", "teams", map[string]string{"created": "teams.created"}[c.Query("done")], &d, &d.Errors, refusal)
}

func (s *Server) createTeamForm(c *fiber.Ctx) error {
	form := formValues(c, "name")
	if _, err := s.Service.CreateTeam(c.UserContext(), httpx.Caller(c), form["name"]); err != nil {
		if webProblem(err) == nil {
			return err
		}
		return s.showTeams(c, err, form)
	}
	return c.Redirect("/teams?done=created", fiber.StatusSeeOther)
}

func (s *Server) teamPage(c *fiber.Ctx) error { return s.showTeam(c, nil) }

func (s *Server) showTeam(c *fiber.Ctx, refusal error) error {
	return s.showTeamWith(c, c.Params("id"), refusal)
}

// showTeamWith renders team id: its new-lead recipients (the members of
// the team), which admins may change, and its chat-app targets, which
// admins and the team's manager may change.
func (s *Server) showTeamWith(c *fiber.Ctx, id string, refusal error) error {
	me := httpx.Caller(c)
	t, err := s.Service.Team(c.UserContext(), me, id)
	if err != nil {
		return s.consoleRefusal(c, err)
	}
	d := web.TeamPage{Team: t, CanEdit: service.Allowed(me, service.GateAdmin) == nil, Errors: map[string]string{}}
	if d.Recipients, err = s.Service.TeamRecipients(c.UserContext(), me, t.ID); err != nil {
		return err
	}
	d.Chat = web.ChatSection{Kinds: chat.Kinds, Action: teamPath(t.ID) + "/chat-targets", From: "team", CSRF: consolePage(c, "", "").CSRF}
	if d.Chat.Targets, d.Chat.CanEdit, err = s.Service.TeamChatTargets(c.UserContext(), me, t.ID); err != nil {
		return err
	}
	if d.Registration, err = s.teamRegistration(c, t.ID); err != nil {
		return err
	}
	cals, err := s.Service.Calendars(c.UserContext(), me)
	if err != nil {
		return err
	}
	for _, cal := range cals {
		d.Calendars = append(d.Calendars, web.Choice{Value: cal.ID, Label: cal.Name})
	}
	done := map[string]string{"recipients": "pool.done.recipients", "chat": "chat.added", "chat-deleted": "chat.deleted",
		"registration": "registration.team_saved", "calendar": "calendars.team_saved"}[c.Query("done")]
	return showPage(c, "team", t.Name, "teams", done, &d, &d.Errors, refusal)
}

// teamCalendarForm sets the team's calendar, as PATCH /api/v1/teams/{id}
// with calendar_id does.
func (s *Server) teamCalendarForm(c *fiber.Ctx) error {
	id := c.FormValue("calendar_id")
	if _, err := s.Service.UpdateTeam(c.UserContext(), httpx.Caller(c), c.Params("id"), service.TeamChange{CalendarID: &id}); err != nil {
		if webProblem(err) == nil {
			return err
		}
		return s.showTeam(c, err)
	}
	return c.Redirect(teamPath(c.Params("id"))+"?done=calendar", fiber.StatusSeeOther)
}

func (s *Server) teamRecipientsForm(c *fiber.Ctx) error {
	if _, err := s.Service.SetTeamRecipients(c.UserContext(), httpx.Caller(c), c.Params("id"), formList(c, "user_ids")); err != nil {
		if webProblem(err) == nil {
			return err
		}
		return s.showTeam(c, err)
	}
	return c.Redirect("/teams/"+url.PathEscape(c.Params("id"))+"?done=recipients", fiber.StatusSeeOther)
}
