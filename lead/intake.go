package lead

// DuplicatePolicy says what intake does with a lead whose dedup key matches
// a live lead (DESIGN.md, "Intake and de-duplication").
type DuplicatePolicy string

// The duplicate policies.
const (
	// DuplicateMerge merges the new registration into the existing lead,
	// whose history records it; the new lead ends as merged.
	DuplicateMerge DuplicatePolicy = "merge"
	// DuplicateWarn creates a second lead and names the existing one in
	// DuplicateOf (the API answers 201 with a warning).
	DuplicateWarn DuplicatePolicy = "warn"
	// DuplicateReject refuses the new lead: it ends rejected with the reason
	// "duplicate of lead <id>" (the API answers 409).
	DuplicateReject DuplicatePolicy = "reject"
)

// Valid reports whether p is a known policy; the empty policy means the
// source's configured one.
func (p DuplicatePolicy) Valid() bool {
	return p == "" || p == DuplicateMerge || p == DuplicateWarn || p == DuplicateReject
}

// DuplicateReasonPrefix starts the reject reason of a lead refused as a
// duplicate; the existing lead's id follows.
const DuplicateReasonPrefix = "duplicate of lead "

// DuplicateUnnamed is the reject reason of a duplicate whose creator may
// not see the lead it duplicates: that lead's id is not told.
const DuplicateUnnamed = "duplicates a live lead"

// DuplicateNotMerged is the second reject reason of a duplicate that its
// source's policy would merge, refused because its creator may not edit
// the lead it duplicates (DuplicateAccess).
const DuplicateNotMerged = "it is not merged into a lead its creator may not edit"

// PublicSource reports whether source is a public channel (the web form,
// an invite link): its registrant is nobody's user and cannot choose a
// duplicate policy, so a duplicate always merges.
func PublicSource(source string) bool { return source == SourceWeb || source == SourceInvite }

// DuplicateAccess decides, for the user who creates a lead (API, console,
// import) standing in relation r to the live lead in status s that it
// duplicates, whether that lead may be named to them (its id in answers,
// warnings, reasons and import reports) and whether intake may write into
// it (a merge records the registration in its history). A creator who may
// not write into it gets the duplicate refused instead of merged; one who
// may not see it learns only that a live lead has the same key
// (DuplicateUnnamed). Public channels have no creator: they merge, named
// to nobody.
func DuplicateAccess(r Relation, s Status) (named, writable bool) {
	named = Visible(r, s)
	return named, named && Permissions[ActEdit].granted(r, s)
}

// DuplicateReason is the reject reason of a lead refused as a duplicate of
// the live lead id, named only when the creator may see it.
func DuplicateReason(id string, named bool) string {
	if !named {
		return DuplicateUnnamed
	}
	return DuplicateReasonPrefix + id
}

// IntakeOptions say how a new lead is taken in. They travel with the lead
// into its workflow's input and are not part of the stored lead.
type IntakeOptions struct {
	// DuplicatePolicy overrides the policy configured for the lead's source.
	DuplicatePolicy DuplicatePolicy `json:"duplicate_policy,omitempty"`
	// PoolID puts the lead in this pool instead of the one routing chooses
	// (an import's target pool).
	PoolID string `json:"pool_id,omitempty"`
	// InviterID is the rep whose invite link registered the lead: it goes
	// to that rep's private pool while there is room.
	InviterID string `json:"inviter_id,omitempty"`
	// CreatorID is the rep who created the lead by hand: it goes to their
	// own leads while they have room (seed 002), else routing decides.
	CreatorID string `json:"creator_id,omitempty"`
	// ImportID and Row name the import row that created the lead.
	ImportID string `json:"import_id,omitempty"`
	Row      int    `json:"row,omitempty"`
	// Readmission is the request id of an admin's readmission of a
	// rejected lead: its validation is overridden (recorded, not applied),
	// and the intake's events are keyed by it, apart from the first intake's.
	Readmission string `json:"readmission,omitempty"`
}

// IntakeOutcome says what intake did with a new lead; the API answers by it.
type IntakeOutcome string

// The intake outcomes.
const (
	OutcomeRejected  IntakeOutcome = "rejected"          // a validation rule refused it
	OutcomeMerged    IntakeOutcome = "merged"            // a duplicate, merged into the live lead
	OutcomeDuplicate IntakeOutcome = "duplicate_refused" // a duplicate refused by the reject policy
	OutcomeInviter   IntakeOutcome = "to_inviter"        // given to the rep whose invite link registered it
	OutcomePooled    IntakeOutcome = "pooled"            // waits in a pool to be claimed
	OutcomeOffered   IntakeOutcome = "offered"           // distributed: offered to a member of its pool
	OutcomeAssigned  IntakeOutcome = "assigned"          // distributed and accepted at once
)

// IntakePlan is what the rules decided about a new lead; the store applies
// it in one transaction, with the de-duplication and the distribution that
// only the database can decide atomically.
type IntakePlan struct {
	// Reject: a validation rule refused the lead; Reasons and Fields say why.
	Reject  bool
	Reasons []string
	Fields  []FieldError
	// Bursts: the rejecting rules that count registrations from the lead's
	// IP; the earlier registrations of the burst go under review.
	Bursts []Burst
	Score  int
	Review []string // rules that failed at run time: the lead needs review
	// PoolID is where routing puts the lead.
	PoolID string
	// DuplicatePolicy applies when a live lead has the same dedup key.
	DuplicatePolicy DuplicatePolicy
	// InviterID is the rep whose invite link registered the lead: a lead
	// that is not a duplicate goes to them while they have room.
	InviterID string
	// CreatorID is the rep who created the lead: it goes to them while
	// they have room.
	CreatorID string
	// AutoAccept: a distribution assigns the lead instead of offering it.
	AutoAccept bool
	// Readmission is IntakeOptions.Readmission: it keys the intake's events.
	Readmission string
	// The decisions, each with its rule set kind, version and trace:
	// Validated (or rejected), Scored and Routed.
	Validated, Scored, Routed Event
	// Registered, when the registration rules matched, registers a lead
	// the intake keeps (not one rejected or merged).
	Registered *Event
}

// IntakeResult is a lead as its intake left it, and why.
type IntakeResult struct {
	Lead
	Outcome IntakeOutcome `json:"outcome,omitempty"`
	// FieldErrors are the input fields the rejecting validation rules name.
	FieldErrors []FieldError `json:"field_errors,omitempty"`
	// Unannounced says that nobody is flagged to hear of new leads in the
	// lead's pool, so the workflow starts no new-lead e-mail. Results
	// recorded before it existed leave it false: the e-mail is started.
	Unannounced bool `json:"unannounced,omitempty"`
}
