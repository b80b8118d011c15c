package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/rules"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/workflows"
)

// routePools registers teams, pools and the user patch.
func (s *Server) routePools(v1 fiber.Router) {
	admin := s.requireRole(lead.RoleAdmin)
	staff := s.requireRole(lead.RoleAdmin, lead.RoleManager)
	v1.Post("/teams", admin, s.createTeam)
	v1.Get("/teams", s.listTeams)
	v1.Patch("/users/:id", s.patchUser)
	v1.Post("/pools", admin, s.createPool)
	v1.Get("/pools", s.listPools)
	v1.Get("/pools/:id", s.getPool)
	v1.Patch("/pools/:id", staff, s.patchPool)
	v1.Post("/pools/:id/transfer-ownership", staff, s.transferPool)
}

// poolBody is the body of POST /pools and PATCH /pools/{id}. Every field is
// kept raw so that a patch tells an absent field (unchanged) from null
// (cleared), and so that each bad value is reported under its own name.
type poolBody struct {
	Name      json.RawMessage `json:"name"`
	Scope     json.RawMessage `json:"scope"`
	Country   json.RawMessage `json:"country"`
	TeamID    json.RawMessage `json:"team_id"`
	OwnerID   json.RawMessage `json:"owner_id"`
	AdminIDs  json.RawMessage `json:"admin_ids"`
	MemberIDs json.RawMessage `json:"member_ids"`
	Weights   json.RawMessage `json:"weights"`
	Policy    json.RawMessage `json:"policy"`
}

// policyBody is the policy object of a pool body; its fields are patched one by one.
type policyBody struct {
	Distribution      json.RawMessage `json:"distribution"`
	AutoAccept        json.RawMessage `json:"auto_accept"`
	AcceptTimeout     json.RawMessage `json:"accept_timeout"`
	FirstContactSLA   json.RawMessage `json:"first_contact_sla"`
	NoFollowUpAfter   json.RawMessage `json:"no_follow_up_after"`
	NoConversionAfter json.RawMessage `json:"no_conversion_after"`
	RemindBefore      json.RawMessage `json:"remind_before"`
	Cooldown          json.RawMessage `json:"cooldown"`
	ClaimWhen         json.RawMessage `json:"claim_when"`
	ReclaimExemptWhen json.RawMessage `json:"reclaim_exempt_when"`
}

const (
	wantString   = "a string"
	wantBool     = "true or false"
	wantIDs      = "an array of user ids"
	wantDuration = `a duration such as "90s", "36h" or "7d"`
	wantInt      = "a whole number"
)

// field decodes one raw member of a merge patch: nil when absent, a pointer
// to the zero value for null when nullable, else a pointer to the value.
// A bad value is added to f under name.
func field[T any](f *lead.Fields, name string, raw json.RawMessage, nullable bool, want string) *T {
	if raw == nil {
		return nil
	}
	v := new(T)
	if string(bytes.TrimSpace(raw)) == "null" {
		if !nullable {
			f.Add(name, "must not be null")
			return nil
		}
		return v
	}
	if err := json.Unmarshal(raw, v); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) {
			f.Add(name, "must be "+want)
		} else {
			f.Add(name, err.Error())
		}
		return nil
	}
	return v
}

// parsePool turns a pool body into a patch and the owner_id it names.
func parsePool(b poolBody) (lead.PoolPatch, *string, error) {
	var f lead.Fields
	pp := lead.PoolPatch{
		Name:      field[string](&f, "name", b.Name, false, wantString),
		Scope:     field[lead.Scope](&f, "scope", b.Scope, false, wantString),
		Country:   field[string](&f, "country", b.Country, true, wantString),
		TeamID:    field[string](&f, "team_id", b.TeamID, true, wantString),
		AdminIDs:  field[[]string](&f, "admin_ids", b.AdminIDs, true, wantIDs),
		MemberIDs: field[[]string](&f, "member_ids", b.MemberIDs, true, wantIDs),
	}
	owner := field[string](&f, "owner_id", b.OwnerID, false, wantString)
	if raw := field[map[string]json.RawMessage](&f, "weights", b.Weights, false, "an object of member id to weight"); raw != nil {
		pp.Weights = lead.Weights{}
		for id, w := range *raw {
			if v := field[int](&f, "weights", w, true, wantInt); v != nil {
				if string(bytes.TrimSpace(w)) == "null" {
					*v = lead.DefaultWeight // null: back to the default weight
				}
				pp.Weights[id] = *v
			}
		}
	}
	if b.Policy != nil {
		var pb policyBody
		dec := json.NewDecoder(bytes.NewReader(b.Policy))
		dec.DisallowUnknownFields()
		err := dec.Decode(&pb)
		var typ *json.UnmarshalTypeError
		switch {
		case string(bytes.TrimSpace(b.Policy)) == "null":
			f.Add("policy", "must not be null")
		case err != nil && strings.HasPrefix(err.Error(), "json: unknown field "):
			f.Add("policy."+strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "is not a known field")
		case errors.As(err, &typ) && typ.Field == "":
			f.Add("policy", "must be an object")
		case err != nil:
			f.Add("policy", err.Error())
		default:
			pp.Policy = lead.PolicyPatch{
				Distribution:      field[string](&f, "policy.distribution", pb.Distribution, true, wantString),
				AutoAccept:        field[bool](&f, "policy.auto_accept", pb.AutoAccept, true, wantBool),
				AcceptTimeout:     field[lead.Duration](&f, "policy.accept_timeout", pb.AcceptTimeout, true, wantDuration),
				FirstContactSLA:   field[lead.Duration](&f, "policy.first_contact_sla", pb.FirstContactSLA, true, wantDuration),
				NoFollowUpAfter:   field[lead.Duration](&f, "policy.no_follow_up_after", pb.NoFollowUpAfter, true, wantDuration),
				NoConversionAfter: field[lead.Duration](&f, "policy.no_conversion_after", pb.NoConversionAfter, true, wantDuration),
				RemindBefore:      field[lead.Duration](&f, "policy.remind_before", pb.RemindBefore, true, wantDuration),
				Cooldown:          field[lead.Duration](&f, "policy.cooldown", pb.Cooldown, true, wantDuration),
				ClaimWhen:         field[string](&f, "policy.claim_when", pb.ClaimWhen, true, wantString),
				ReclaimExemptWhen: field[string](&f, "policy.reclaim_exempt_when", pb.ReclaimExemptWhen, true, wantString),
			}
		}
	}
	return pp, owner, f.Err()
}

// compilePolicy compiles the policy expressions a patch sets; a refusal is
// the 422 of a rule set that does not compile, naming policy.claim_when or
// policy.reclaim_exempt_when with line and column.
func compilePolicy(pp lead.PolicyPatch) error {
	var all rules.CompileErrors
	for _, e := range []struct {
		field string
		src   *string
	}{{"policy.claim_when", pp.ClaimWhen}, {"policy.reclaim_exempt_when", pp.ReclaimExemptWhen}} {
		if e.src == nil || strings.TrimSpace(*e.src) == "" {
			continue
		}
		_, err := rules.CompileExpr(*e.src)
		var ce rules.CompileErrors
		if errors.As(err, &ce) {
			for _, c := range ce {
				c.Field = e.field
				all = append(all, c)
			}
		} else if err != nil {
			return err
		}
	}
	if len(all) > 0 {
		return compileProblem(all)
	}
	return nil
}

// checkPolicy checks the policy a patch sets: its timers no shorter than
// the configured minimum, its expressions compiled.
func (s *Server) checkPolicy(pp lead.PoolPatch) error {
	if err := pp.Policy.CheckMinimum(lead.Duration(s.cfg.MinPolicyDuration)); err != nil {
		return err
	}
	return compilePolicy(pp.Policy)
}

func (s *Server) createPool(c *fiber.Ctx) error {
	var b poolBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	created, err := s.newPool(c.UserContext(), b)
	if err != nil {
		return err
	}
	c.Location("/api/v1/pools/" + created.ID)
	return c.Status(fiber.StatusCreated).JSON(created)
}

// newPool creates the pool a body describes (POST /pools, the console's form).
func (s *Server) newPool(ctx context.Context, b poolBody) (lead.Pool, error) {
	pp, owner, err := parsePool(b)
	if err != nil {
		return lead.Pool{}, err
	}
	if err := s.checkPolicy(pp); err != nil {
		return lead.Pool{}, err
	}
	p := lead.Pool{ID: uuid.Must(uuid.NewV7()).String()}
	pp.Apply(&p)
	if owner != nil {
		p.OwnerID = *owner
	}
	return s.db.CreatePool(ctx, p)
}

// poolVisible is the rule of who may see a pool: admins and managers see
// every pool; a rep sees the pools they may claim from (lead.PoolAccessOf).
// store.PoolFilter.VisibleTo is its SQL twin.
func poolVisible(me lead.User, p lead.Pool) bool {
	pa := lead.PoolAccessOf(me, p)
	return isStaff(me) || pa.Member || pa.Admin
}

// listPools lists pools oldest first, optionally of one ?scope=; reps get
// the pools poolVisible lets them see.
func (s *Server) listPools(c *fiber.Ctx) error {
	limit, err := pageLimit(c)
	if err != nil {
		return err
	}
	me := caller(c)
	f := store.PoolFilter{Scope: lead.Scope(c.Query("scope")), Limit: limit, Cursor: c.Query("cursor")}
	if !isStaff(me) {
		f.VisibleTo = me.ID
	}
	pools, next, err := s.db.Pools(c.UserContext(), f)
	if err != nil {
		return err
	}
	return c.JSON(page(pools, next))
}

func (s *Server) getPool(c *fiber.Ctx) error {
	p, err := s.db.Pool(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if !poolVisible(caller(c), p) {
		return lead.Errorf(lead.CodeForbidden, "reps may only read the global and country pools and the pools they belong to")
	}
	return c.JSON(p)
}

// managedPool returns the pool id when me may manage it: admins any pool,
// managers the pools they administer.
func (s *Server) managedPool(ctx context.Context, me lead.User, id string) (lead.Pool, error) {
	p, err := s.db.Pool(ctx, id)
	if err != nil {
		return p, err
	}
	return p, lead.AuthorizePool(lead.ActManagePool, me, lead.PoolAccessOf(me, p))
}

// patchPool applies a JSON merge patch: absent fields stay, null clears,
// policy fields are patched one by one. Admins may patch any field of any
// pool; managers the policy, members and weights of the pools they
// administer (lead.AuthorizePoolPatch).
func (s *Server) patchPool(c *fiber.Ctx) error {
	if _, err := s.managedPool(c.UserContext(), caller(c), c.Params("id")); err != nil {
		return err
	}
	var b poolBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	updated, err := s.changePool(c.UserContext(), caller(c), c.Params("id"), b)
	if err != nil {
		return err
	}
	return c.JSON(updated)
}

// changePool applies a pool body as a merge patch for me (PATCH /pools/{id},
// the console's pool forms): lead.AuthorizePoolPatch decides which fields
// me may set. It re-arms the timers of the pool's running leads when the
// policy changed.
func (s *Server) changePool(ctx context.Context, me lead.User, id string, b poolBody) (lead.Pool, error) {
	p, err := s.managedPool(ctx, me, id)
	if err != nil {
		return p, err
	}
	pp, owner, err := parsePool(b)
	if err != nil {
		return p, err
	}
	if err := lead.AuthorizePoolPatch(me, lead.PoolAccessOf(me, p), pp); err != nil {
		return p, err
	}
	if err := s.checkPolicy(pp); err != nil {
		return p, err
	}
	if owner != nil && !strings.EqualFold(strings.TrimSpace(*owner), p.OwnerID) {
		return p, lead.Invalid(lead.FieldError{Field: "owner_id", Reason: "change the owner with POST /api/v1/pools/" + p.ID + "/transfer-ownership"})
	}
	updated, err := s.db.UpdatePool(ctx, p.ID, pp)
	if err != nil {
		return p, err
	}
	// Running leads of the pool re-arm their timers from the new policy: a
	// workflow signals them, the answer does not wait. A patch that names
	// the policy fans it out even when nothing changed, so that retrying a
	// request whose fan-out did not start reaches the leads.
	if !reflect.DeepEqual(p.Policy, updated.Policy) || pp.Policy != (lead.PolicyPatch{}) {
		if err := workflows.StartPolicyChange(ctx, s.tc, updated.ID, updated.UpdatedAt.UnixMicro()); err != nil {
			return updated, s.temporalError(err)
		}
	}
	return updated, nil
}

// transferInput is the body of POST /pools/{id}/transfer-ownership.
type transferInput struct {
	AdminID string `json:"admin_id"`
}

// transferPool hands the pool to another manager or admin; only admins and
// the pool's current owner may.
func (s *Server) transferPool(c *fiber.Ctx) error {
	if _, err := s.poolOwnedBy(c.UserContext(), caller(c), c.Params("id")); err != nil {
		return err
	}
	var in transferInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	out, err := s.handOverPool(c.UserContext(), caller(c), c.Params("id"), in.AdminID)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// poolOwnedBy returns the pool id when me may transfer its ownership:
// admins, and the pool's current owner.
func (s *Server) poolOwnedBy(ctx context.Context, me lead.User, id string) (lead.Pool, error) {
	p, err := s.db.Pool(ctx, id)
	if err != nil {
		return p, err
	}
	return p, ownerErr(me, p)
}

// ownerErr refuses me the transfer of pool p's ownership unless they are
// an admin or its owner.
func ownerErr(me lead.User, p lead.Pool) error {
	if me.Role != lead.RoleAdmin && p.OwnerID != me.ID {
		return lead.Errorf(lead.CodeForbidden, "only admins and the pool's owner may transfer its ownership")
	}
	return nil
}

// handOverPool makes adminID the owner of pool id, for me (the API's
// transfer-ownership and the console's form).
func (s *Server) handOverPool(ctx context.Context, me lead.User, id, adminID string) (lead.Pool, error) {
	p, err := s.poolOwnedBy(ctx, me, id)
	if err != nil {
		return p, err
	}
	if strings.TrimSpace(adminID) == "" {
		return p, lead.Invalid(lead.FieldError{Field: "admin_id", Reason: "is required"})
	}
	return s.db.TransferPoolOwnership(ctx, p.ID, adminID)
}
