package api_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/leadflow/leadflow/api"
	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/rules"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/worker"
	"github.com/leadflow/leadflow/workflows"
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

// registeredEvents are the "registered" events of lead id's history.
func registeredEvents(s *apptest.Stack, id string) []lead.Event {
	var out []lead.Event
	for _, e := range s.History(id) {
		if e.Type == lead.EventAutoRegistered {
			out = append(out, e)
		}
	}
	return out
}

// TestAutoRegistration (seed 003): a lead created matching a group of the
// registration rules is registered once, with the rule version in its
// history, and lead.registered is delivered once; a lead created not
// matching registers when an edit makes it match, and not again; a lead of
// an ignored company never does; leads older than the rules are not combed
// through.
func TestAutoRegistration(t *testing.T) {
	s, _ := apptest.NewHookStack(t, worker.Webhooks{PollEvery: 50 * time.Millisecond,
		Retry: workflows.WebhookRetry{Initial: 50 * time.Millisecond, Max: 400 * time.Millisecond, For: 15 * time.Second, Timeout: 5 * time.Second}})
	hooks := apptest.NewReceiver(t)
	s.Expect(s.Do("POST", "/api/v1/webhooks", s.Admin, fmt.Sprintf(`{"url":%q,"events":["lead.registered"]}`, hooks.URL)), 201)

	older := s.CreateLead(`{"company":"Before Rules Trading","phone":"13800138701","country":"CN","email":"a@before.example"}`)
	// Test and preview the draft like any kind: the older lead would be registered by group 1.
	draft := `{"groups":[["lead.country == \"CN\"","lead.email != \"\""],["\"vip\" in lead.tags"]]}`
	var tried rules.Outcome
	s.Expect(s.Do("POST", "/api/v1/rules/registration/test", s.Admin, `{"lead":{"company":"X","tags":["vip"]},"rules":`+draft+`}`), 200).JSON(t, &tried)
	if !tried.Register || tried.Group != 2 {
		t.Fatalf("test of the draft: %+v", tried)
	}
	var prev api.PreviewResult
	s.Expect(s.Do("POST", "/api/v1/rules/registration/preview", s.Admin, `{"rules":`+draft+`}`), 200).JSON(t, &prev)
	if prev.Sample != 1 || prev.Changed != 1 {
		t.Fatalf("preview of the draft: %+v", prev)
	}
	var set lead.RuleSet
	s.Expect(s.Do("PUT", "/api/v1/rules/registration", s.Admin,
		`{"groups":[["lead.country == \"CN\"","lead.email != \"\""],["\"vip\" in lead.tags"]]}`), 200).JSON(t, &set)
	apptest.FieldProblem(t, s.Expect(s.Do("PUT", "/api/v1/rules/registration", s.Admin, `{"groups":[["lead.country =="]]}`), 422), "groups[0][0]")
	s.Expect(s.Do("POST", "/api/v1/companies/ignored", s.Admin, `{"name":"Ignored Buyer Co., Ltd."}`), 201)

	matching := s.CreateLead(`{"company":"Match Trading","phone":"13800138702","country":"CN","email":"b@match.example"}`)
	later := s.CreateLead(`{"company":"Later Trading","phone":"13800138703","country":"CN"}`)
	ignored := s.CreateLead(`{"company":"IGNORED BUYER CO","phone":"13800138704","country":"CN","email":"c@ignored.example"}`)

	if got := registeredEvents(s, matching.ID); len(got) != 1 || got[0].RuleVersion != set.Version || got[0].RuleKind != "registration" {
		t.Fatalf("the matching lead's registrations: %+v (rules v%d)", got, set.Version)
	}
	if s.GetLead(matching.ID).RegisteredAt == nil {
		t.Error("the matching lead has no registered_at")
	}
	for _, id := range []string{older.ID, later.ID, ignored.ID} {
		if got := registeredEvents(s, id); len(got) != 0 || s.GetLead(id).RegisteredAt != nil {
			t.Errorf("lead %s registered: %+v", id, got)
		}
	}

	// An edit that makes the lead match registers it then (the second group); another edit does not again.
	s.Expect(s.Do("PATCH", "/api/v1/leads/"+later.ID, s.Admin, `{"tags":["vip"]}`), 200)
	got := registeredEvents(s, later.ID)
	if len(got) != 1 || got[0].RuleVersion != set.Version || fmt.Sprint(got[0].Data["group"]) != "2" {
		t.Fatalf("after the edit: %+v", got)
	}
	s.Expect(s.Do("PATCH", "/api/v1/leads/"+later.ID, s.Admin, `{"notes":"still vip"}`), 200)
	s.Expect(s.Do("PATCH", "/api/v1/leads/"+ignored.ID, s.Admin, `{"tags":["vip"]}`), 200)
	if n, m := len(registeredEvents(s, later.ID)), len(registeredEvents(s, ignored.ID)); n != 1 || m != 0 {
		t.Fatalf("registrations after more edits: %d of the edited lead, %d of the ignored company's", n, m)
	}

	// lead.registered: once per registered lead, naming it.
	want := map[string]bool{matching.ID: true, later.ID: true}
	s.WaitFor(10*time.Second, "two lead.registered deliveries", func() bool { return len(hooks.Got()) >= 2 })
	time.Sleep(300 * time.Millisecond) // a duplicate would come now
	seen := map[string]int{}
	for _, r := range hooks.Got() {
		apptest.CheckWebhookEvent(t, r.Body)
		var ev struct {
			Type string
			Data struct{ Lead lead.Lead }
		}
		if err := json.Unmarshal(r.Body, &ev); err != nil || ev.Type != "lead.registered" || !want[ev.Data.Lead.ID] {
			t.Errorf("delivery %s: %s (%v)", r.ID, r.Body, err)
		}
		seen[ev.Data.Lead.ID]++
	}
	if len(seen) != 2 || seen[matching.ID] != 1 || seen[later.ID] != 1 {
		t.Errorf("lead.registered deliveries per lead: %v", seen)
	}
}

// TestAutoAcceptOnEdit: the auto_accept groups are decided again when a
// lead is edited: an offered lead an edit makes match is accepted for the
// rep it is offered to; a lead of an ignored company is not.
func TestAutoAcceptOnEdit(t *testing.T) {
	s := apptest.NewStack(t)
	repID, _ := s.CreateRep("Accepter", 10)
	pool := s.CreatePool(fmt.Sprintf(`{"name":"Offers","scope":"global","member_ids":[%q],"policy":{"distribution":"round_robin","accept_timeout":"1h"}}`, repID))
	s.Expect(s.Do("PUT", "/api/v1/rules/auto_accept", s.Admin, `{"groups":[["\"hot\" in lead.tags"]]}`), 200)
	s.Expect(s.Do("POST", "/api/v1/companies/ignored", s.Admin, `{"name":"Cold Calls Ltd"}`), 201)
	offered := func(body string) lead.Lead {
		l := s.CreateLead(body)
		var moved lead.Lead
		s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/transfer", s.Admin, fmt.Sprintf(`{"pool_id":%q}`, pool)), 200).JSON(t, &moved)
		if moved.Status != lead.StatusOffered || moved.OwnerID != repID {
			t.Fatalf("not offered: %+v", moved)
		}
		return l
	}
	warm := offered(`{"company":"Warm Trading","phone":"13800138711","country":"CN"}`)
	cold := offered(`{"company":"Cold Calls","phone":"13800138712","country":"CN"}`)
	var edited lead.Lead
	s.Expect(s.Do("PATCH", "/api/v1/leads/"+warm.ID, s.Admin, `{"tags":["hot"]}`), 200).JSON(t, &edited)
	if edited.Status != lead.StatusAssigned || edited.OwnerID != repID || s.GetLead(warm.ID).Status != lead.StatusAssigned {
		t.Fatalf("the edited lead that matches: %+v", edited)
	}
	s.Expect(s.Do("PATCH", "/api/v1/leads/"+cold.ID, s.Admin, `{"tags":["hot"]}`), 200).JSON(t, &edited)
	if edited.Status != lead.StatusOffered {
		t.Fatalf("the ignored company's lead: %+v", edited)
	}
}

// TestTeamRegistrationRules: a team's leads follow the supplier's rules
// (shown read-only to its manager) until its manager chooses to define the
// team's own; then only the team's rules register its leads, the team's
// ignore list applies to its pools only, and another team's manager can
// neither read nor change them.
func TestTeamRegistrationRules(t *testing.T) {
	s := apptest.NewStack(t)
	teamA, _, mgrA := managedTeam(s, "Ownrules")
	teamB, _, mgrB := managedTeam(s, "Supplied")
	poolA := s.CreatePool(fmt.Sprintf(`{"name":"Own pool","scope":"team","team_id":%q}`, teamA))
	poolB := s.CreatePool(fmt.Sprintf(`{"name":"Supplied pool","scope":"team","team_id":%q}`, teamB))
	s.Expect(s.Do("PUT", "/api/v1/rules/routing", s.Admin, fmt.Sprintf(`{"rules":[
		{"name":"a","when":"lead.company startsWith \"Alpha\"","pool_id":%q},
		{"name":"b","when":"lead.company startsWith \"Beta\"","pool_id":%q}],"default_pool_id":%q}`, poolA, poolB, lead.DefaultPoolID)), 200)
	var supplier lead.RuleSet
	s.Expect(s.Do("PUT", "/api/v1/rules/registration", s.Admin, `{"groups":[["lead.country == \"CN\""]]}`), 200).JSON(t, &supplier)

	var shown service.TeamRegistration
	s.Expect(s.Do("GET", "/api/v1/teams/"+teamA+"/registration-rules", mgrA, ""), 200).JSON(t, &shown)
	if shown.RegistrationRules != "supplier" || shown.Editable || shown.RuleSet.Version != supplier.Version {
		t.Fatalf("supplier managed: %+v", shown)
	}
	own := `{"groups":[["\"vip\" in lead.tags"]]}`
	s.Expect(s.Do("PUT", "/api/v1/teams/"+teamA+"/registration-rules", mgrA, own), 409)
	// The attacker: team B's manager.
	s.Expect(s.Do("PATCH", "/api/v1/teams/"+teamA, mgrB, `{"registration_rules":"own"}`), 403)
	s.Expect(s.Do("PATCH", "/api/v1/teams/"+teamA, mgrA, `{"name":"Renamed"}`), 403)
	apptest.FieldProblem(t, s.Expect(s.Do("PATCH", "/api/v1/teams/"+teamA, mgrA, `{"registration_rules":"mine"}`), 422), "registration_rules")
	var team lead.Team
	s.Expect(s.Do("PATCH", "/api/v1/teams/"+teamA, mgrA, `{"registration_rules":"own"}`), 200).JSON(t, &team)
	if team.RegistrationRules != "own" {
		t.Fatalf("the team after its choice: %+v", team)
	}
	s.Expect(s.Do("GET", "/api/v1/teams/"+teamA+"/registration-rules", mgrB, ""), 403)
	s.Expect(s.Do("PUT", "/api/v1/teams/"+teamA+"/registration-rules", mgrB, own), 403)
	apptest.FieldProblem(t, s.Expect(s.Do("PUT", "/api/v1/teams/"+teamA+"/registration-rules", mgrA, `{"groups":[["nope("]]}`), 422), "groups[0][0]")
	var saved lead.RuleSet
	s.Expect(s.Do("PUT", "/api/v1/teams/"+teamA+"/registration-rules", mgrA, own), 200).JSON(t, &saved)
	s.Expect(s.Do("GET", "/api/v1/teams/"+teamA+"/registration-rules", mgrA, ""), 200).JSON(t, &shown)
	if saved.Version != 1 || !shown.Editable || shown.RuleSet.Version != 1 {
		t.Fatalf("the team's own rules: saved %+v, shown %+v", saved, shown)
	}
	s.Expect(s.Do("POST", "/api/v1/companies/ignored", mgrA, `{"name":"Alpha Skip Ltd"}`), 201)

	alpha := s.CreateLead(`{"company":"Alpha Trading","phone":"13800138721","country":"CN"}`)
	beta := s.CreateLead(`{"company":"Beta Trading","phone":"13800138722","country":"CN"}`)
	skipped := s.CreateLead(`{"company":"Alpha Skip","phone":"13800138723","country":"CN","tags":["vip"]}`)
	if alpha.PoolID != poolA || beta.PoolID != poolB {
		t.Fatalf("routed to %s and %s", alpha.PoolID, beta.PoolID)
	}
	if got := registeredEvents(s, beta.ID); len(got) != 1 || got[0].RuleVersion != supplier.Version || got[0].Data["rules"] != "supplier" {
		t.Fatalf("the supplied team's lead: %+v", got)
	}
	if n, m := len(registeredEvents(s, alpha.ID)), len(registeredEvents(s, skipped.ID)); n != 0 || m != 0 {
		t.Fatalf("registered by the supplier's rules in a team with its own: %d, ignored %d", n, m)
	}
	s.Expect(s.Do("PATCH", "/api/v1/leads/"+alpha.ID, s.Admin, `{"tags":["vip"]}`), 200)
	got := registeredEvents(s, alpha.ID)
	if len(got) != 1 || got[0].RuleVersion != 1 || got[0].Data["rules"] != "own" || got[0].Data["team_id"] != teamA {
		t.Fatalf("the own team's lead after the edit: %+v", got)
	}
}
