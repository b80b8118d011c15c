package service

import (
	"slices"
	"strings"

	"github.com/leadflow/leadflow/lead"
)

// Role gates: which roles may use an operation at all, before the access
// model decides on the lead or pool it concerns. Both faces read this one
// table (the API's routes, the console's pages and menus); the service's
// methods check it again.

// Gate names a group of operations with the same roles.
type Gate string

// The gates.
const (
	GateRulesRead  Gate = "read rules"
	GateRulesWrite Gate = "change rules"
	GateStaff      Gate = "staff pages" // pools, users, teams, reports for their leads
	GateAdmin      Gate = "admin only"  // users, teams, fields, options, policies, the outbox
	GateImport     Gate = "import"      // imports into the pools one administers
	GateEveryone   Gate = "signed in"   // exports, option lists, field definitions
)

// Gates is the role table.
var Gates = map[Gate][]lead.Role{
	GateRulesRead:  lead.RuleReaders,
	GateRulesWrite: lead.RuleWriters,
	GateStaff:      {lead.RoleAdmin, lead.RoleManager},
	GateAdmin:      {lead.RoleAdmin},
	GateImport:     {lead.RoleAdmin, lead.RoleManager},
	GateEveryone:   {lead.RoleAdmin, lead.RoleManager, lead.RoleRep},
}

// Allowed refuses (forbidden) a user whose role the gate does not let through.
func Allowed(u lead.User, g Gate) error {
	roles := Gates[g]
	if slices.Contains(roles, u.Role) {
		return nil
	}
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	return lead.Errorf(lead.CodeForbidden, "this needs the role %s; you are %s", strings.Join(names, " or "), u.Role)
}
