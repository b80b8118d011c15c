package web

import (
	"slices"
	"strings"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// This file holds the data of the console's management pages: pools,
// users and teams, custom fields and option lists, and the outbox.

// NavLink is one link of the layout's navigation; Key is the Page.Nav
// that highlights it.
type NavLink struct {
	Key, URL, Label string
	// More puts the link in the bar's "More" list, with the pages set up
	// once and visited seldom.
	More bool
}

// Person is a user as a management page lists them.
type Person struct {
	ID, Name, Email string
	Role            lead.Role
	Owner           bool // the pool's owner
	Weight          int  // a member's weight in weighted distribution
}

// PoolRow is one pool of the pools page.
type PoolRow struct {
	lead.Pool
	TeamName, OwnerName string
}

// PoolsPage is the data of /pools: the pools the user may manage, and
// for an admin the form that creates one (Form keeps what was typed).
type PoolsPage struct {
	Pools         []PoolRow
	Next          string
	CanCreate     bool
	Teams, Staff  []Choice
	Distributions []string
	Form          map[string]string
	Errors        map[string]string
	// Archived says the page lists the archived pools.
	Archived bool
}

// PolicyField is one field of a pool's policy form: its current (or
// typed) value, what it takes and its minimum, and the API's refusal.
type PolicyField struct {
	Name, Label, Type, Value, Help string
	Options                        []string // a select's choices
	Checked                        bool     // a checkbox
	// Choices are a calendar select's calendars, or the pools of a pool
	// field (Value an id) or of a pools field (Value ids joined by commas).
	Choices []Choice
}

// Has reports whether a pools field's Value holds id.
func (f PolicyField) Has(id string) bool { return slices.Contains(strings.Split(f.Value, ","), id) }

// PoolPage is the data of /pools/{id}. Errors are keyed by the API's
// field names ("policy.cooldown", "member_ids", "admin_ids", "user_ids",
// "admin_id").
type PoolPage struct {
	Pool                lead.Pool
	TeamName, OwnerName string
	Teams               []Choice // where a team pool may move
	Members, Admins     []Person
	// AddMembers and AddAdmins are whom the forms may add.
	AddMembers, AddAdmins []Choice
	// NewOwners are the managers and admins the ownership may go to.
	NewOwners  []Choice
	Policy     []PolicyField
	Recipients []lead.Recipient
	// CanTransfer: the user may hand the pool to another of its admins.
	CanTransfer bool
	// CanDefine: the user may change the pool's name, scope, country, team
	// and admins (admins; lead.ActDefinePool). Its own admins may not.
	CanDefine bool
	Errors    map[string]string
}

// UserRow is one user of the users page.
type UserRow struct {
	lead.User
	TeamName string
}

// Secret is a token or a sign-in link shown once, right after it was made.
type Secret struct{ Label, Value string }

// UsersPage is the data of /users.
type UsersPage struct {
	Users   []UserRow
	Next    string
	CanEdit bool
	Teams   []Choice
	Roles   []string
	Secret  *Secret
	Form    map[string]string
	Errors  map[string]string
}

// TeamsPage is the data of /teams.
type TeamsPage struct {
	Teams   []lead.Team
	Next    string
	CanEdit bool
	Form    map[string]string
	Errors  map[string]string
}

// TeamPage is the data of /teams/{id}: its new-lead recipients.
type TeamPage struct {
	Team       lead.Team
	Recipients []lead.Recipient
	CanEdit    bool
	Errors     map[string]string
	// Chat are the team's chat-app targets.
	Chat ChatSection
	// Calendars are the choices of the team's calendar.
	Calendars []Choice
	// Registration is the team's registration rules, when the reader may
	// see them (an admin, the team's manager): RulesJSON their body.
	Registration *TeamRegistration
}

// TeamRegistration is the registration part of a team's page (seed 003).
type TeamRegistration struct {
	Choice    string
	Editable  bool
	Version   int
	RulesJSON string
}

// FieldsPage is the data of /fields and of /fields/{id} (Field set).
type FieldsPage struct {
	Fields      []lead.FieldDef
	Field       *lead.FieldDef
	CanEdit     bool
	Entities    []string
	Types       []string
	OptionLists []string
	Form        map[string]string
	Errors      map[string]string
}

// OptionList is one option list of the options page, its items one a line.
type OptionList struct {
	Name, Items, Error string
}

// OptionsPage is the data of /options.
type OptionsPage struct {
	Lists   []OptionList
	CanEdit bool
}

// OutboxPage is the data of /outbox: the e-mails kept, newest first.
type OutboxPage struct {
	Items          []lead.Notification
	Next           string
	Kinds          []string
	Statuses       []string
	Kind, Status   string
	RecipientNames map[string]string
}

// ErrorPage is the data of the console's error page: the status, the
// message id of what it means, and what was refused when the page may
// say it (a 403's reason).
type ErrorPage struct {
	Status  int
	Text    string
	Detail  string
	Reasons []string
}

// RejectionRow is one line of the rejection report: the rule (or the
// duplicate policy) that refused leads, the reason and how many; Kind is
// the message id of its kind, RuleURL the rules page of a validation rule.
type RejectionRow struct {
	store.RejectionRow
	Kind, RuleURL string
}

// RejectionsPage is the data of /reports/rejections: the rejections of
// the period, most frequent first.
type RejectionsPage struct {
	PeriodForm
	PeriodFrom, PeriodTo string // the period shown, in the reader's zone
	Rows                 []RejectionRow
	Total                int64
}

// DuplicateSource is one source's duplicate policy; a public channel's
// (web, invite) is always merge.
type DuplicateSource struct {
	Source, Policy string
	Public         bool
}

// DuplicatesPage is the data of /settings/duplicates.
type DuplicatesPage struct {
	Sources  []DuplicateSource
	Policies []string
	CanEdit  bool
	Errors   map[string]string
}
