package lead

import (
	"fmt"
	"slices"
	"strings"
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

// cleanIDs trims and de-duplicates ids, keeping their order.
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
