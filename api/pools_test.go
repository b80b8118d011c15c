package api_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

func poolIDs(t *testing.T, r apptest.Response) []string {
	t.Helper()
	var list struct {
		Items      []lead.Pool `json:"items"`
		NextCursor string      `json:"next_cursor"`
	}
	r.JSON(t, &list)
	ids := make([]string, len(list.Items))
	for i, p := range list.Items {
		ids[i] = p.ID
	}
	return ids
}

func sortedIDs(ids ...string) []string {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return ids
}

func TestTeamsAndUserPatchAPI(t *testing.T) {
	s := apptest.NewStack(t)
	repID, rep := s.CreateRep("Rita", 5)
	otherID, _ := s.CreateRep("Otto", 5)
	_, mgr := s.PoolStaff("Max", lead.RoleManager)

	var team lead.Team
	r := s.Expect(s.Do("POST", "/api/v1/teams", s.Admin, `{"name":"North"}`), 201)
	r.JSON(t, &team)
	if team.ID == "" || team.Name != "North" || r.Header.Get("Location") != "/api/v1/teams/"+team.ID {
		t.Fatalf("team: %+v %v", team, r.Header)
	}
	if p := s.Expect(s.Do("POST", "/api/v1/teams", s.Admin, `{"name":"North"}`), 409).Problem(t); p.Code != "conflict" {
		t.Fatalf("duplicate team: %+v", p)
	}
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/teams", s.Admin, `{"name":" "}`), "name")
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/teams", s.Admin, `{"name":"X","colour":"red"}`), "colour")
	s.Expect(s.Do("POST", "/api/v1/teams", rep, `{"name":"Rogue"}`), 403)
	s.Expect(s.Do("POST", "/api/v1/teams", mgr, `{"name":"Rogue"}`), 403)
	s.Expect(s.Do("POST", "/api/v1/teams", "", `{"name":"Rogue"}`), 401)
	s.Expect(s.Do("POST", "/api/v1/teams", s.Admin, `{"name":"South"}`), 201)

	var teams struct {
		Items      []lead.Team `json:"items"`
		NextCursor string      `json:"next_cursor"`
	}
	s.Expect(s.Do("GET", "/api/v1/teams?limit=1", rep, ""), 200).JSON(t, &teams)
	if len(teams.Items) != 1 || teams.Items[0].ID != team.ID || teams.NextCursor == "" {
		t.Fatalf("teams page 1: %+v", teams)
	}
	cursor := teams.NextCursor
	teams.Items, teams.NextCursor = nil, ""
	s.Expect(s.Do("GET", "/api/v1/teams?limit=1&cursor="+cursor, rep, ""), 200).JSON(t, &teams)
	if len(teams.Items) != 1 || teams.Items[0].Name != "South" || teams.NextCursor != "" {
		t.Fatalf("teams page 2: %+v", teams)
	}
	apptest.FieldProblem(t, s.Do("GET", "/api/v1/teams?limit=0", rep, ""), "limit")
	s.Expect(s.Do("GET", "/api/v1/teams", "", ""), 401)

	// An admin patches any field; absent fields stay.
	var u lead.User
	s.Expect(s.Do("PATCH", "/api/v1/users/"+repID, s.Admin, `{"away":true,"capacity":7,"team_id":"`+team.ID+`"}`), 200).JSON(t, &u)
	if !u.Away || u.Capacity != 7 || u.TeamID != team.ID || u.Name != "Rita" || u.DailyClaimLimit != lead.DefaultDailyClaimLimit || !u.Active {
		t.Fatalf("patched by admin: %+v", u)
	}
	// null takes the user out of the team.
	u = lead.User{}
	s.Expect(s.Do("PATCH", "/api/v1/users/"+repID, s.Admin, `{"team_id":null}`), 200).JSON(t, &u)
	if u.TeamID != "" || !u.Away || u.Capacity != 7 {
		t.Fatalf("team cleared: %+v", u)
	}
	// A rep sets their own away flag, and nothing else.
	u = lead.User{}
	s.Expect(s.Do("PATCH", "/api/v1/users/"+repID, rep, `{"away":false}`), 200).JSON(t, &u)
	if u.Away || u.Capacity != 7 {
		t.Fatalf("patched by self: %+v", u)
	}
	s.Expect(s.Do("PATCH", "/api/v1/users/"+repID, rep, `{"capacity":500}`), 403)
	s.Expect(s.Do("PATCH", "/api/v1/users/"+repID, rep, `{"away":true,"role":"admin"}`), 403)
	s.Expect(s.Do("PATCH", "/api/v1/users/"+otherID, rep, `{"away":true}`), 403)
	s.Expect(s.Do("PATCH", "/api/v1/users/"+otherID, mgr, `{"away":true}`), 403)
	s.Expect(s.Do("PATCH", "/api/v1/users/"+repID, "", `{"away":true}`), 401)

	apptest.FieldProblem(t, s.Do("PATCH", "/api/v1/users/"+repID, s.Admin, `{"capacity":-1}`), "capacity")
	apptest.FieldProblem(t, s.Do("PATCH", "/api/v1/users/"+repID, s.Admin, `{"capacity":"many"}`), "capacity")
	apptest.FieldProblem(t, s.Do("PATCH", "/api/v1/users/"+repID, s.Admin, `{"away":null}`), "away")
	apptest.FieldProblem(t, s.Do("PATCH", "/api/v1/users/"+repID, s.Admin, `{"role":"boss"}`), "role")
	apptest.FieldProblem(t, s.Do("PATCH", "/api/v1/users/"+repID, s.Admin, `{"team_id":"`+uuid.NewString()+`"}`), "team_id")
	apptest.FieldProblem(t, s.Do("PATCH", "/api/v1/users/"+repID, s.Admin, `{"email":"x@example.com"}`), "email")
	s.Expect(s.Do("PATCH", "/api/v1/users/"+uuid.NewString(), s.Admin, `{"away":true}`), 404)
	s.Expect(s.Do("PATCH", "/api/v1/users/nope", s.Admin, `{"away":true}`), 404)

	// The only admin cannot demote themselves.
	var me lead.User
	s.Expect(s.Do("GET", "/api/v1/me", s.Admin, ""), 200).JSON(t, &me)
	s.Expect(s.Do("PATCH", "/api/v1/users/"+me.ID, s.Admin, `{"role":"rep"}`), 409)
}

func TestPoolsAPI(t *testing.T) {
	s := apptest.NewStack(t)
	m1ID, m1 := s.PoolStaff("Mia", lead.RoleManager)
	m2ID, m2 := s.PoolStaff("Moe", lead.RoleManager)
	r1ID, r1 := s.CreateRep("Rita", 5)
	r2ID, _ := s.CreateRep("Rolf", 5)
	var team lead.Team
	s.Expect(s.Do("POST", "/api/v1/teams", s.Admin, `{"name":"East"}`), 201).JSON(t, &team)

	// Create a country pool; the first admin owns it.
	body := fmt.Sprintf(`{"name":"China","scope":"country","country":"cn","admin_ids":[%q],"member_ids":[%q,%q],
		"weights":{%q:3},"policy":{"distribution":"weighted","accept_timeout":"30m","no_follow_up_after":"7d",
		"remind_before":"1d","cooldown":"36h","claim_when":"lead.country == \"CN\""}}`, m1ID, r1ID, r2ID, r1ID)
	r := s.Expect(s.Do("POST", "/api/v1/pools", s.Admin, body), 201)
	var cn lead.Pool
	r.JSON(t, &cn)
	if cn.ID == "" || r.Header.Get("Location") != "/api/v1/pools/"+cn.ID || cn.Country != "CN" || cn.OwnerID != m1ID ||
		!slices.Equal(cn.AdminIDs, []string{m1ID}) || !slices.Equal(sortedIDs(cn.MemberIDs...), sortedIDs(r1ID, r2ID)) ||
		cn.Weights[r1ID] != 3 || cn.Weights[r2ID] != 1 || cn.Policy.Distribution != "weighted" {
		t.Fatalf("created: %+v", cn)
	}
	// The JSON is DESIGN.md's pool: durations are strings.
	var raw map[string]any
	r.JSON(t, &raw)
	pol, _ := raw["policy"].(map[string]any)
	for _, k := range []string{"id", "name", "scope", "country", "admin_ids", "member_ids", "policy", "owner_id", "weights"} {
		if _, ok := raw[k]; !ok {
			t.Fatalf("pool JSON lacks %s: %s", k, r.Body)
		}
	}
	if pol["accept_timeout"] != "30m" || pol["no_follow_up_after"] != "7d" || pol["remind_before"] != "1d" || pol["cooldown"] != "36h" ||
		pol["auto_accept"] != false {
		t.Fatalf("policy JSON: %s", r.Body)
	}

	// A team pool for Rita, another she is not in.
	var mine, closed lead.Pool
	s.Expect(s.Do("POST", "/api/v1/pools", s.Admin, fmt.Sprintf(`{"name":"East team","scope":"team","team_id":%q,"member_ids":[%q]}`,
		team.ID, r1ID)), 201).JSON(t, &mine)
	s.Expect(s.Do("POST", "/api/v1/pools", s.Admin, fmt.Sprintf(`{"name":"East closed","scope":"team","team_id":%q,"owner_id":%q}`,
		team.ID, m2ID)), 201).JSON(t, &closed)
	if closed.OwnerID != m2ID || !slices.Equal(closed.AdminIDs, []string{m2ID}) || closed.Policy.Distribution != lead.DistributionClaimOnly {
		t.Fatalf("closed pool: %+v", closed)
	}

	// Who may create.
	s.Expect(s.Do("POST", "/api/v1/pools", m1, `{"name":"Mine","scope":"global"}`), 403)
	s.Expect(s.Do("POST", "/api/v1/pools", r1, `{"name":"Mine","scope":"global"}`), 403)
	s.Expect(s.Do("POST", "/api/v1/pools", "", `{"name":"Mine","scope":"global"}`), 401)
	s.Expect(s.Do("POST", "/api/v1/pools", "lf_bogus", `{"name":"Mine","scope":"global"}`), 401)

	// Validation.
	reason := apptest.FieldProblem(t, s.Do("POST", "/api/v1/pools", s.Admin, `{"name":"B","scope":"global","policy":{"accept_timeout":"-5m"}}`),
		"policy.accept_timeout")
	if !strings.Contains(reason, "duration") {
		t.Fatalf("accept_timeout reason: %q", reason)
	}
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/pools", s.Admin, `{"name":"B","scope":"global","policy":{"accept_timeout":"soon"}}`), "policy.accept_timeout")
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/pools", s.Admin, `{"name":"B","scope":"global","policy":{"accept_timeout":true}}`), "policy.accept_timeout")
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/pools", s.Admin, `{"name":"B","scope":"country"}`), "country")
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/pools", s.Admin, `{"name":"B","scope":"global","country":"CN"}`), "country")
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/pools", s.Admin, `{"name":"B","scope":"team"}`), "team_id")
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/pools", s.Admin, `{"name":"B","scope":"team","team_id":"`+uuid.NewString()+`"}`), "team_id")
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/pools", s.Admin, `{"name":"B","scope":"galaxy"}`), "scope")
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/pools", s.Admin, `{"scope":"global"}`), "name")
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/pools", s.Admin, `{"name":"B","scope":"global","colour":"red"}`), "colour")
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/pools", s.Admin, `{"name":"B","scope":"global","policy":{"colour":"red"}}`), "policy.colour")
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/pools", s.Admin, `{"name":"B","scope":"global","policy":{"distribution":"random"}}`), "policy.distribution")
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/pools", s.Admin, `{"name":"B","scope":"global","policy":{"no_conversion_after":"2h","remind_before":"3h"}}`), "policy.remind_before")
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/pools", s.Admin, `{"name":"B","scope":"global","admin_ids":["`+r1ID+`"]}`), "admin_ids")
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/pools", s.Admin, `{"name":"B","scope":"global","member_ids":["`+uuid.NewString()+`"]}`), "member_ids")
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/pools", s.Admin, `{"name":"B","scope":"global","member_ids":"all"}`), "member_ids")
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/pools", s.Admin, `{"name":"B","scope":"global","weights":{"`+r1ID+`":2}}`), "weights")
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/pools", s.Admin, `{"name":"B","scope":"global","member_ids":["`+r1ID+`"],"weights":{"`+r1ID+`":1.5}}`), "weights")
	// An expression that does not compile: the rule-set problem with line and column.
	p := s.Expect(s.Do("POST", "/api/v1/pools", s.Admin, `{"name":"B","scope":"global","policy":{"claim_when":"lead.country ==\n  lead.nope"}}`), 422).Problem(t)
	if p.Code != "rules_invalid" || len(p.Errors) != 1 || p.Errors[0].Field != "policy.claim_when" || !strings.Contains(p.Errors[0].Reason, "line 2, column") ||
		len(p.CompileErrors) != 1 || p.CompileErrors[0].Line != 2 || p.CompileErrors[0].Field != "policy.claim_when" {
		t.Fatalf("claim_when problem: %+v", p)
	}
	p = s.Expect(s.Do("POST", "/api/v1/pools", s.Admin, `{"name":"B","scope":"global","policy":{"reclaim_exempt_when":"lead.score"}}`), 422).Problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "policy.reclaim_exempt_when" || !strings.Contains(p.Errors[0].Reason, "line 1, column") {
		t.Fatalf("reclaim_exempt_when problem: %+v", p)
	}

	// Reading.
	var got lead.Pool
	s.Expect(s.Do("GET", "/api/v1/pools/"+cn.ID, r1, ""), 200).JSON(t, &got)
	if got.ID != cn.ID || got.Policy.ClaimWhen != `lead.country == "CN"` || got.Policy.Cooldown != cn.Policy.Cooldown {
		t.Fatalf("get: %+v", got)
	}
	s.Expect(s.Do("GET", "/api/v1/pools/"+uuid.NewString(), s.Admin, ""), 404)
	s.Expect(s.Do("GET", "/api/v1/pools/not-a-pool", s.Admin, ""), 404)
	s.Expect(s.Do("GET", "/api/v1/pools/"+cn.ID, "", ""), 401)
	// Rita sees the global and country pools and her team pool, not the other team pool.
	if ids := poolIDs(t, s.Expect(s.Do("GET", "/api/v1/pools", r1, ""), 200)); !slices.Equal(ids, []string{lead.DefaultPoolID, cn.ID, mine.ID}) {
		t.Fatalf("rep lists %v", ids)
	}
	s.Expect(s.Do("GET", "/api/v1/pools/"+closed.ID, r1, ""), 403)
	if ids := poolIDs(t, s.Expect(s.Do("GET", "/api/v1/pools", m1, ""), 200)); !slices.Equal(ids, []string{lead.DefaultPoolID, cn.ID, mine.ID, closed.ID}) {
		t.Fatalf("manager lists %v", ids)
	}
	if ids := poolIDs(t, s.Expect(s.Do("GET", "/api/v1/pools?scope=team", s.Admin, ""), 200)); !slices.Equal(ids, []string{mine.ID, closed.ID}) {
		t.Fatalf("team pools %v", ids)
	}
	apptest.FieldProblem(t, s.Do("GET", "/api/v1/pools?scope=galaxy", s.Admin, ""), "scope")
	var pg struct {
		Items      []lead.Pool `json:"items"`
		NextCursor string      `json:"next_cursor"`
	}
	s.Expect(s.Do("GET", "/api/v1/pools?limit=3", s.Admin, ""), 200).JSON(t, &pg)
	if len(pg.Items) != 3 || pg.NextCursor == "" {
		t.Fatalf("page 1: %+v", pg)
	}
	if ids := poolIDs(t, s.Expect(s.Do("GET", "/api/v1/pools?limit=3&cursor="+pg.NextCursor, s.Admin, ""), 200)); !slices.Equal(ids, []string{closed.ID}) {
		t.Fatalf("page 2: %v", ids)
	}
	apptest.FieldProblem(t, s.Do("GET", "/api/v1/pools?cursor=zzz", s.Admin, ""), "cursor")

	// PATCH: Mia administers the China pool (its policy, members and
	// weights; its name is for admins); Moe does not; reps never.
	var patched lead.Pool
	p = s.Expect(s.Do("PATCH", "/api/v1/pools/"+cn.ID, m1, `{"name":"China mainland","policy":{"cooldown":"2d"}}`), 403).Problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "name" {
		t.Fatalf("a pool admin renames the pool: %+v", p)
	}
	s.Expect(s.Do("PATCH", "/api/v1/pools/"+cn.ID, s.Admin, `{"name":"China mainland"}`), 200)
	s.Expect(s.Do("PATCH", "/api/v1/pools/"+cn.ID, m1, `{"policy":{"cooldown":"2d","claim_when":null}}`), 200).JSON(t, &patched)
	if patched.Name != "China mainland" || patched.Policy.Cooldown != lead.Wall(48*3600e9) || patched.Policy.ClaimWhen != "" ||
		patched.Policy.AcceptTimeout != cn.Policy.AcceptTimeout || patched.Policy.Distribution != "weighted" || patched.Country != "CN" ||
		patched.Weights[r1ID] != 3 || patched.OwnerID != m1ID {
		t.Fatalf("patched: %+v", patched)
	}
	s.Expect(s.Do("PATCH", "/api/v1/pools/"+cn.ID, m2, `{"name":"Mine now"}`), 403)
	s.Expect(s.Do("PATCH", "/api/v1/pools/"+cn.ID, r1, `{"name":"Mine now"}`), 403)
	s.Expect(s.Do("PATCH", "/api/v1/pools/"+cn.ID, "", `{"name":"Mine now"}`), 401)
	s.Expect(s.Do("PATCH", "/api/v1/pools/"+uuid.NewString(), s.Admin, `{"name":"x"}`), 404)
	s.Expect(s.Do("PATCH", "/api/v1/pools/"+uuid.NewString(), m1, `{"name":"x"}`), 404)
	apptest.FieldProblem(t, s.Do("PATCH", "/api/v1/pools/"+cn.ID, s.Admin, `{"country":null}`), "country")
	apptest.FieldProblem(t, s.Do("PATCH", "/api/v1/pools/"+cn.ID, m1, `{"policy":{"accept_timeout":"-1h"}}`), "policy.accept_timeout")
	apptest.FieldProblem(t, s.Do("PATCH", "/api/v1/pools/"+cn.ID, m1, `{"owner_id":"`+m2ID+`"}`), "owner_id")
	apptest.FieldProblem(t, s.Do("PATCH", "/api/v1/pools/"+cn.ID, s.Admin, `{"admin_ids":[]}`), "admin_ids")
	apptest.FieldProblem(t, s.Do("PATCH", "/api/v1/pools/"+cn.ID, m1, `{"name":null}`), "name")
	apptest.FieldProblem(t, s.Do("PATCH", "/api/v1/pools/"+cn.ID, m1, `{"policy":null}`), "policy")
	p = s.Expect(s.Do("PATCH", "/api/v1/pools/"+cn.ID, m1, `{"policy":{"claim_when":"rep.nope"}}`), 422).Problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "policy.claim_when" || !strings.Contains(p.Errors[0].Reason, "line 1, column") {
		t.Fatalf("patch claim_when problem: %+v", p)
	}
	// The admin patches anything: Moe joins the admins, Rolf leaves, Rita's weight is reset.
	patched = lead.Pool{}
	s.Expect(s.Do("PATCH", "/api/v1/pools/"+cn.ID, s.Admin, fmt.Sprintf(`{"admin_ids":[%q,%q],"member_ids":[%q],"weights":{%q:null}}`,
		m1ID, m2ID, r1ID, r1ID)), 200).JSON(t, &patched)
	if !slices.Equal(sortedIDs(patched.AdminIDs...), sortedIDs(m1ID, m2ID)) || !slices.Equal(patched.MemberIDs, []string{r1ID}) ||
		len(patched.Weights) != 1 || patched.Weights[r1ID] != 1 || patched.Name != "China mainland" {
		t.Fatalf("patched by admin: %+v", patched)
	}
	patched = lead.Pool{}
	s.Expect(s.Do("PATCH", "/api/v1/pools/"+cn.ID, m2, `{"policy":{"auto_accept":true}}`), 200).JSON(t, &patched)
	if !patched.Policy.AutoAccept || patched.Policy.Cooldown != lead.Wall(48*3600e9) {
		t.Fatalf("patched by the new admin: %+v", patched)
	}

	// Transfer ownership: only admins and the owner; the new owner is a manager or an admin.
	s.Expect(s.Do("POST", "/api/v1/pools/"+cn.ID+"/transfer-ownership", m2, `{"admin_id":"`+m2ID+`"}`), 403)
	s.Expect(s.Do("POST", "/api/v1/pools/"+cn.ID+"/transfer-ownership", r1, `{"admin_id":"`+m2ID+`"}`), 403)
	s.Expect(s.Do("POST", "/api/v1/pools/"+cn.ID+"/transfer-ownership", "", `{"admin_id":"`+m2ID+`"}`), 401)
	reason = apptest.FieldProblem(t, s.Do("POST", "/api/v1/pools/"+cn.ID+"/transfer-ownership", m1, `{"admin_id":"`+r1ID+`"}`), "admin_id")
	if !strings.Contains(reason, "rep") {
		t.Fatalf("rep as owner: %q", reason)
	}
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/pools/"+cn.ID+"/transfer-ownership", m1, `{"admin_id":"`+uuid.NewString()+`"}`), "admin_id")
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/pools/"+cn.ID+"/transfer-ownership", m1, `{}`), "admin_id")
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/pools/"+cn.ID+"/transfer-ownership", m1, `{"user_id":"x"}`), "user_id")
	s.Expect(s.Do("POST", "/api/v1/pools/"+uuid.NewString()+"/transfer-ownership", s.Admin, `{"admin_id":"`+m2ID+`"}`), 404)

	var moved lead.Pool
	s.Expect(s.Do("POST", "/api/v1/pools/"+cn.ID+"/transfer-ownership", m1, `{"admin_id":"`+m2ID+`"}`), 200).JSON(t, &moved)
	if moved.OwnerID != m2ID || !slices.Equal(moved.AdminIDs, []string{m2ID}) || !slices.Equal(sortedIDs(moved.MemberIDs...), sortedIDs(r1ID, m1ID)) {
		t.Fatalf("after transfer: %+v", moved)
	}
	// Mia is a member now, no longer an admin: she can neither patch nor transfer.
	s.Expect(s.Do("PATCH", "/api/v1/pools/"+cn.ID, m1, `{"name":"Back"}`), 403)
	s.Expect(s.Do("POST", "/api/v1/pools/"+cn.ID+"/transfer-ownership", m1, `{"admin_id":"`+m1ID+`"}`), 403)
	// The admin may transfer any pool.
	var adminMe lead.User
	s.Expect(s.Do("GET", "/api/v1/me", s.Admin, ""), 200).JSON(t, &adminMe)
	moved = lead.Pool{}
	s.Expect(s.Do("POST", "/api/v1/pools/"+cn.ID+"/transfer-ownership", s.Admin, `{"admin_id":"`+adminMe.ID+`"}`), 200).JSON(t, &moved)
	if moved.OwnerID != adminMe.ID || !slices.Equal(moved.AdminIDs, []string{adminMe.ID}) {
		t.Fatalf("transferred by admin: %+v", moved)
	}
	var stored lead.Pool
	s.Expect(s.Do("GET", "/api/v1/pools/"+cn.ID, s.Admin, ""), 200).JSON(t, &stored)
	if stored.OwnerID != adminMe.ID || !slices.Contains(stored.MemberIDs, m2ID) || slices.Contains(stored.AdminIDs, m2ID) {
		t.Fatalf("stored after transfers: %+v", stored)
	}
	// A pool admin cannot become a rep: Moe still owns the closed team pool.
	p = s.Expect(s.Do("PATCH", "/api/v1/users/"+m2ID, s.Admin, `{"role":"rep"}`), 409).Problem(t)
	if len(p.Reasons) != 1 || !strings.Contains(p.Reasons[0], "East closed") {
		t.Fatalf("demote a pool admin: %+v", p)
	}
	// Mia administers no pool any more.
	var mia lead.User
	s.Expect(s.Do("PATCH", "/api/v1/users/"+m1ID, s.Admin, `{"role":"rep"}`), 200).JSON(t, &mia)
	if mia.Role != lead.RoleRep {
		t.Fatalf("demoted: %+v", mia)
	}
}

// TestPolicyMinimum: a pool timer shorter than the configured minimum is
// refused naming the field; zero turns a timer off.
func TestPolicyMinimum(t *testing.T) {
	s := apptest.NewStack(t)
	r := s.Do("POST", "/api/v1/pools", s.Admin, `{"name":"Hasty","scope":"global","policy":{"no_follow_up_after":"1ms","cooldown":"0s"}}`)
	if reason := apptest.FieldProblem(t, r, "policy.no_follow_up_after"); !strings.Contains(reason, "at least 1s") {
		t.Fatalf("reason %q", reason)
	}
	s.Expect(s.Do("POST", "/api/v1/pools", s.Admin, `{"name":"Calm","scope":"global","policy":{"no_follow_up_after":"2s","cooldown":"0s"}}`), 201)
}
