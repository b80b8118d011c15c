package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/leadflow/leadflow/lead"
)

// TestTeamsStayInsideTheirPools walks the cases of the access-model issue
// with two teams, a team pool and a manager each.
func TestTeamsStayInsideTheirPools(t *testing.T) {
	w := newWorld(t)
	outsider, otherMgr := w.tokens[subOutsider], w.tokens[subOtherMgr]

	// A rep of team B lists team A's pool: nothing, and no registrant data.
	a := w.pooled()
	var list struct{ Items []lead.Lead }
	w.expect(w.do("GET", "/api/v1/leads?pool_id="+w.poolA, outsider, ""), 200).json(t, &list)
	if len(list.Items) != 0 {
		t.Fatalf("a rep of team B lists team A's leads: %+v", list.Items)
	}
	w.expect(w.do("GET", "/api/v1/leads/"+a.ID, outsider, ""), 404)
	w.expect(w.do("POST", "/api/v1/leads/"+a.ID+"/claim", outsider, ""), 404)

	// The manager of pool B can do nothing to pool A's leads.
	owned := w.assigned()
	for _, act := range []struct{ path, body string }{
		{"/reclaim", ""}, {"/close", ""}, {"/convert", ""}, {"/follow-ups", `{"type":"call","content":"x"}`},
		{"/assign", fmt.Sprintf(`{"rep_id":%q}`, w.ids[subOtherMgr])},
		{"/transfer", fmt.Sprintf(`{"pool_id":%q}`, w.poolB)},
	} {
		w.expect(w.do("POST", "/api/v1/leads/"+owned.ID+act.path, otherMgr, act.body), 404)
	}
	w.expect(w.do("PATCH", "/api/v1/leads/"+owned.ID, otherMgr, `{"notes":"mine"}`), 404)
	// Nor transfer a lead of their pool into one they do not administer.
	b := w.newLead()
	w.expect(w.do("POST", "/api/v1/leads/"+b.ID+"/transfer", w.admin, fmt.Sprintf(`{"pool_id":%q}`, w.poolB)), 200)
	p := w.expect(w.do("POST", "/api/v1/leads/"+b.ID+"/transfer", otherMgr, fmt.Sprintf(`{"pool_id":%q}`, w.poolA)), 403).problem(t)
	if !strings.Contains(p.Title, "Pool A") {
		t.Fatalf("transfer into a pool not administered: %+v", p)
	}
	// Assign only to an active member of the lead's pool.
	p = w.expect(w.do("POST", "/api/v1/leads/"+b.ID+"/assign", otherMgr, fmt.Sprintf(`{"rep_id":%q}`, w.ids[subMember])), 409).problem(t)
	if !strings.Contains(strings.Join(p.Reasons, ";"), "not a member") {
		t.Fatalf("assign to a non-member: %+v", p)
	}
	w.expect(w.do("POST", "/api/v1/leads/"+b.ID+"/assign", otherMgr, fmt.Sprintf(`{"rep_id":%q}`, w.ids[subOutsider])), 200)

	// Imports only into pools the manager administers; import reports of
	// other pools do not exist for him.
	w.expect(w.upload("/api/v1/imports", otherMgr, "b.csv", []byte("company,phone,country\nImport Into A Co,13800000009,CN\n"),
		"pool_id", w.poolA), 403)
	fieldProblem(t, w.upload("/api/v1/imports", otherMgr, "b.csv", []byte("company,phone,country\nImport Anywhere Co,13800000008,CN\n")), "pool_id")
	im := w.importInto(subMgr)
	w.expect(w.do("GET", "/api/v1/imports/"+im+"/errors.csv", otherMgr, ""), 404)

	// An export holds what its creator sees.
	e := w.runExport(otherMgr, `{"format":"csv","fields":["id"]}`)
	file := string(w.expect(w.do("GET", "/api/v1/exports/"+e.ID+"/file", otherMgr, ""), 200).body)
	if strings.Contains(file, owned.ID) || strings.Contains(file, a.ID) || !strings.Contains(file, b.ID) {
		t.Fatalf("the export of the manager of pool B:\n%s", file)
	}

	// Reps never see registrant IPs or dedup keys.
	var seen map[string]any
	w.expect(w.do("GET", "/api/v1/leads/"+owned.ID, w.tokens[subOwner], ""), 200).json(t, &seen)
	if _, ok := seen["dedup_key"]; ok {
		t.Fatalf("a rep sees the dedup key: %v", seen)
	}
	w.expect(w.do("GET", "/api/v1/leads/"+owned.ID, w.admin, ""), 200).json(t, &seen)
	if seen["dedup_key"] == nil {
		t.Fatalf("the admin does not see the dedup key: %v", seen)
	}
}

// TestDuplicateWarningNamesOnlyVisibleLeads: a rep creating a duplicate of
// a lead they cannot see is warned without the lead's id.
func TestDuplicateWarningNamesOnlyVisibleLeads(t *testing.T) {
	w := newWorld(t)
	owned := w.assigned() // owned by the owner rep, invisible to the member rep
	var x lead.Lead
	w.expect(w.do("GET", "/api/v1/leads/"+owned.ID, w.admin, ""), 200).json(t, &x)
	var created struct {
		lead.Lead
		Warnings []string
	}
	body := fmt.Sprintf(`{"company":%q,"phone":%q,"country":"CN"}`, x.Company, x.Phone)
	w.expect(w.do("POST", "/api/v1/leads", w.tokens[subMember], body), 201).json(t, &created)
	if len(created.Warnings) != 1 || strings.Contains(created.Warnings[0], owned.ID) || created.DuplicateOf != "" {
		t.Fatalf("the warning names a lead the rep cannot see: %+v", created)
	}
	w.expect(w.do("POST", "/api/v1/leads", w.admin, body), 201).json(t, &created)
	if len(created.Warnings) != 1 || !strings.Contains(created.Warnings[0], owned.ID) {
		t.Fatalf("the admin's warning: %+v", created)
	}
}

// TestInviterPathAppliesTheClaimChecks: a rep over their daily claim limit
// registers a pooled lead again through their own invite link; the lead
// stays in its pool and its history says why.
func TestInviterPathAppliesTheClaimChecks(t *testing.T) {
	s := publicStack(t, 100)
	repID, rep := s.createRep("Dora", 10)
	s.expect(s.do("PATCH", "/api/v1/users/"+repID, s.admin, `{"daily_claim_limit":1}`), 200)
	first := s.createLead(`{"company":"Daily Limit Dynamics","phone":"13800138201","country":"CN"}`)
	s.expect(s.do("POST", "/api/v1/leads/"+first.ID+"/claim", rep, ""), 200)
	x := s.createLead(`{"company":"Pooled Pumps Trading","phone":"13800138202","country":"CN"}`)
	p := s.expect(s.do("POST", "/api/v1/leads/"+x.ID+"/claim", rep, ""), 409).problem(t)
	if !strings.Contains(strings.Join(p.Reasons, ";"), "daily claim limit") {
		t.Fatalf("claim over the limit: %+v", p)
	}
	s.expect(s.register("/api/v1/register/"+s.inviteToken(rep), "198.51.100.60",
		`{"company":"Pooled Pumps Trading","phone":"13800138202","country":"CN"}`), 202)
	s.waitFor(20e9, "the refusal in the lead's history", func() bool { return hasEvent(s.history(x.ID), lead.EventInviterRefused) })
	if got := s.getLead(x.ID); got.Status != lead.StatusPooled || got.OwnerID != "" {
		t.Fatalf("the inviter got the lead over the daily limit: %+v", got)
	}
	for _, e := range s.history(x.ID) {
		if e.Type == lead.EventInviterRefused && !strings.Contains(e.Reason, "daily claim limit") {
			t.Fatalf("the refusal does not say why: %+v", e)
		}
	}
}
