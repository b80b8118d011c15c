package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestTeamsStayInsideTheirPools walks the cases of the access-model issue
// with two teams, a team pool and a manager each.
func TestTeamsStayInsideTheirPools(t *testing.T) {
	w := apptest.NewWorld(t)
	outsider, otherMgr := w.Tokens[apptest.SubOutsider], w.Tokens[apptest.SubOtherMgr]

	// A rep of team B lists team A's pool: nothing, and no registrant data.
	a := w.Pooled()
	var list struct{ Items []lead.Lead }
	w.Expect(w.Do("GET", "/api/v1/leads?pool_id="+w.PoolA, outsider, ""), 200).JSON(t, &list)
	if len(list.Items) != 0 {
		t.Fatalf("a rep of team B lists team A's leads: %+v", list.Items)
	}
	w.Expect(w.Do("GET", "/api/v1/leads/"+a.ID, outsider, ""), 404)
	w.Expect(w.Do("POST", "/api/v1/leads/"+a.ID+"/claim", outsider, ""), 404)

	// The manager of pool B can do nothing to pool A's leads.
	owned := w.Assigned()
	for _, act := range []struct{ path, body string }{
		{"/reclaim", ""}, {"/close", ""}, {"/convert", ""}, {"/follow-ups", `{"type":"call","content":"x"}`},
		{"/assign", fmt.Sprintf(`{"rep_id":%q}`, w.IDs[apptest.SubOtherMgr])},
		{"/transfer", fmt.Sprintf(`{"pool_id":%q}`, w.PoolB)},
	} {
		w.Expect(w.Do("POST", "/api/v1/leads/"+owned.ID+act.path, otherMgr, act.body), 404)
	}
	w.Expect(w.Do("PATCH", "/api/v1/leads/"+owned.ID, otherMgr, `{"notes":"mine"}`), 404)
	// Nor transfer a lead of their pool into one they do not administer.
	b := w.NewLead()
	w.Expect(w.Do("POST", "/api/v1/leads/"+b.ID+"/transfer", w.Admin, fmt.Sprintf(`{"pool_id":%q}`, w.PoolB)), 200)
	p := w.Expect(w.Do("POST", "/api/v1/leads/"+b.ID+"/transfer", otherMgr, fmt.Sprintf(`{"pool_id":%q}`, w.PoolA)), 403).Problem(t)
	if !strings.Contains(p.Title, "Pool A") {
		t.Fatalf("transfer into a pool not administered: %+v", p)
	}
	// Assign only to an active member of the lead's pool.
	p = w.Expect(w.Do("POST", "/api/v1/leads/"+b.ID+"/assign", otherMgr, fmt.Sprintf(`{"rep_id":%q}`, w.IDs[apptest.SubMember])), 409).Problem(t)
	if !strings.Contains(strings.Join(p.Reasons, ";"), "not a member") {
		t.Fatalf("assign to a non-member: %+v", p)
	}
	w.Expect(w.Do("POST", "/api/v1/leads/"+b.ID+"/assign", otherMgr, fmt.Sprintf(`{"rep_id":%q}`, w.IDs[apptest.SubOutsider])), 200)

	// Imports only into pools the manager administers; import reports of
	// other pools do not exist for him.
	w.Expect(w.Upload("/api/v1/imports", otherMgr, "b.csv", []byte("company,phone,country\nImport Into A Co,13800000009,CN\n"),
		"pool_id", w.PoolA), 403)
	apptest.FieldProblem(t, w.Upload("/api/v1/imports", otherMgr, "b.csv", []byte("company,phone,country\nImport Anywhere Co,13800000008,CN\n")), "pool_id")
	im := w.ImportInto(apptest.SubMgr)
	w.Expect(w.Do("GET", "/api/v1/imports/"+im+"/errors.csv", otherMgr, ""), 404)

	// An export holds what its creator sees.
	e := w.RunExport(otherMgr, `{"format":"csv","fields":["id"]}`)
	file := string(w.Expect(w.Do("GET", "/api/v1/exports/"+e.ID+"/file", otherMgr, ""), 200).Body)
	if strings.Contains(file, owned.ID) || strings.Contains(file, a.ID) || !strings.Contains(file, b.ID) {
		t.Fatalf("the export of the manager of pool B:\n%s", file)
	}

	// Reps never see registrant IPs or dedup keys.
	var seen map[string]any
	w.Expect(w.Do("GET", "/api/v1/leads/"+owned.ID, w.Tokens[apptest.SubOwner], ""), 200).JSON(t, &seen)
	if _, ok := seen["dedup_key"]; ok {
		t.Fatalf("a rep sees the dedup key: %v", seen)
	}
	w.Expect(w.Do("GET", "/api/v1/leads/"+owned.ID, w.Admin, ""), 200).JSON(t, &seen)
	if seen["dedup_key"] == nil {
		t.Fatalf("the admin does not see the dedup key: %v", seen)
	}
}

// TestDuplicateWarningNamesOnlyVisibleLeads: a rep creating a duplicate of
// a lead they cannot see is warned without the lead's id.
func TestDuplicateWarningNamesOnlyVisibleLeads(t *testing.T) {
	w := apptest.NewWorld(t)
	owned := w.Assigned() // owned by the owner rep, invisible to the member rep
	var x lead.Lead
	w.Expect(w.Do("GET", "/api/v1/leads/"+owned.ID, w.Admin, ""), 200).JSON(t, &x)
	var created struct {
		lead.Lead
		Warnings []string
	}
	body := fmt.Sprintf(`{"company":%q,"phone":%q,"country":"CN"}`, x.Company, x.Phone)
	w.Expect(w.Do("POST", "/api/v1/leads", w.Tokens[apptest.SubMember], body), 201).JSON(t, &created)
	if len(created.Warnings) != 1 || strings.Contains(created.Warnings[0], owned.ID) || created.DuplicateOf != "" {
		t.Fatalf("the warning names a lead the rep cannot see: %+v", created)
	}
	w.Expect(w.Do("POST", "/api/v1/leads", w.Admin, body), 201).JSON(t, &created)
	if len(created.Warnings) != 1 || !strings.Contains(created.Warnings[0], owned.ID) {
		t.Fatalf("the admin's warning: %+v", created)
	}
}

// TestInviterPathAppliesTheClaimChecks: a rep over their daily claim limit
// registers a pooled lead again through their own invite link; the lead
// stays in its pool and its history says why.
func TestInviterPathAppliesTheClaimChecks(t *testing.T) {
	s := publicStack(t, 100)
	repID, rep := s.CreateRep("Dora", 10)
	s.Expect(s.Do("PATCH", "/api/v1/users/"+repID, s.Admin, `{"daily_claim_limit":1}`), 200)
	first := s.CreateLead(`{"company":"Daily Limit Dynamics","phone":"13800138201","country":"CN"}`)
	s.Expect(s.Do("POST", "/api/v1/leads/"+first.ID+"/claim", rep, ""), 200)
	x := s.CreateLead(`{"company":"Pooled Pumps Trading","phone":"13800138202","country":"CN"}`)
	p := s.Expect(s.Do("POST", "/api/v1/leads/"+x.ID+"/claim", rep, ""), 409).Problem(t)
	if !strings.Contains(strings.Join(p.Reasons, ";"), "daily claim limit") {
		t.Fatalf("claim over the limit: %+v", p)
	}
	s.Expect(s.Register("/api/v1/register/"+s.InviteToken(rep), "198.51.100.60",
		`{"company":"Pooled Pumps Trading","phone":"13800138202","country":"CN"}`), 202)
	s.WaitFor(20e9, "the refusal in the lead's history", func() bool { return hasEvent(s.History(x.ID), lead.EventInviterRefused) })
	if got := s.GetLead(x.ID); got.Status != lead.StatusPooled || got.OwnerID != "" {
		t.Fatalf("the inviter got the lead over the daily limit: %+v", got)
	}
	for _, e := range s.History(x.ID) {
		if e.Type == lead.EventInviterRefused && !strings.Contains(e.Reason, "daily claim limit") {
			t.Fatalf("the refusal does not say why: %+v", e)
		}
	}
}
