// Package lead holds leadflow's domain types: leads, pools, users, teams,
// follow-ups, events and customers, with the pure helpers they need
// (phone and company normalisation, the de-duplication key) and the error
// codes every layer shares. It does no I/O.
package lead

import (
	"encoding/json"
	"time"
)

// Status is where a lead stands in its lifecycle.
type Status string

// The lifecycle statuses; see DESIGN.md, "The lead lifecycle".
const (
	StatusReceived  Status = "received"  // workflow started, intake pending
	StatusRejected  Status = "rejected"  // refused by a validation rule
	StatusMerged    Status = "merged"    // a duplicate of another lead
	StatusPooled    Status = "pooled"    // in a public pool, unowned
	StatusOffered   Status = "offered"   // offered to a rep, awaiting accept or decline
	StatusAssigned  Status = "assigned"  // in a rep's private pool
	StatusConverted Status = "converted" // turned into a customer
	StatusClosed    Status = "closed"    // closed by an admin or withdrawn
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{StatusReceived, StatusRejected, StatusMerged, StatusPooled, StatusOffered, StatusAssigned, StatusConverted, StatusClosed}

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if v == s {
			return true
		}
	}
	return false
}

// Terminal reports whether a lead in status s has finished its lifecycle.
func (s Status) Terminal() bool {
	switch s {
	case StatusRejected, StatusMerged, StatusConverted, StatusClosed:
		return true
	}
	return false
}

// DefaultStages are the follow-up stages a new installation starts with.
var DefaultStages = []string{"New", "Started", "Follow-up", "In progress", "Completed"}

// Sources a lead can come from.
const (
	SourceAPI    = "api"    // pushed through the REST API
	SourceManual = "manual" // created by a user in the console
	SourceWeb    = "web"    // the public web form
	SourceInvite = "invite" // a rep's invite link
	SourceImport = "import" // a bulk import
)

// Contact is who a lead is and how to reach them: the fields a channel
// submits (Input) and the read model keeps (Lead), declared once. Embedded,
// its fields marshal flat, as if declared in the embedding struct.
type Contact struct {
	Company    string `json:"company" expr:"company"`
	Name       string `json:"name,omitempty" expr:"name"`
	Phone      string `json:"phone" expr:"phone"`
	Email      string `json:"email,omitempty" expr:"email"`
	Country    string `json:"country,omitempty" expr:"country"`
	Channel    string `json:"channel,omitempty" expr:"channel"`
	Group      string `json:"group,omitempty" expr:"group"` // one of the groups option list
	Profession string `json:"profession,omitempty" expr:"profession"`
	Address    string `json:"address,omitempty" expr:"address"`
	District   string `json:"district,omitempty" expr:"district"`
	Division   string `json:"division,omitempty" expr:"division"`
}

// Text is one text field of a lead by its JSON name: its value in a
// Contact, or in an edit the new value (nil: left as it is).
type Text struct {
	Name string
	V    *string
}

// Texts are c's fields by their JSON names, as declared.
func (c *Contact) Texts() []Text {
	return []Text{{"company", &c.Company}, {"name", &c.Name}, {"phone", &c.Phone}, {"email", &c.Email}, {"country", &c.Country},
		{"channel", &c.Channel}, {"group", &c.Group}, {"profession", &c.Profession}, {"address", &c.Address},
		{"district", &c.District}, {"division", &c.Division}}
}

// Lead is one sales lead as the read model stores it.
type Lead struct {
	ID     string `json:"id"`
	Status Status `json:"status"`
	Stage  string `json:"stage"`
	Contact
	Phones         []string       `json:"phones,omitempty"` // further numbers
	Emails         []string       `json:"emails,omitempty"` // further addresses
	PhoneE164      string         `json:"phone_e164,omitempty"`
	Source         string         `json:"source"`
	Notes          string         `json:"notes,omitempty"`
	Tags           []string       `json:"tags"`
	Custom         map[string]any `json:"custom,omitempty"`
	PoolID         string         `json:"pool_id,omitempty"`
	OwnerID        string         `json:"owner_id,omitempty"`
	MergedInto     string         `json:"merged_into,omitempty"`
	RejectReasons  []string       `json:"reject_reasons,omitempty"`
	Score          int            `json:"score"`
	ReviewReasons  []string       `json:"review_reasons,omitempty"` // rules that failed at run time on this lead
	CustomerID     string         `json:"customer_id,omitempty"`
	IP             string         `json:"ip,omitempty"`
	DedupKey       string         `json:"dedup_key,omitempty"`
	CreatedBy      string         `json:"created_by,omitempty"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
	AssignedAt     *time.Time     `json:"assigned_at,omitempty"`
	LastFollowUpAt *time.Time     `json:"last_follow_up_at,omitempty"`
	OfferedAt      *time.Time     `json:"offered_at,omitempty"`
	// ExpectedFollowUpAt is when the rep who claimed the lead said they
	// would follow it up: they are reminded then.
	ExpectedFollowUpAt *time.Time `json:"expected_follow_up_at,omitempty"`
	InvalidReason      string     `json:"invalid_reason,omitempty"` // why its last owner returned it
	// DuplicateOf is the live lead this one duplicates, when it was created
	// anyway under the warn policy.
	DuplicateOf string `json:"duplicate_of,omitempty"`
	// RegisteredAt is when the registration rules registered the lead with
	// the supplier's systems (once; its history's "registered" event says
	// by which rule version).
	RegisteredAt *time.Time `json:"registered_at,omitempty"`
	// WaitingSince: the lead came into its pool outside the pool's working
	// hours and waits for them (Policy.DistributeInWorkingHours), since
	// then; the waiting leads are distributed in that order.
	WaitingSince *time.Time `json:"waiting_since,omitempty"`
	// ExternalIDs are the lead's ids in the CRMs it was pushed to, by the
	// CRM target's name.
	ExternalIDs map[string]string `json:"external_ids,omitempty"`
	// CRMTargetID is the CRM target its registration pushes it to ("" none).
	CRMTargetID string `json:"-"`
	// Policy is the policy of the lead's pool: the timers that apply to it.
	Policy *Policy `json:"policy,omitempty"`
	// ContactsMasked says that the phones and e-mails are masked for the
	// reader until they claim the lead (User.MasksContacts).
	ContactsMasked bool `json:"contacts_masked,omitempty"`
}

// Role is what a user may do.
type Role string

// The roles.
const (
	RoleAdmin   Role = "admin"   // everything, including rules and users
	RoleManager Role = "manager" // pool admin: assigns, reclaims, reads rules
	RoleRep     Role = "rep"     // claims and works leads
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleManager || r == RoleRep }

// User is a person who signs in: a rep, a manager or an admin.
type User struct {
	ID              string    `json:"id"`
	Name            string    `json:"name"`
	Email           string    `json:"email"`
	Role            Role      `json:"role"`
	TeamID          string    `json:"team_id,omitempty"`
	Capacity        int       `json:"capacity"`
	DailyClaimLimit int       `json:"daily_claim_limit"`
	Active          bool      `json:"active"`
	Away            bool      `json:"away"` // gets no distributed leads; claiming still works
	CreatedAt       time.Time `json:"created_at"`
	// TokenExpiresAt is when the user's API token stops working (never when nil).
	TokenExpiresAt *time.Time `json:"token_expires_at,omitempty"`
	// TokenUsedAt is when the token was last used, to the minute.
	TokenUsedAt *time.Time `json:"token_used_at,omitempty"`
	// Language is the user's language for pages and e-mails (en or
	// zh-CN); empty: the browser's.
	Language string `json:"language,omitempty"`
	// TimeZone is the IANA zone every time is shown in; empty: the
	// team's, then the server's.
	TimeZone string `json:"time_zone,omitempty"`
}

// Default limits for a new user.
const (
	DefaultCapacity        = 50
	DefaultDailyClaimLimit = 20
)

// Team groups reps; a team may own a team-scoped pool.
type Team struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// TimeZone is the IANA zone of the team's members who set none;
	// empty: the server's.
	TimeZone string `json:"time_zone,omitempty"`
	// RegistrationRules is whose registration rules apply to the leads of
	// the team's pools (seed 003): "supplier" (managed: the rules an admin
	// keeps, /api/v1/rules/registration) or "own" (the team's manager's).
	RegistrationRules string `json:"registration_rules"`
	// CalendarID is the calendar of the team's pools that name none of
	// their own (else the default counts).
	CalendarID string    `json:"calendar_id,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// TeamRegistrationKind is the stored rule-set kind of team's own
// registration rules ("registration@<team id>"), versioned like any kind.
func TeamRegistrationKind(team string) string { return "registration@" + team }

// The choices of Team.RegistrationRules.
const (
	RegistrationSupplier = "supplier"
	RegistrationOwn      = "own"
)

// Scope says who a pool serves.
type Scope string

// The pool scopes.
const (
	ScopeGlobal  Scope = "global"
	ScopeCountry Scope = "country"
	ScopeTeam    Scope = "team"
)

// DefaultPoolID is the global public pool every installation starts with.
const DefaultPoolID = "00000000-0000-0000-0000-000000000001"

// Pool is a public lead pool with its members and policy.
type Pool struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Scope     Scope     `json:"scope"`
	Country   string    `json:"country,omitempty"`
	TeamID    string    `json:"team_id,omitempty"`
	AdminIDs  []string  `json:"admin_ids"`
	MemberIDs []string  `json:"member_ids"`
	Policy    Policy    `json:"policy"`
	OwnerID   string    `json:"owner_id,omitempty"` // the primary administrator, one of AdminIDs; empty when nobody owns it
	Weights   Weights   `json:"weights"`            // every member's weight in weighted distribution
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// ArchivedAt is when the pool was archived: hidden from distribution,
	// tabs and pickers, kept for history (nil: live).
	ArchivedAt *time.Time `json:"archived_at,omitempty"`
}

// FollowUp is one recorded contact with a lead.
type FollowUp struct {
	ID       string `json:"id"`
	LeadID   string `json:"lead_id"`
	AuthorID string `json:"author_id"`
	// AuthorName is the author's name, read with the follow-up.
	AuthorName string     `json:"author_name,omitempty"`
	Type       string     `json:"type"`
	Content    string     `json:"content"`
	NextStep   string     `json:"next_step,omitempty"`
	NextAt     *time.Time `json:"next_at,omitempty"`
	// Stage is the lead's stage after the follow-up: the stage given with
	// it, or the one the lead moved to.
	Stage     string    `json:"stage,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// DefaultFollowUpTypes are the follow-up record types a new installation starts with.
var DefaultFollowUpTypes = []string{"call", "visit", "email", "trial", "quote", "contract"}

// EventType names a change in a lead's history.
type EventType string

// The event types recorded in a lead's history.
const (
	EventCreated     EventType = "created"
	EventRejected    EventType = "rejected"
	EventValidated   EventType = "validated"
	EventScored      EventType = "scored"
	EventPooled      EventType = "pooled"
	EventClaimed     EventType = "claimed"
	EventFollowedUp  EventType = "followed_up"
	EventConverted   EventType = "converted"
	EventAssigned    EventType = "assigned"
	EventOffered     EventType = "offered"
	EventAccepted    EventType = "accepted"
	EventDeclined    EventType = "declined"
	EventOfferEnded  EventType = "offer_expired"
	EventTransferred EventType = "transferred"
	EventReclaimed   EventType = "reclaimed"
	EventReturned    EventType = "returned"
	EventClosed      EventType = "closed"
	EventReopened    EventType = "reopened"   // a closed lead went back into a pool
	EventReadmitted  EventType = "readmitted" // an admin overrode the rejection: the lead went through intake again
	EventEdited      EventType = "edited"
	EventReminded    EventType = "reminded"         // the owner was reminded of a coming deadline
	EventEscalated   EventType = "escalated"        // the pool admins were told of a missed first contact
	EventExempted    EventType = "reclaim_exempt"   // reclaim_exempt_when kept the lead with its owner
	EventMerged      EventType = "merged"           // this lead was a duplicate, merged into another
	EventRegistered  EventType = "registered_again" // a duplicate registration was merged into this lead
	// EventAutoRegistered: the registration rules registered the lead with
	// the supplier's systems (seed 003), when it was created or edited.
	EventAutoRegistered EventType = "registered"
	// EventInviterRefused: a duplicate registered through a rep's invite
	// link was merged into this lead, which the rep could not claim.
	EventInviterRefused EventType = "not_given_to_inviter"
)

// Event is one entry of a lead's history: who did what, when, and, for a
// decision, which rule set version made it and why.
type Event struct {
	ID          int64           `json:"id"`
	LeadID      string          `json:"lead_id"`
	Type        EventType       `json:"type"`
	ActorID     string          `json:"actor_id,omitempty"`
	At          time.Time       `json:"at"`
	Reason      string          `json:"reason,omitempty"`
	RuleKind    string          `json:"rule_kind,omitempty"`
	RuleVersion int             `json:"rule_version,omitempty"`
	Trace       json.RawMessage `json:"trace,omitempty"`
	Data        map[string]any  `json:"data,omitempty"`
}

// Customer is what a converted lead becomes.
type Customer struct {
	ID        string         `json:"id"`
	LeadID    string         `json:"lead_id"`
	Name      string         `json:"name"`
	Contact   string         `json:"contact,omitempty"`
	Phone     string         `json:"phone,omitempty"`
	Email     string         `json:"email,omitempty"`
	Country   string         `json:"country,omitempty"`
	OwnerID   string         `json:"owner_id,omitempty"`
	Data      map[string]any `json:"data,omitempty"`
	CreatedAt time.Time      `json:"created_at"`
}

// RuleSet is one stored version of an admin-editable rule set; the rules
// package compiles and evaluates its Body.
type RuleSet struct {
	Kind      string          `json:"kind"`
	Version   int             `json:"version"`
	Body      json.RawMessage `json:"body"`
	Active    bool            `json:"active"`
	CreatedBy string          `json:"created_by,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
}

// DefaultInvalidReasons are the reasons a rep may give when returning a lead
// as invalid, until an admin configures the list.
var DefaultInvalidReasons = []string{"invalid contact details", "unreachable", "duplicate", "competitor", "advertising", "not interested"}
