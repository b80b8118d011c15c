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

// IntakeOptions say how a new lead is taken in. They travel with the lead
// into its workflow (Lead.Intake) and are not part of the stored lead.
type IntakeOptions struct {
	// DuplicatePolicy overrides the policy configured for the lead's source.
	DuplicatePolicy DuplicatePolicy `json:"duplicate_policy,omitempty"`
	// PoolID puts the lead in this pool instead of the one routing chooses
	// (an import's target pool).
	PoolID string `json:"pool_id,omitempty"`
	// InviterID is the rep whose invite link registered the lead: it goes
	// to that rep's private pool while there is room.
	InviterID string `json:"inviter_id,omitempty"`
	// ImportID and Row name the import row that created the lead.
	ImportID string `json:"import_id,omitempty"`
	Row      int    `json:"row,omitempty"`
}
