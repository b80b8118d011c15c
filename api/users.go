package api

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/leadflow/leadflow/lead"
)

// userInput is the body of POST /users. Pointers tell "absent" from zero.
type userInput struct {
	Name            string    `json:"name"`
	Email           string    `json:"email"`
	Role            lead.Role `json:"role"`
	TeamID          string    `json:"team_id"`
	Capacity        *int      `json:"capacity"`
	DailyClaimLimit *int      `json:"daily_claim_limit"`
	Active          *bool     `json:"active"`
}

// userWithToken is a user with its API token, shown once at creation.
type userWithToken struct {
	lead.User
	Token string `json:"token"`
}

func (s *Server) createUser(c *fiber.Ctx) error {
	var in userInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	created, err := s.addUser(c.UserContext(), in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/users/" + created.ID)
	return c.Status(fiber.StatusCreated).JSON(created)
}

// addUser creates a user with a new API token (POST /users, the console's
// form); the token is in the answer only.
func (s *Server) addUser(ctx context.Context, in userInput) (userWithToken, error) {
	u := lead.User{ID: uuid.Must(uuid.NewV7()).String(), Name: in.Name, Email: in.Email, Role: in.Role, TeamID: in.TeamID,
		Capacity: lead.DefaultCapacity, DailyClaimLimit: lead.DefaultDailyClaimLimit, Active: true}
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
		return userWithToken{}, err
	}
	if u.TeamID != "" {
		if _, err := uuid.Parse(u.TeamID); err != nil {
			return userWithToken{}, lead.Invalid(lead.FieldError{Field: "team_id", Reason: "is not an id"})
		}
	}
	token, hash := NewToken()
	created, err := s.db.CreateUser(ctx, u, hash)
	if err != nil {
		return userWithToken{}, err
	}
	return userWithToken{User: created, Token: token}, nil
}

func (s *Server) listUsers(c *fiber.Ctx) error {
	limit, err := pageLimit(c)
	if err != nil {
		return err
	}
	users, next, err := s.db.Users(c.UserContext(), limit, c.Query("cursor"))
	if err != nil {
		return err
	}
	return c.JSON(page(users, next))
}

func (s *Server) getUser(c *fiber.Ctx) error {
	me := caller(c)
	if !isStaff(me) && c.Params("id") != me.ID {
		return lead.Errorf(lead.CodeForbidden, "reps may only read their own user")
	}
	u, err := s.db.User(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(u)
}

// tokenInput is the optional body of a token rotation.
type tokenInput struct {
	// ExpiresIn makes the new token stop working after that long ("90d").
	ExpiresIn *lead.Duration `json:"expires_in"`
}

// rotateToken gives a user a new API token (an admin for anyone), shown once.
func (s *Server) rotateToken(c *fiber.Ctx) error { return s.newToken(c, c.Params("id")) }

// rotateMyToken gives the caller a new API token; the old one stops working.
func (s *Server) rotateMyToken(c *fiber.Ctx) error { return s.newToken(c, caller(c).ID) }

func (s *Server) newToken(c *fiber.Ctx, userID string) error {
	var in tokenInput
	if err := actionBody(c, &in); err != nil {
		return err
	}
	out, err := s.issueToken(c.UserContext(), userID, in.ExpiresIn)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// issueToken gives a user a new API token, expiring after expiresIn when
// set; the old token stops working (the API's rotations, the console's).
func (s *Server) issueToken(ctx context.Context, userID string, expiresIn *lead.Duration) (userWithToken, error) {
	var expires *time.Time
	if expiresIn != nil {
		if *expiresIn <= 0 {
			return userWithToken{}, lead.Invalid(lead.FieldError{Field: "expires_in", Reason: "must be a positive duration such as 90d"})
		}
		t := time.Now().Add(time.Duration(*expiresIn))
		expires = &t
	}
	token, hash := NewToken()
	if err := s.db.SetUserToken(ctx, userID, hash, expires); err != nil {
		return userWithToken{}, err
	}
	u, err := s.db.User(ctx, userID)
	if err != nil {
		return userWithToken{}, err
	}
	return userWithToken{User: u, Token: token}, nil
}

func (s *Server) me(c *fiber.Ctx) error { return c.JSON(caller(c)) }
