package api_test

import (
	"fmt"
	"testing"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// managedTeam makes a team with a manager and returns the team's and the
// manager's ids and the manager's token.
func managedTeam(s *apptest.Stack, name string) (team, mgrID, mgr string) {
	var t struct{ ID string }
	s.Expect(s.Do("POST", "/api/v1/teams", s.Admin, fmt.Sprintf(`{"name":%q}`, name)), 201).JSON(s.T, &t)
	mgrID, mgr = s.PoolStaff(name+"boss", lead.RoleManager)
	s.Expect(s.Do("PATCH", "/api/v1/users/"+mgrID, s.Admin, fmt.Sprintf(`{"team_id":%q}`, t.ID)), 200)
	return t.ID, mgrID, mgr
}

// TestIgnoredCompanies: an admin keeps the global list, a manager their
// team's; names match normalised (a retry or another spelling adds
// nothing); a manager can neither add to nor remove from another team's
// list nor the global one (403), and a rep cannot read it.
func TestIgnoredCompanies(t *testing.T) {
	s := apptest.NewStack(t)
	teamA, _, mgrA := managedTeam(s, "IgnorersA")
	teamB, _, mgrB := managedTeam(s, "IgnorersB")
	_, rep := s.CreateRep("Nosy", 5)

	var global, again lead.IgnoredCompany
	s.Expect(s.Do("POST", "/api/v1/companies/ignored", s.Admin, `{"name":"Acme Trading Co., Ltd."}`), 201).JSON(t, &global)
	s.Expect(s.Do("POST", "/api/v1/companies/ignored", s.Admin, `{"name":"ACME trading"}`), 201).JSON(t, &again)
	if global.Key != "acme trading" || global.TeamID != "" || again.ID != global.ID {
		t.Fatalf("global entry %+v, the same company again %+v", global, again)
	}
	for body, field := range map[string]string{`{"name":"  ..  "}`: "name", `{}`: "name", `{"name":"Beta","team_id":"nope"}`: "team_id"} {
		apptest.FieldProblem(t, s.Expect(s.Do("POST", "/api/v1/companies/ignored", s.Admin, body), 422), field)
	}
	var mine lead.IgnoredCompany
	s.Expect(s.Do("POST", "/api/v1/companies/ignored", mgrA, `{"name":"Beta Widgets 有限公司"}`), 201).JSON(t, &mine)
	if mine.TeamID != teamA || mine.Key != "beta widgets" {
		t.Fatalf("the manager's entry: %+v", mine)
	}
	// The attacker: team B's manager, and a rep.
	s.Expect(s.Do("POST", "/api/v1/companies/ignored", mgrB, fmt.Sprintf(`{"name":"Gamma","team_id":%q}`, teamA)), 403)
	s.Expect(s.Do("DELETE", "/api/v1/companies/ignored/"+mine.ID, mgrB, ""), 403)
	s.Expect(s.Do("DELETE", "/api/v1/companies/ignored/"+global.ID, mgrA, ""), 403)
	s.Expect(s.Do("POST", "/api/v1/companies/ignored", rep, `{"name":"Delta"}`), 403)
	s.Expect(s.Do("GET", "/api/v1/companies/ignored", rep, ""), 403)
	s.Expect(s.Do("DELETE", "/api/v1/companies/ignored/not-an-id", s.Admin, ""), 404)

	var page struct{ Items []lead.IgnoredCompany }
	s.Expect(s.Do("GET", "/api/v1/companies/ignored", mgrB, ""), 200).JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0].ID != global.ID {
		t.Fatalf("team B's manager sees %+v", page.Items)
	}
	s.Expect(s.Do("POST", "/api/v1/companies/ignored", s.Admin, fmt.Sprintf(`{"name":"Epsilon","team_id":%q}`, teamB)), 201)
	s.Expect(s.Do("GET", "/api/v1/companies/ignored", s.Admin, ""), 200).JSON(t, &page)
	if len(page.Items) != 3 {
		t.Fatalf("the admin sees %+v", page.Items)
	}
	s.Expect(s.Do("DELETE", "/api/v1/companies/ignored/"+mine.ID, mgrA, ""), 204)
	s.Expect(s.Do("DELETE", "/api/v1/companies/ignored/"+mine.ID, mgrA, ""), 404)
}
