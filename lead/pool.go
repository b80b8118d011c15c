package lead

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Weights maps pool member ids to their weight in weighted distribution.
type Weights map[string]int

// DefaultWeight is the weight of a member nobody weighted.
const DefaultWeight = 1

// MaxWeight bounds a member's weight.
const MaxWeight = 1000

// The distribution modes of a pool policy.
const (
	DistributionClaimOnly   = "claim_only"   // members claim; nothing is pushed
	DistributionRoundRobin  = "round_robin"  // the member served longest ago
	DistributionLeastLoaded = "least_loaded" // the member with the fewest assigned leads
	DistributionWeighted    = "weighted"     // in proportion to the members' weights
)

// Limits of a pool.
const (
	MaxPolicyExpression = 4000  // characters of claim_when or reclaim_exempt_when
	maxPoolMembers      = 10000 // admins, or members, of one pool
)

// Distributions lists the distribution modes.
var Distributions = []string{DistributionClaimOnly, DistributionRoundRobin, DistributionLeastLoaded, DistributionWeighted}

// Valid reports whether s is a known pool scope.
func (s Scope) Valid() bool { return s == ScopeGlobal || s == ScopeCountry || s == ScopeTeam }

// Clean trims and normalises a pool (upper-case country, de-duplicated ids,
// the default distribution, a weight for every member) and checks what can
// be checked without I/O: name, scope with its country or team, ids, weights
// and the policy. Whether the ids name existing users and teams, and whether
// the policy expressions compile, is checked by the callers that can.
func (p *Pool) Clean() error {
	var f Fields
	p.Name = strings.TrimSpace(p.Name)
	p.Country = strings.ToUpper(strings.TrimSpace(p.Country))
	p.TeamID = strings.TrimSpace(p.TeamID)
	p.OwnerID = strings.TrimSpace(p.OwnerID)
	if p.Name == "" {
		f.Add("name", "is required")
	} else if utf8.RuneCountInString(p.Name) > maxText {
		f.Add("name", "is longer than 200 characters")
	}
	switch {
	case !p.Scope.Valid():
		f.Add("scope", "must be global, country or team")
	case p.Scope == ScopeCountry && p.Country == "":
		f.Add("country", "is required for a country pool")
	case p.Scope != ScopeCountry && p.Country != "":
		f.Add("country", "is only for country pools")
	}
	if p.Country != "" && !isAlpha2(p.Country) {
		f.Add("country", "must be a two-letter ISO 3166-1 code such as CN or US")
	}
	if p.Scope == ScopeTeam && p.TeamID == "" {
		f.Add("team_id", "is required for a team pool")
	} else if p.Scope.Valid() && p.Scope != ScopeTeam && p.TeamID != "" {
		f.Add("team_id", "is only for team pools")
	}
	p.AdminIDs = cleanIDs(&f, "admin_ids", p.AdminIDs)
	p.MemberIDs = cleanIDs(&f, "member_ids", p.MemberIDs)
	if p.OwnerID != "" && !slices.Contains(p.AdminIDs, p.OwnerID) {
		f.Add("admin_ids", fmt.Sprintf("must include the owner %s; transfer the ownership first", p.OwnerID))
	}
	weights := make(Weights, len(p.MemberIDs))
	for _, id := range p.MemberIDs {
		weights[id] = DefaultWeight
	}
	for _, id := range sortedKeys(p.Weights) {
		w := p.Weights[id]
		if _, ok := weights[id]; !ok {
			f.Add("weights", fmt.Sprintf("%s is not a member of the pool", id))
			continue
		}
		if w < 1 || w > MaxWeight {
			f.Add("weights", fmt.Sprintf("the weight of %s must be from 1 to %d", id, MaxWeight))
			continue
		}
		weights[id] = w
	}
	p.Weights = weights
	p.Policy.clean(&f)
	return f.Err()
}

// clean checks a policy; field names are prefixed with "policy.".
func (pol *Policy) clean(f *Fields) {
	pol.Distribution = strings.TrimSpace(pol.Distribution)
	if pol.Distribution == "" {
		pol.Distribution = DistributionClaimOnly
	}
	if !slices.Contains(Distributions, pol.Distribution) {
		f.Add("policy.distribution", "must be claim_only, round_robin, least_loaded or weighted")
	}
	pol.Calendar = nil // read with the policy, never stored in it
	for _, d := range pol.timers() {
		if d.v.Wall < 0 || d.v.WorkingDays < 0 || d.v.WorkingHours < 0 {
			f.Add("policy."+d.name, "must not be negative")
		}
	}
	pol.cleanTiers(f)
	if (pol.EscalateAfter.On() || pol.ReassignAfter.On()) && !pol.FirstContactSLA.On() {
		f.Add("policy.escalate_after", "the escalation chain follows first_contact_sla: set it too")
	}
	if pol.RemindBefore.On() {
		reclaims := append([]timer{{"no_follow_up_after", pol.NoFollowUpAfter}, {"no_conversion_after", pol.NoConversionAfter}}, pol.tierTimers()...)
		for _, d := range reclaims {
			if d.v.On() && !pol.RemindBefore.Shorter(d.v) {
				f.Add("policy.remind_before", fmt.Sprintf("must be shorter than %s (%s)", d.name, d.v))
			}
		}
	}
	for _, n := range []struct {
		name string
		v    int
	}{{"max_held_per_rep", pol.MaxHeldPerRep}, {"daily_open_limit", pol.DailyOpenLimit}} {
		if n.v < 0 || n.v > 100000 {
			f.Add("policy."+n.name, "must be from 0 (no limit) to 100000")
		}
	}
	pol.ReturnTo = cleanIDs(f, "policy.return_to", pol.ReturnTo)
	if len(pol.ReturnTo) == 0 {
		pol.ReturnTo = nil
	}
	pol.ReclaimTo = strings.ToLower(strings.TrimSpace(pol.ReclaimTo))
	if pol.ReclaimTo != "" && !slices.Contains(pol.ReturnTo, pol.ReclaimTo) {
		f.Add("policy.reclaim_to", "must be one of return_to")
	}
	pol.ClaimWhen = strings.TrimSpace(pol.ClaimWhen)
	pol.ReclaimExemptWhen = strings.TrimSpace(pol.ReclaimExemptWhen)
	for _, e := range [][2]string{{"claim_when", pol.ClaimWhen}, {"reclaim_exempt_when", pol.ReclaimExemptWhen}} {
		if utf8.RuneCountInString(e[1]) > MaxPolicyExpression {
			f.Add("policy."+e[0], fmt.Sprintf("is longer than %d characters", MaxPolicyExpression))
		}
	}
}

// cleanIDs trims and de-duplicates ids, keeping their order.
// ReturnTarget is the pool a return or a reclaim of a lead of pool own
// sends it to under policy pol (nil: the pool has none): want when the
// policy allows it (own, or one of ReturnTo); own when want is empty,
// but ReclaimTo for a timer's reclaim (byTimer) when the policy sets it.
func (pol *Policy) ReturnTarget(own, want string, byTimer bool) (string, error) {
	want = strings.ToLower(strings.TrimSpace(want))
	switch {
	case want == "" && byTimer && pol != nil && pol.ReclaimTo != "":
		return pol.ReclaimTo, nil
	case want == "" || want == own:
		return own, nil
	case pol != nil && slices.Contains(pol.ReturnTo, want):
		return want, nil
	}
	return "", Invalid(FieldError{Field: "pool_id", Reason: "is not a pool this lead's pool lets it go back to (its policy's return_to)"})
}

func cleanIDs(f *Fields, field string, ids []string) []string {
	out := make([]string, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		id = strings.ToLower(strings.TrimSpace(id))
		if id == "" {
			f.Add(field, "must not contain empty ids")
			continue
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	if len(out) > maxPoolMembers {
		f.Add(field, fmt.Sprintf("has more than %d users", maxPoolMembers))
	}
	return out
}

func sortedKeys(w Weights) []string {
	keys := make([]string, 0, len(w))
	for k := range w {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// PoolPatch is a JSON merge patch of a pool: nil fields stay unchanged.
// Clearing a field (JSON null) is a pointer to its zero value.
type PoolPatch struct {
	Name      *string
	Scope     *Scope
	Country   *string
	TeamID    *string
	AdminIDs  *[]string
	MemberIDs *[]string
	// Weights sets the weights of the members it names; the others keep theirs.
	Weights Weights
	Policy  PolicyPatch
}

// DefiningFields names, in the API's spelling, the fields the patch sets
// that define the pool (who sees it and who administers it): name, scope,
// country, team_id and admin_ids. Changing them is ActDefinePool.
func (pp PoolPatch) DefiningFields() []string {
	var out []string
	for _, f := range []struct {
		name string
		set  bool
	}{{"name", pp.Name != nil}, {"scope", pp.Scope != nil}, {"country", pp.Country != nil},
		{"team_id", pp.TeamID != nil}, {"admin_ids", pp.AdminIDs != nil}} {
		if f.set {
			out = append(out, f.name)
		}
	}
	return out
}

// PolicyPatch patches the fields of a policy one by one.
type PolicyPatch struct {
	Distribution      *string
	AutoAccept        *bool
	AcceptTimeout     *Span
	FirstContactSLA   *Span
	NoFollowUpAfter   *Span
	NoConversionAfter *Span
	RemindBefore      *Span
	Cooldown          *Span
	ClaimWhen         *string
	ReclaimExemptWhen *string
	CalendarID        *string
	RemindAnytime     *bool
	MaskContacts      *bool
	ReturnTo          *[]string
	ReclaimTo         *string
	MaxHeldPerRep     *int
	DailyOpenLimit    *int
	EscalateAfter     *Span
	ReassignAfter     *Span
	ReclaimTiers      *[]ReclaimTier
	// DistributeInWorkingHours: see Policy.
	DistributeInWorkingHours *bool
	MessageIsFollowUp        *bool
}

// Apply changes p as the patch says. Members who leave the pool lose their
// weight; members who join get DefaultWeight unless the patch weighs them.
// Call Clean afterwards.
func (pp PoolPatch) Apply(p *Pool) {
	set(&p.Name, pp.Name)
	set(&p.Scope, pp.Scope)
	set(&p.Country, pp.Country)
	set(&p.TeamID, pp.TeamID)
	if pp.AdminIDs != nil {
		p.AdminIDs = slices.Clone(*pp.AdminIDs)
	}
	if pp.MemberIDs != nil {
		p.MemberIDs = slices.Clone(*pp.MemberIDs)
	}
	weights := make(Weights, len(p.MemberIDs)+len(pp.Weights))
	for _, id := range p.MemberIDs {
		if w, ok := p.Weights[id]; ok {
			weights[id] = w
		}
	}
	for id, w := range pp.Weights {
		weights[strings.ToLower(strings.TrimSpace(id))] = w
	}
	p.Weights = weights
	q := pp.Policy
	set(&p.Policy.Distribution, q.Distribution)
	set(&p.Policy.AutoAccept, q.AutoAccept)
	set(&p.Policy.AcceptTimeout, q.AcceptTimeout)
	set(&p.Policy.FirstContactSLA, q.FirstContactSLA)
	set(&p.Policy.NoFollowUpAfter, q.NoFollowUpAfter)
	set(&p.Policy.NoConversionAfter, q.NoConversionAfter)
	set(&p.Policy.RemindBefore, q.RemindBefore)
	set(&p.Policy.Cooldown, q.Cooldown)
	set(&p.Policy.ClaimWhen, q.ClaimWhen)
	set(&p.Policy.ReclaimExemptWhen, q.ReclaimExemptWhen)
	set(&p.Policy.CalendarID, q.CalendarID)
	set(&p.Policy.RemindAnytime, q.RemindAnytime)
	set(&p.Policy.DistributeInWorkingHours, q.DistributeInWorkingHours)
	set(&p.Policy.MaskContacts, q.MaskContacts)
	set(&p.Policy.ReturnTo, q.ReturnTo)
	set(&p.Policy.ReclaimTo, q.ReclaimTo)
	set(&p.Policy.MaxHeldPerRep, q.MaxHeldPerRep)
	set(&p.Policy.DailyOpenLimit, q.DailyOpenLimit)
	set(&p.Policy.EscalateAfter, q.EscalateAfter)
	set(&p.Policy.ReassignAfter, q.ReassignAfter)
	set(&p.Policy.ReclaimTiers, q.ReclaimTiers)
	set(&p.Policy.MessageIsFollowUp, q.MessageIsFollowUp)
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// Clean trims a team and checks its name.
func (t *Team) Clean() error {
	var f Fields
	t.Name = strings.TrimSpace(t.Name)
	if t.Name == "" {
		f.Add("name", "is required")
	} else if utf8.RuneCountInString(t.Name) > maxText {
		f.Add("name", "is longer than 200 characters")
	}
	checkTimeZone(&f, "time_zone", t.TimeZone)
	if t.RegistrationRules == "" {
		t.RegistrationRules = RegistrationSupplier
	} else if t.RegistrationRules != RegistrationSupplier && t.RegistrationRules != RegistrationOwn {
		f.Add("registration_rules", `must be "supplier" or "own"`)
	}
	return f.Err()
}

// DefaultMinPolicyDuration is the shortest timer a pool policy may set
// unless the operator lowers it (LEADFLOW_MIN_POLICY_DURATION): a
// reclaim every millisecond helps nobody and loads the workers.
const DefaultMinPolicyDuration = Duration(time.Minute)

// CheckMinimum refuses the timers a patch sets shorter than min (zero
// turns a timer off and is always allowed).
func (q PolicyPatch) CheckMinimum(min Duration) error {
	var f Fields
	for _, d := range []struct {
		name string
		v    *Span
	}{
		{"accept_timeout", q.AcceptTimeout}, {"first_contact_sla", q.FirstContactSLA},
		{"no_follow_up_after", q.NoFollowUpAfter}, {"no_conversion_after", q.NoConversionAfter},
		{"remind_before", q.RemindBefore}, {"cooldown", q.Cooldown},
		{"escalate_after", q.EscalateAfter}, {"reassign_after", q.ReassignAfter},
	} {
		// Working time is counted in whole minutes at least: only a wall-clock timer can be too short.
		if d.v != nil && d.v.Wall > 0 && d.v.Wall < min {
			f.Add("policy."+d.name, fmt.Sprintf("must be 0 (off) or at least %s", min))
		}
	}
	if q.ReclaimTiers != nil {
		for _, t := range (&Policy{ReclaimTiers: *q.ReclaimTiers}).tierTimers() {
			if t.v.Wall > 0 && t.v.Wall < min {
				f.Add("policy."+t.name, fmt.Sprintf("must be 0 (off) or at least %s", min))
			}
		}
	}
	return f.Err()
}

// timer is one timer of a policy, named as its JSON field.
type timer struct {
	name string
	v    Span
}

// timers are the policy's timers.
func (pol *Policy) timers() []timer {
	return append([]timer{
		{"accept_timeout", pol.AcceptTimeout}, {"first_contact_sla", pol.FirstContactSLA},
		{"no_follow_up_after", pol.NoFollowUpAfter}, {"no_conversion_after", pol.NoConversionAfter},
		{"remind_before", pol.RemindBefore}, {"cooldown", pol.Cooldown},
		{"escalate_after", pol.EscalateAfter}, {"reassign_after", pol.ReassignAfter},
	}, pol.tierTimers()...)
}

// WorkingTime reports whether any timer of the policy counts working time
// (and so needs its calendar).
func (pol *Policy) WorkingTime() bool {
	for _, t := range pol.timers() {
		if t.v.Working() {
			return true
		}
	}
	return false
}
