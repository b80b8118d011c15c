package lead

import (
	"fmt"
	"slices"
	"strings"
)

// Action is something a user may do to a lead or to a pool.
type Action string

// The actions of the access model. Lead actions start from the statuses
// their permission names; pool actions (import, export, recipients,
// manage, define) concern the pool itself.
const (
	ActRead       Action = "read"
	ActClaim      Action = "claim"
	ActAssign     Action = "assign"
	ActTransfer   Action = "transfer"
	ActAccept     Action = "accept"
	ActDecline    Action = "decline"
	ActFollowUp   Action = "follow up"
	ActEdit       Action = "edit"
	ActReturn     Action = "return"
	ActReclaim    Action = "reclaim"
	ActClose      Action = "close"
	ActConvert    Action = "convert"
	ActReopen     Action = "reopen"  // a closed lead goes back into a pool
	ActReadmit    Action = "readmit" // a rejected lead goes through intake again, its validation overridden
	ActReview     Action = "review"  // an admin keeps or rejects a lead flagged for review (lead.Burst)
	ActImport     Action = "import into"
	ActExport     Action = "export from"
	ActRecipients Action = "manage recipients"
	// ActManagePool changes a pool's policy, members and weights.
	ActManagePool Action = "manage"
	// ActDefinePool changes what a pool is and who administers it: its
	// name, scope, country, team and admins (PoolPatch.DefiningFields).
	ActDefinePool Action = "redefine"
)

// Relation is a set of ways a user stands to a lead (or to a pool).
type Relation uint8

// The relations. RelOwner and RelOffered depend on the lead's status: an
// offered lead is not yet its rep's own.
const (
	RelAdmin     Relation = 1 << iota // the user is an admin: everywhere
	RelPoolAdmin                      // the user administers the lead's pool
	RelOwner                          // the lead is the user's own (assigned to them, or converted by them)
	RelOffered                        // the lead is offered to the user
	RelMember                         // the user may claim from the lead's pool: a global or country pool, or one they are a member of (or their team's)
)

var relationNames = []string{"admin", "admin of the lead's pool", "the lead's owner", "the rep it is offered to", "member of the lead's pool"}

func (r Relation) String() string {
	var out []string
	for i, n := range relationNames {
		if r&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return strings.Join(out, ", ")
}

// Has reports whether r contains every relation of want.
func (r Relation) Has(want Relation) bool { return r&want == want }

// Grant lets the users of a relation act; When, if set, limits the grant
// to leads in those statuses (a member sees only the pooled leads of the pool).
type Grant struct {
	Who  Relation
	When []Status
}

// Permission is one row of the access model: who may act, and from which
// statuses the action may start (nil: any status, or a pool action).
type Permission struct {
	Action Action
	Verb   string // the past participle for messages: "claimed"
	From   []Status
	Grants []Grant
}

var (
	live  = []Status{StatusPooled, StatusOffered, StatusAssigned}
	staff = []Grant{{Who: RelAdmin}, {Who: RelPoolAdmin}}
)

func grants(extra ...Grant) []Grant { return append(slices.Clone(staff), extra...) }

// readGrants say who sees a lead: staff, its owner, the rep it is offered
// to, and while it is pooled the members of its pool.
var readGrants = grants(Grant{Who: RelOwner}, Grant{Who: RelOffered}, Grant{Who: RelMember, When: []Status{StatusPooled}})

// Permissions is the access model: the one table the API, the workflows
// and the store transactions read. Admins may do everything; a manager
// acts on the leads of the pools they administer; a rep on their own
// leads, on the offers made to them, and claims the pooled leads of the
// pools they may claim from. See README, "Access model".
var Permissions = map[Action]Permission{
	ActRead:     {ActRead, "read", nil, readGrants},
	ActClaim:    {ActClaim, "claimed", []Status{StatusPooled}, grants(Grant{Who: RelMember})},
	ActAssign:   {ActAssign, "assigned", live, grants()},
	ActTransfer: {ActTransfer, "transferred", live, grants()},
	ActAccept:   {ActAccept, "accepted", []Status{StatusOffered}, grants(Grant{Who: RelOffered})},
	ActDecline:  {ActDecline, "declined", []Status{StatusOffered}, grants(Grant{Who: RelOffered})},
	ActFollowUp: {ActFollowUp, "followed up", []Status{StatusAssigned}, grants(Grant{Who: RelOwner})},
	ActEdit:     {ActEdit, "edited", live, grants(Grant{Who: RelOwner})},
	ActReturn:   {ActReturn, "returned", []Status{StatusAssigned}, grants(Grant{Who: RelOwner})},
	ActReclaim:  {ActReclaim, "reclaimed", []Status{StatusOffered, StatusAssigned}, grants()},
	ActClose:    {ActClose, "closed", live, grants()},
	// A converted lead may be converted again: the answer is its customer.
	ActConvert: {ActConvert, "converted", []Status{StatusAssigned, StatusConverted}, grants(Grant{Who: RelOwner})},
	// A closed lead goes back into a pool: admins and the admins of its
	// pool (and of the pool it goes into). A rejected lead is in no pool:
	// only admins see it, and only they override its rejection.
	ActReopen:  {ActReopen, "reopened", []Status{StatusClosed}, grants()},
	ActReadmit: {ActReadmit, "readmitted", []Status{StatusRejected}, []Grant{{Who: RelAdmin}}},
	// A lead an IP burst put under review: admins keep it or reject it.
	ActReview: {ActReview, "reviewed", live, []Grant{{Who: RelAdmin}}},
	ActImport: {ActImport, "imported into", nil, grants()},
	// An export holds exactly the leads its creator sees.
	ActExport:     {ActExport, "exported", nil, readGrants},
	ActRecipients: {ActRecipients, "changed", nil, grants()},
	ActManagePool: {ActManagePool, "changed", nil, grants()},
	// Only admins: a pool's own admins could otherwise widen its scope (a
	// global pool shows its leads to every rep), move it to another team
	// or appoint more admins.
	ActDefinePool: {ActDefinePool, "redefined", nil, []Grant{{Who: RelAdmin}}},
}

// Actions lists the actions in the order of the README's table.
var Actions = []Action{ActRead, ActClaim, ActAssign, ActTransfer, ActAccept, ActDecline, ActFollowUp, ActEdit,
	ActReturn, ActReclaim, ActClose, ActConvert, ActReopen, ActReadmit, ActReview, ActImport, ActExport, ActRecipients, ActManagePool, ActDefinePool}

// PoolAccess is how a user stands to one pool: whether they administer it
// and whether they may claim from it.
type PoolAccess struct {
	Admin  bool
	Member bool
}

// PoolAccessOf decides PoolAccess from the pool and the user: admins of a
// pool are in its AdminIDs; a user may claim from a global or country
// pool, from a pool they are a member of, and from their team's pool.
// The store's SQL twin (store/access.go) must decide the same.
func PoolAccessOf(u User, p Pool) PoolAccess {
	return PoolAccess{
		Admin: slices.Contains(p.AdminIDs, u.ID) && u.Role != RoleRep,
		Member: p.Scope == ScopeGlobal || p.Scope == ScopeCountry || slices.Contains(p.MemberIDs, u.ID) ||
			(p.Scope == ScopeTeam && p.TeamID != "" && p.TeamID == u.TeamID),
	}
}

// RelationOf is how user u stands to lead l, given u's access to l's pool.
func RelationOf(u User, l Lead, pa PoolAccess) Relation {
	var r Relation
	if u.Role == RoleAdmin {
		r |= RelAdmin
	}
	if pa.Admin && l.PoolID != "" {
		r |= RelPoolAdmin
	}
	if u.ID != "" && l.OwnerID == u.ID {
		if l.Status == StatusOffered {
			r |= RelOffered
		} else {
			r |= RelOwner
		}
	}
	if pa.Member && l.PoolID != "" {
		r |= RelMember
	}
	return r
}

// granted reports whether relation r may act under p on a lead in status s.
func (p Permission) granted(r Relation, s Status) bool {
	for _, g := range p.Grants {
		if r&g.Who != 0 && (len(g.When) == 0 || slices.Contains(g.When, s)) {
			return true
		}
	}
	return false
}

// Visible reports whether a user with relation r sees a lead in status s.
func Visible(r Relation, s Status) bool { return Permissions[ActRead].granted(r, s) }

// Authorize decides whether a user with relation r may do act on a lead in
// status s: nil, or an error whose code the API answers with. A lead
// outside the user's view is not found (its existence does not leak); an
// action the user may not do is forbidden; an action from the wrong status
// is a conflict naming the status.
func Authorize(act Action, r Relation, s Status) error {
	if !Visible(r, s) {
		return Errorf(CodeNotFound, "lead not found")
	}
	p := Permissions[act]
	if !p.granted(r, s) {
		return Errorf(CodeForbidden, "you may not %s this lead: that is for %s", act, p.who())
	}
	return p.CheckStatus(s)
}

// CheckStatus refuses an action from a status the permission does not start from.
func (p Permission) CheckStatus(s Status) error {
	if p.From == nil || slices.Contains(p.From, s) {
		return nil
	}
	names := make([]string, len(p.From))
	for i, w := range p.From {
		names[i] = string(w)
	}
	return Conflict("the lead cannot be "+p.Verb, fmt.Sprintf("wrong status: the lead is %s, not %s", s, strings.Join(names, " or ")))
}

// AuthorizePool decides whether a user may do a pool action on a pool.
func AuthorizePool(act Action, u User, pa PoolAccess) error {
	var r Relation
	if u.Role == RoleAdmin {
		r |= RelAdmin
	}
	if pa.Admin {
		r |= RelPoolAdmin
	}
	p := Permissions[act]
	if !p.granted(r, "") {
		if p.granted(RelPoolAdmin, "") {
			return Errorf(CodeForbidden, "you may not %s this pool: that is for admins and the pool's own admins", act)
		}
		return Errorf(CodeForbidden, "you may not %s this pool: that is for admins", act)
	}
	return nil
}

// AuthorizePoolPatch decides whether user u, standing to a pool as pa, may
// apply patch pp to it: the pool's policy, members and weights need
// ActManagePool (admins and the pool's own admins); the fields that define
// it (PoolPatch.DefiningFields) need ActDefinePool (admins). A refusal of
// the latter is forbidden and names each such field the patch sets. This
// is the one rule for every way a pool is changed (the API's PATCH and
// the console's forms).
func AuthorizePoolPatch(u User, pa PoolAccess, pp PoolPatch) error {
	if err := AuthorizePool(ActManagePool, u, pa); err != nil {
		return err
	}
	names := pp.DefiningFields()
	if len(names) == 0 || AuthorizePool(ActDefinePool, u, pa) == nil {
		return nil
	}
	e := Errorf(CodeForbidden, "only admins may change a pool's name, scope, country, team or admins; "+
		"a pool's own admins change its policy, members and weights")
	for _, name := range names {
		e.Fields = append(e.Fields, FieldError{Field: name, Reason: "may be changed by admins only"})
	}
	return e
}

// who names the relations a permission grants, for messages.
func (p Permission) who() string {
	var r Relation
	for _, g := range p.Grants {
		r |= g.Who
	}
	return r.String()
}

// SeesRegistrant reports whether u may see a lead's registrant IP and
// dedup key: admins only (reps and managers never do).
func (u User) SeesRegistrant() bool { return u.Role == RoleAdmin }

// MasksContacts reports whether u sees lead l's phones and e-mails
// masked (领取前加密): l's pool masks them (Policy.MaskContacts) and l is
// not u's own yet. A rep sees an unclaimed lead's numbers once they claim
// it, so the claim limit bounds how much contact data they can gather;
// admins and managers see them.
func (u User) MasksContacts(l Lead) bool {
	return u.Role == RoleRep && l.Policy != nil && l.Policy.MaskContacts && l.OwnerID != u.ID
}

// CountsOpen reports whether u's reading lead l whole counts against its
// pool's daily open limit (Policy.DailyOpenLimit): a rep opening an
// unclaimed lead of a pool with one.
func (u User) CountsOpen(l Lead) bool {
	return u.Role == RoleRep && l.Status == StatusPooled && l.Policy != nil && l.Policy.DailyOpenLimit > 0 && l.OwnerID != u.ID
}

// Redact hides what u may not see of a lead they may read: its registrant
// IP and dedup key (SeesRegistrant), and its phones and e-mails where its
// pool masks them (MasksContacts).
func Redact(u User, l Lead) Lead {
	if !u.SeesRegistrant() {
		l.IP, l.DedupKey = "", ""
	}
	if u.MasksContacts(l) {
		l.Phone, l.PhoneE164, l.Email = MaskContact(l.Phone), MaskContact(l.PhoneE164), MaskContact(l.Email)
		l.Phones, l.Emails = maskAll(l.Phones), maskAll(l.Emails)
		l.ContactsMasked = true
	}
	return l
}

// MaskContact hides most of a phone number or an e-mail address: an
// address's name but its first two characters (zh***@example.com); a
// number's digits but its first three and last four (138****8000), or,
// when it has fewer than nine digits, but its last four.
func MaskContact(s string) string {
	if s == "" {
		return ""
	}
	if name, domain, ok := strings.Cut(s, "@"); ok {
		return name[:min(2, len(name))] + "***@" + domain
	}
	digits := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	keepHead := 0
	if digits >= 9 {
		keepHead = 3
	}
	var b strings.Builder
	i := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			i++
			if i > keepHead && i <= digits-4 {
				r = '*'
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// RedactEvent hides of event e of lead l what u may not see (Redact): the
// phones and e-mails it names (an edit's from and to) where l's pool masks
// them for u.
func RedactEvent(u User, l Lead, e Event) Event {
	if !u.MasksContacts(l) || len(e.Data) == 0 {
		return e
	}
	data := make(map[string]any, len(e.Data))
	for k, v := range e.Data {
		switch k {
		case "phone", "phone_e164", "email", "phones", "emails":
			v = maskValue(v)
		}
		data[k] = v
	}
	e.Data = data
	return e
}

// maskValue masks every string in v (a value decoded from JSON).
func maskValue(v any) any {
	switch x := v.(type) {
	case string:
		return MaskContact(x)
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = maskValue(x[i])
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, y := range x {
			out[k] = maskValue(y)
		}
		return out
	}
	return v
}

func maskAll(xs []string) []string {
	if xs == nil {
		return nil
	}
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = MaskContact(x)
	}
	return out
}
