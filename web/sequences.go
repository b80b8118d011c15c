package web

import "github.com/leadflow/leadflow/lead"

// SequencesPage is /sequences (Sequence nil: the list and a new
// sequence's form) or one sequence's page with its form and its report.
type SequencesPage struct {
	Sequences []lead.Sequence
	Sequence  *lead.Sequence
	// Steps describes each step of Sequence for the reader.
	Steps  []string
	Funnel []FunnelStep
	Pools  []Choice
	// Form holds name and steps (one step a line), PoolIDs the pools ticked.
	Form    map[string]string
	PoolIDs map[string]bool
	Errors  map[string]string
	// RequestID is the new sequence form's: sent twice, it makes one.
	RequestID string
}

// LeadSequences is the Sequences panel of a lead's page: where the lead
// is in each sequence, and (CanEnrol) the sequences it may be enrolled in.
type LeadSequences struct {
	Enrolments []lead.Enrolment
	CanEnrol   bool
	Sequences  []Choice
}
