package web

import (
	"time"

	"github.com/leadflow/leadflow/internal/linediff"
	"github.com/leadflow/leadflow/rules"
)

// This file holds the data of the rules pages: the list of rule-set kinds,
// a kind's editor (with its test, preview and versions) and one version
// compared with the active one.

// RuleKind is one kind on the rules page, with its active version.
type RuleKind struct {
	Kind, About string
	Version     int
	By          string // who saved the active version
	At          time.Time
}

// RuleEditor is the data of a rule kind's page. Source is the text in the
// editor: the active version, or the draft the user sent.
type RuleEditor struct {
	RuleKind
	Source string
	Draft  bool  // Source is what the user sent, not a stored version
	Rows   int   // the editor's height in lines
	Lines  []int // the line numbers beside the source
	// Errors are the compile errors of the draft, placed in Source; Bad
	// the lines they are on.
	Errors   []SourceError
	Bad      map[int]bool
	BadLines string // Bad as "3 7", for the script that keeps the marks
	CanWrite bool   // the user may save and activate
	Sample   string // the sample lead (JSON) of the test form
	Limit    int    // how many recent leads the preview judges
	Test     *RuleTest
	Preview  *RulePreview
	Versions []RuleVersion
	// Environment is what a rule may use, for reference.
	Environment []rules.Symbol
}

// SourceError is a compile error at a line and column of the editor.
type SourceError struct {
	Line, Column         int
	Field, Rule, Message string
}

// RuleTest is a draft's outcome on the sample lead, with its trace.
type RuleTest struct {
	Decision string
	Errors   []string
	Trace    []rules.TraceStep
}

// RulePreview is what a draft would have decided on recent leads.
type RulePreview struct {
	Sample, Changed, Errors       int
	RejectedBefore, RejectedAfter int
	Validation                    bool // the rejected counts apply
	ErrorSamples                  []string
	Rows                          []PreviewRow
	Unlisted                      int // leads judged but not in Rows
	ActiveVersion                 int
}

// PreviewRow is one lead of a preview: its decision by the active version
// and by the draft.
type PreviewRow struct {
	LeadID, Company string
	CreatedAt       time.Time
	Before, After   string
	Changed         bool
}

// RuleVersion is one stored version in a kind's version list.
type RuleVersion struct {
	Version int
	Active  bool
	By      string
	At      time.Time
}

// RuleVersionPage compares one version of a kind with the active version.
type RuleVersionPage struct {
	Kind          string
	Version       RuleVersion
	ActiveVersion int
	Hunks         []linediff.Hunk // from the active version to this one
	Source        string
	CanWrite      bool
}
