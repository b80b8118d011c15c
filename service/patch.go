package service

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// The merge patches of a pool and of a user, read once for both faces: the
// API decodes its body into PoolChange or UserChange, the console builds
// one from its form, and the service turns it into the typed patch,
// reporting each bad value under its own name.

// PoolChange is a pool as POST /pools and PATCH /pools/{id} send it. Every
// field is kept raw so that a patch tells an absent field (unchanged) from
// null (cleared), and so that each bad value is reported under its own name.
type PoolChange struct {
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

// policyChange is the policy object of a pool change; its fields are patched one by one.
type policyChange struct {
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
	CalendarID        json.RawMessage `json:"calendar_id"`
	RemindAnytime     json.RawMessage `json:"remind_anytime"`
	// DistributeInWorkingHours: see lead.Policy.
	DistributeInWorkingHours json.RawMessage `json:"distribute_in_working_hours"`
	// MaskContacts: see lead.Policy.
	MaskContacts json.RawMessage `json:"mask_contacts"`
	// ReturnTo and ReclaimTo: see lead.Policy.
	ReturnTo  json.RawMessage `json:"return_to"`
	ReclaimTo json.RawMessage `json:"reclaim_to"`
	// MaxHeldPerRep and DailyOpenLimit: see lead.Policy.
	MaxHeldPerRep  json.RawMessage `json:"max_held_per_rep"`
	DailyOpenLimit json.RawMessage `json:"daily_open_limit"`
	// EscalateAfter, ReassignAfter and ReclaimTiers: see lead.Policy.
	EscalateAfter json.RawMessage `json:"escalate_after"`
	ReassignAfter json.RawMessage `json:"reassign_after"`
	ReclaimTiers  json.RawMessage `json:"reclaim_tiers"`
	// MessageIsFollowUp: see lead.Policy.
	MessageIsFollowUp json.RawMessage `json:"message_counts_as_follow_up"`
}

const (
	wantString   = "a string"
	wantBool     = "true or false"
	wantIDs      = "an array of user ids"
	wantPoolIDs  = "an array of pool ids"
	wantTiers    = `an array of tiers such as {"field": "custom.grade", "value": "A", "no_follow_up_after": "30d"}`
	wantDuration = `a duration such as "90s", "36h", "7d", "3 working days" or "4 working hours"`
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
		var dur *lead.DurationError
		if errors.As(err, &typ) {
			f.Add(name, "must be "+want)
		} else if errors.As(err, &dur) {
			f.AddCode(name, lead.ReasonInvalidDuration, err.Error())
		} else {
			f.Add(name, err.Error())
		}
		return nil
	}
	return v
}

// Patch is the typed patch of the change and the owner_id it names.
func (b PoolChange) Patch() (lead.PoolPatch, *string, error) {
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
		pp.Policy = policyPatch(&f, b.Policy)
	}
	return pp, owner, f.Err()
}

// policyPatch reads the policy object of a pool change, adding what is wrong to f.
func policyPatch(f *lead.Fields, raw json.RawMessage) lead.PolicyPatch {
	var pb policyChange
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err := dec.Decode(&pb)
	var typ *json.UnmarshalTypeError
	switch {
	case string(bytes.TrimSpace(raw)) == "null":
		f.Add("policy", "must not be null")
	case err != nil && strings.HasPrefix(err.Error(), "json: unknown field "):
		f.Add("policy."+strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "is not a known field")
	case errors.As(err, &typ) && typ.Field == "":
		f.Add("policy", "must be an object")
	case err != nil:
		f.Add("policy", err.Error())
	default:
		return lead.PolicyPatch{
			Distribution:             field[string](f, "policy.distribution", pb.Distribution, true, wantString),
			AutoAccept:               field[bool](f, "policy.auto_accept", pb.AutoAccept, true, wantBool),
			AcceptTimeout:            field[lead.Span](f, "policy.accept_timeout", pb.AcceptTimeout, true, wantDuration),
			FirstContactSLA:          field[lead.Span](f, "policy.first_contact_sla", pb.FirstContactSLA, true, wantDuration),
			NoFollowUpAfter:          field[lead.Span](f, "policy.no_follow_up_after", pb.NoFollowUpAfter, true, wantDuration),
			NoConversionAfter:        field[lead.Span](f, "policy.no_conversion_after", pb.NoConversionAfter, true, wantDuration),
			RemindBefore:             field[lead.Span](f, "policy.remind_before", pb.RemindBefore, true, wantDuration),
			Cooldown:                 field[lead.Span](f, "policy.cooldown", pb.Cooldown, true, wantDuration),
			ClaimWhen:                field[string](f, "policy.claim_when", pb.ClaimWhen, true, wantString),
			ReclaimExemptWhen:        field[string](f, "policy.reclaim_exempt_when", pb.ReclaimExemptWhen, true, wantString),
			CalendarID:               field[string](f, "policy.calendar_id", pb.CalendarID, true, wantString),
			RemindAnytime:            field[bool](f, "policy.remind_anytime", pb.RemindAnytime, true, wantBool),
			DistributeInWorkingHours: field[bool](f, "policy.distribute_in_working_hours", pb.DistributeInWorkingHours, true, wantBool),
			MaskContacts:             field[bool](f, "policy.mask_contacts", pb.MaskContacts, true, wantBool),
			ReturnTo:                 field[[]string](f, "policy.return_to", pb.ReturnTo, true, wantPoolIDs),
			ReclaimTo:                field[string](f, "policy.reclaim_to", pb.ReclaimTo, true, wantString),
			MaxHeldPerRep:            field[int](f, "policy.max_held_per_rep", pb.MaxHeldPerRep, true, wantInt),
			DailyOpenLimit:           field[int](f, "policy.daily_open_limit", pb.DailyOpenLimit, true, wantInt),
			EscalateAfter:            field[lead.Span](f, "policy.escalate_after", pb.EscalateAfter, true, wantDuration),
			ReassignAfter:            field[lead.Span](f, "policy.reassign_after", pb.ReassignAfter, true, wantDuration),
			ReclaimTiers:             field[[]lead.ReclaimTier](f, "policy.reclaim_tiers", pb.ReclaimTiers, true, wantTiers),
			MessageIsFollowUp:        field[bool](f, "policy.message_counts_as_follow_up", pb.MessageIsFollowUp, true, wantBool),
		}
	}
	return lead.PolicyPatch{}
}

// UserChange is the body of PATCH /users/{id}, a JSON merge patch.
type UserChange struct {
	Name            json.RawMessage `json:"name"`
	Role            json.RawMessage `json:"role"`
	TeamID          json.RawMessage `json:"team_id"`
	Capacity        json.RawMessage `json:"capacity"`
	DailyClaimLimit json.RawMessage `json:"daily_claim_limit"`
	Active          json.RawMessage `json:"active"`
	Away            json.RawMessage `json:"away"`
	Language        json.RawMessage `json:"language"`
	TimeZone        json.RawMessage `json:"time_zone"`
}

// adminFields names the fields of the change only admins may set (all
// but away, language and time_zone, which are the user's own), in the
// API's spelling.
func (b UserChange) adminFields() []string {
	var out []string
	for _, f := range []struct {
		name string
		raw  json.RawMessage
	}{{"name", b.Name}, {"role", b.Role}, {"team_id", b.TeamID}, {"capacity", b.Capacity},
		{"daily_claim_limit", b.DailyClaimLimit}, {"active", b.Active}} {
		if f.raw != nil {
			out = append(out, f.name)
		}
	}
	return out
}

// Patch is the typed patch of the change.
func (b UserChange) Patch() (store.UserPatch, error) {
	var f lead.Fields
	p := store.UserPatch{
		Name:            field[string](&f, "name", b.Name, false, wantString),
		Role:            field[lead.Role](&f, "role", b.Role, false, wantString),
		TeamID:          field[string](&f, "team_id", b.TeamID, true, wantString),
		Capacity:        field[int](&f, "capacity", b.Capacity, false, wantInt),
		DailyClaimLimit: field[int](&f, "daily_claim_limit", b.DailyClaimLimit, false, wantInt),
		Active:          field[bool](&f, "active", b.Active, false, wantBool),
		Away:            field[bool](&f, "away", b.Away, false, wantBool),
		Language:        field[string](&f, "language", b.Language, true, wantString),
		TimeZone:        field[string](&f, "time_zone", b.TimeZone, true, wantString),
	}
	return p, f.Err()
}
