package web

import "github.com/leadflow/leadflow/lead"

// IgnoredRow is one ignored company of /companies, with its list's name
// ("" the global list) and whether the reader may remove it.
type IgnoredRow struct {
	lead.IgnoredCompany
	TeamName  string
	Removable bool
}

// CompaniesPage is the data of /companies: the ignored companies the
// reader sees and the form that adds one (Teams: the lists an admin may
// choose; a manager adds to their team's).
type CompaniesPage struct {
	Ignored   []IgnoredRow
	Teams     []Choice
	CanAdd    bool
	RequestID string
	Form      map[string]string
	Errors    map[string]string
}
