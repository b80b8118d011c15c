package api

import (
	"context"
	"encoding/json"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// teamInput is the body of POST /teams.
type teamInput struct {
	Name string `json:"name"`
}

func (s *Server) createTeam(c *fiber.Ctx) error {
	var in teamInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	created, err := s.addTeam(c.UserContext(), in.Name)
	if err != nil {
		return err
	}
	c.Location("/api/v1/teams/" + created.ID)
	return c.Status(fiber.StatusCreated).JSON(created)
}

// addTeam creates a team (POST /teams, the console's form).
func (s *Server) addTeam(ctx context.Context, name string) (lead.Team, error) {
	t := lead.Team{ID: uuid.Must(uuid.NewV7()).String(), Name: name}
	if err := t.Clean(); err != nil {
		return t, err
	}
	return s.db.CreateTeam(ctx, t)
}

func (s *Server) listTeams(c *fiber.Ctx) error {
	limit, err := pageLimit(c)
	if err != nil {
		return err
	}
	teams, next, err := s.db.Teams(c.UserContext(), limit, c.Query("cursor"))
	if err != nil {
		return err
	}
	return c.JSON(page(teams, next))
}

// userPatchBody is the body of PATCH /users/{id}, a JSON merge patch.
type userPatchBody struct {
	Name            json.RawMessage `json:"name"`
	Role            json.RawMessage `json:"role"`
	TeamID          json.RawMessage `json:"team_id"`
	Capacity        json.RawMessage `json:"capacity"`
	DailyClaimLimit json.RawMessage `json:"daily_claim_limit"`
	Active          json.RawMessage `json:"active"`
	Away            json.RawMessage `json:"away"`
}

// patchUser changes a user. Admins may change any field of anyone; every
// user may set their own away flag, and nothing else.
func (s *Server) patchUser(c *fiber.Ctx) error {
	if err := otherUserErr(caller(c), c.Params("id")); err != nil {
		return err
	}
	var b userPatchBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	u, err := s.changeUser(c.UserContext(), caller(c), c.Params("id"), b)
	if err != nil {
		return err
	}
	return c.JSON(u)
}

// otherUserErr refuses me a change of user id unless me is an admin or id.
func otherUserErr(me lead.User, id string) error {
	if me.Role != lead.RoleAdmin && id != me.ID {
		return lead.Errorf(lead.CodeForbidden, "only admins may change other users")
	}
	return nil
}

// changeUser applies a user patch body for me (PATCH /users/{id}, the
// console's user form): admins any field of anyone, others their own away
// flag only.
func (s *Server) changeUser(ctx context.Context, me lead.User, id string, b userPatchBody) (lead.User, error) {
	if err := otherUserErr(me, id); err != nil {
		return lead.User{}, err
	}
	if me.Role != lead.RoleAdmin {
		for _, f := range []struct {
			name string
			raw  json.RawMessage
		}{{"name", b.Name}, {"role", b.Role}, {"team_id", b.TeamID}, {"capacity", b.Capacity},
			{"daily_claim_limit", b.DailyClaimLimit}, {"active", b.Active}} {
			if f.raw != nil {
				return lead.User{}, lead.Errorf(lead.CodeForbidden, "you may change only your own away flag, not %s", f.name)
			}
		}
	}
	var f lead.Fields
	p := store.UserPatch{
		Name:            field[string](&f, "name", b.Name, false, wantString),
		Role:            field[lead.Role](&f, "role", b.Role, false, wantString),
		TeamID:          field[string](&f, "team_id", b.TeamID, true, wantString),
		Capacity:        field[int](&f, "capacity", b.Capacity, false, wantInt),
		DailyClaimLimit: field[int](&f, "daily_claim_limit", b.DailyClaimLimit, false, wantInt),
		Active:          field[bool](&f, "active", b.Active, false, wantBool),
		Away:            field[bool](&f, "away", b.Away, false, wantBool),
	}
	if err := f.Err(); err != nil {
		return lead.User{}, err
	}
	return s.db.UpdateUser(ctx, id, p)
}
