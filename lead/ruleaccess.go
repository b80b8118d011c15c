package lead

import "slices"

// Who may work on the rule sets: readers see them, test drafts and preview
// them over recent leads; writers also save and activate versions. The
// API's routes and the console's pages both check these.
var (
	RuleReaders = []Role{RoleAdmin, RoleManager}
	RuleWriters = []Role{RoleAdmin}
)

// MayWriteRules reports whether u may save and activate rule sets.
func (u User) MayWriteRules() bool { return slices.Contains(RuleWriters, u.Role) }
