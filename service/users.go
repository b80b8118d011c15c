package service

import (
	"context"
	"encoding/json"

	"github.com/google/uuid"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// The user and team operations: admins create and change users and teams
// and set a team's new-lead recipients; admins and managers list users and
// read teams; everyone reads themselves, sets their own away flag and
// rotates their own token (tokens.go).

// UserInput is a new user. Pointers tell "absent" from zero.
type UserInput struct {
	Name            string    `json:"name"`
	Email           string    `json:"email"`
	Role            lead.Role `json:"role"`
	TeamID          string    `json:"team_id"`
	Capacity        *int      `json:"capacity"`
	DailyClaimLimit *int      `json:"daily_claim_limit"`
	Active          *bool     `json:"active"`
	Language        string    `json:"language"`  // en or zh-CN; empty: the browser's
	TimeZone        string    `json:"time_zone"` // an IANA zone; empty: the team's, then the server's
	// Expertise: the rep's skills, languages and regions (lead.Expertise).
	lead.Expertise
}

// CreateUser creates a user with a new API token (admins); the token is in
// the answer only.
func (s *Service) CreateUser(ctx context.Context, me lead.User, in UserInput) (UserWithToken, error) {
	if err := Allowed(me, GateAdmin); err != nil {
		return UserWithToken{}, err
	}
	u := lead.User{ID: uuid.Must(uuid.NewV7()).String(), Name: in.Name, Email: in.Email, Role: in.Role, TeamID: in.TeamID,
		Capacity: lead.DefaultCapacity, DailyClaimLimit: lead.DefaultDailyClaimLimit, Active: true, Language: in.Language, TimeZone: in.TimeZone,
		Expertise: in.Expertise}
	if in.Capacity != nil {
		u.Capacity = *in.Capacity
	}
	if in.DailyClaimLimit != nil {
		u.DailyClaimLimit = *in.DailyClaimLimit
	}
	if in.Active != nil {
		u.Active = *in.Active
	}
	if err := u.Clean(); err != nil {
		return UserWithToken{}, err
	}
	if u.TeamID != "" {
		if _, err := uuid.Parse(u.TeamID); err != nil {
			return UserWithToken{}, lead.Invalid(lead.FieldError{Field: "team_id", Reason: "is not an id"})
		}
	}
	token, hash := NewToken()
	created, err := s.db.CreateUser(ctx, u, hash)
	if err != nil {
		return UserWithToken{}, err
	}
	return UserWithToken{User: created, Token: token}, nil
}

// Users lists users, a page of limit after cursor (admins and managers).
func (s *Service) Users(ctx context.Context, me lead.User, limit int, cursor string) ([]lead.User, string, error) {
	if err := Allowed(me, GateStaff); err != nil {
		return nil, "", err
	}
	return s.db.Users(ctx, limit, cursor)
}

// User is user id: admins and managers read anyone, reps themselves.
func (s *Service) User(ctx context.Context, me lead.User, id string) (lead.User, error) {
	if Allowed(me, GateStaff) != nil && id != me.ID {
		return lead.User{}, lead.Errorf(lead.CodeForbidden, "reps may only read their own user")
	}
	return s.db.User(ctx, id)
}

// OtherUserErr refuses me a change of user id unless me is an admin or id.
func OtherUserErr(me lead.User, id string) error {
	if Allowed(me, GateAdmin) != nil && id != me.ID {
		return lead.Errorf(lead.CodeForbidden, "only admins may change other users")
	}
	return nil
}

// UpdateUser applies b as a merge patch of user id for me: admins any
// field of anyone, others their own away flag only.
func (s *Service) UpdateUser(ctx context.Context, me lead.User, id string, b UserChange) (lead.User, error) {
	if err := OtherUserErr(me, id); err != nil {
		return lead.User{}, err
	}
	if Allowed(me, GateAdmin) != nil {
		if names := b.adminFields(); len(names) > 0 {
			return lead.User{}, lead.Errorf(lead.CodeForbidden, "you may change only your own away flag, not %s", names[0])
		}
	}
	p, err := b.Patch()
	if err != nil {
		return lead.User{}, err
	}
	return s.db.UpdateUser(ctx, id, p)
}

// MeChange is the body of PATCH /me: the caller's own settings, each
// absent one unchanged, null or "" the default.
type MeChange struct {
	Language json.RawMessage `json:"language"`
	TimeZone json.RawMessage `json:"time_zone"`
}

// UpdateMe changes me's own language and time zone.
func (s *Service) UpdateMe(ctx context.Context, me lead.User, in MeChange) (lead.User, error) {
	return s.UpdateUser(ctx, me, me.ID, UserChange{Language: in.Language, TimeZone: in.TimeZone})
}

// TeamInput is a new team: its name and time zone (an IANA name; empty:
// the server's).
type TeamInput struct {
	Name     string `json:"name"`
	TimeZone string `json:"time_zone"`
}

// NewTeam creates a team (admins).
func (s *Service) NewTeam(ctx context.Context, me lead.User, in TeamInput) (lead.Team, error) {
	if err := Allowed(me, GateAdmin); err != nil {
		return lead.Team{}, err
	}
	t := lead.Team{ID: uuid.Must(uuid.NewV7()).String(), Name: in.Name, TimeZone: in.TimeZone}
	if err := t.Clean(); err != nil {
		return t, err
	}
	return s.db.CreateTeam(ctx, t)
}

// CreateTeam creates the team name (admins): the console's form.
func (s *Service) CreateTeam(ctx context.Context, me lead.User, name string) (lead.Team, error) {
	return s.NewTeam(ctx, me, TeamInput{Name: name})
}

// TeamChange is the body of PATCH /teams/{id}: absent fields stay.
type TeamChange struct {
	Name     *string `json:"name"`
	TimeZone *string `json:"time_zone"`
	// RegistrationRules: "supplier" or "own" (seed 003); the team's
	// manager may change this field of their team.
	RegistrationRules *string `json:"registration_rules"`
	// CalendarID is the calendar of the team's pools that name none ("" for the default).
	CalendarID *string `json:"calendar_id"`
}

// UpdateTeam changes team id (admins; a team's manager its registration_rules only).
func (s *Service) UpdateTeam(ctx context.Context, me lead.User, id string, in TeamChange) (lead.Team, error) {
	ownChoice := in.Name == nil && in.TimeZone == nil && in.CalendarID == nil && in.RegistrationRules != nil && me.Role == lead.RoleManager && me.TeamID == id
	if err := Allowed(me, GateAdmin); err != nil && !ownChoice {
		return lead.Team{}, err
	}
	if c := in.CalendarID; c != nil && *c != "" {
		if _, err := s.db.Calendar(ctx, *c); lead.ErrorCode(err) == lead.CodeNotFound {
			return lead.Team{}, lead.Invalid(lead.FieldError{Field: "calendar_id", Reason: "is not a calendar"})
		} else if err != nil {
			return lead.Team{}, err
		}
	}
	before, err := s.db.Team(ctx, id)
	if err != nil {
		return before, err
	}
	t, err := s.db.UpdateTeam(ctx, id, store.TeamPatch{Name: in.Name, TimeZone: in.TimeZone, RegistrationRules: in.RegistrationRules, CalendarID: in.CalendarID})
	if err != nil || t.CalendarID == before.CalendarID {
		return t, err
	}
	// The team's pools that count working time on its calendar re-arm their leads.
	return t, s.rearmTeamPools(ctx, t.ID)
}

// Teams lists teams, a page of limit after cursor (everyone signed in).
func (s *Service) Teams(ctx context.Context, me lead.User, limit int, cursor string) ([]lead.Team, string, error) {
	if err := Allowed(me, GateEveryone); err != nil {
		return nil, "", err
	}
	return s.db.Teams(ctx, limit, cursor)
}

// Team is team id (admins and managers).
func (s *Service) Team(ctx context.Context, me lead.User, id string) (lead.Team, error) {
	if err := Allowed(me, GateStaff); err != nil {
		return lead.Team{}, err
	}
	return s.db.Team(ctx, id)
}

// TeamRecipients are the members of team id with their new-lead e-mail
// flag (admins and managers).
func (s *Service) TeamRecipients(ctx context.Context, me lead.User, id string) ([]lead.Recipient, error) {
	if err := Allowed(me, GateStaff); err != nil {
		return nil, err
	}
	return s.db.TeamRecipients(ctx, id)
}

// SetTeamRecipients makes ids the new-lead recipients of team id (admins).
func (s *Service) SetTeamRecipients(ctx context.Context, me lead.User, id string, ids []string) ([]lead.Recipient, error) {
	if err := Allowed(me, GateAdmin); err != nil {
		return nil, err
	}
	return s.db.SetTeamRecipients(ctx, id, ids)
}
