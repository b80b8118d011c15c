package api_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/leadflow/leadflow/api"
	"github.com/leadflow/leadflow/internal/sendgridtest"
	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/notify"
	"github.com/leadflow/leadflow/server"
	"github.com/leadflow/leadflow/worker"
	"github.com/leadflow/leadflow/workflows"
)

// newMailStack is the whole service with e-mail configured as in
// production, SENDGRID_API_KEY and SENDGRID_BASE_URL, pointing at a local
// server that speaks the SendGrid v3 mail-send contract.
func newMailStack(t *testing.T) (*stack, *sendgridtest.Server) {
	sg := sendgridtest.New(t, "SG.integration-key")
	t.Setenv("SENDGRID_API_KEY", sg.Key)
	t.Setenv("SENDGRID_BASE_URL", sg.URL)
	sender, err := notify.New(notify.ConfigFromEnv(os.Getenv))
	if err != nil || sender.Name() != "sendgrid" {
		t.Fatalf("sender %v: %v", sender, err)
	}
	db := testenv.Store(t)
	tc, ns := testenv.Temporal(t)
	testenv.Worker(t, worker.Config{Temporal: tc, Namespace: ns, Store: db, Mail: sender, PublicURL: "https://leadflow.example.com"})
	s := &stack{t: t, db: db, tc: tc, app: server.New(server.Config{Store: db, Temporal: tc, UpdateTimeout: 20 * time.Second, MinPolicyDuration: time.Second})}
	token, hash := api.NewToken()
	if _, err := db.CreateUser(context.Background(), lead.User{ID: uuid.NewString(), Name: "Ada Admin", Email: "ada@example.com",
		Role: lead.RoleAdmin, Capacity: 10, DailyClaimLimit: 10, Active: true}, hash); err != nil {
		t.Fatal(err)
	}
	s.admin = token
	return s, sg
}

// finishLead closes a live lead and waits for its workflow, which waits for
// its e-mails: after it, no e-mail of the lead is still on its way.
func (s *stack) finishLead(id string) {
	s.t.Helper()
	if l := s.getLead(id); !l.Status.Terminal() {
		s.expect(s.do("POST", "/api/v1/leads/"+id+"/close", s.admin, `{"reason":"test over"}`), 200)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out lead.Lead
	if err := s.tc.GetWorkflow(ctx, workflows.WorkflowID(id), "").Get(ctx, &out); err != nil {
		s.t.Fatalf("workflow of %s: %v", id, err)
	}
}

// TestAssignEmailsTheRep is the notifications issue's acceptance test:
// assigning a lead to a rep delivers exactly one e-mail to that rep, with
// the lead's company in the subject.
func TestAssignEmailsTheRep(t *testing.T) {
	s, sg := newMailStack(t)
	repID, rep := s.createRep("Rita", 5)
	l := s.createLead(`{"company":"Globex Shipping Ltd","name":"Hank Scorpio","phone":"+1 650 253 0001","country":"US"}`)
	if l.Status != lead.StatusPooled {
		t.Fatalf("lead: %+v", l)
	}
	var assigned lead.Lead
	s.expect(s.do("POST", "/api/v1/leads/"+l.ID+"/assign", s.admin, fmt.Sprintf(`{"rep_id":%q,"reason":"knows shipping"}`, repID)), 200).json(t, &assigned)
	if assigned.Status != lead.StatusAssigned || assigned.OwnerID != repID {
		t.Fatalf("assigned: %+v", assigned)
	}
	s.waitFor(20*time.Second, "the assignment e-mail", func() bool { return len(sg.DeliveredTo("rita@example.com")) > 0 })
	s.finishLead(l.ID)

	mails := sg.DeliveredTo("rita@example.com")
	if len(mails) != 1 || len(sg.Requests()) != 1 {
		t.Fatalf("%d mails to the rep, %d requests in all, want 1", len(mails), len(sg.Requests()))
	}
	m := mails[0]
	if !strings.Contains(m.Subject, "Globex Shipping Ltd") || m.Subject != "New lead assigned to you: Globex Shipping Ltd" {
		t.Fatalf("subject %q", m.Subject)
	}
	if text := m.Body("text/plain"); !strings.Contains(text, "https://leadflow.example.com/leads/"+l.ID) ||
		!strings.Contains(text, "by Ada Admin") || !strings.Contains(text, "Note: knows shipping") || !strings.Contains(text, "Contact: Hank Scorpio") {
		t.Fatalf("text:\n%s", text)
	}
	if m.CustomArgs["lead_id"] != l.ID || m.CustomArgs["kind"] != lead.EmailAssigned || !strings.HasPrefix(m.CustomArgs["idempotency_key"], "lead/"+l.ID+"/") {
		t.Fatalf("custom args %v", m.CustomArgs)
	}

	// The history with the e-mail (versioned "emails") is a recorded history of the replay test.
	if *recordHistory {
		writeHistory(t, s.tc, workflows.WorkflowID(l.ID), filepath.Join("..", "workflows", "testdata", "lead_assign_email.json"))
	}

	// The rep sees it in their outbox, sent through SendGrid.
	var list struct {
		Items []lead.Notification `json:"items"`
	}
	s.expect(s.do("GET", "/api/v1/notifications", rep, ""), 200).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].Status != lead.NotificationSent || list.Items[0].Provider != "sendgrid" ||
		list.Items[0].ProviderMessageID != "fake-1" || list.Items[0].LeadID != l.ID || list.Items[0].ToUserID != repID {
		t.Fatalf("outbox: %+v", list.Items)
	}
}

// TestAutoAcceptedLeadsSendNoEmail: seed 003, no notification for a lead a
// distribution auto-accepted; an offer (no auto-accept) e-mails the rep.
func TestAutoAcceptedLeadsSendNoEmail(t *testing.T) {
	s, sg := newMailStack(t)
	annID, _ := s.createRep("Ann", 5)
	bobID, _ := s.createRep("Bob", 5)
	auto := s.createPool(fmt.Sprintf(`{"name":"Auto","scope":"global","member_ids":[%q],"policy":{"distribution":"round_robin","auto_accept":true}}`, annID))
	offers := s.createPool(fmt.Sprintf(`{"name":"Offers","scope":"global","member_ids":[%q],"policy":{"distribution":"round_robin","accept_timeout":"1h"}}`, bobID))

	s.expect(s.do("PUT", "/api/v1/rules/routing", s.admin, fmt.Sprintf(`{"rules":[],"default_pool_id":%q}`, auto)), 200)
	a := s.createLead(`{"company":"Initech Systems","phone":"+1 650 253 0002","country":"US"}`)
	if a.Status != lead.StatusAssigned || a.OwnerID != annID {
		t.Fatalf("auto-accepted lead: %+v", a)
	}
	s.expect(s.do("PUT", "/api/v1/rules/routing", s.admin, fmt.Sprintf(`{"rules":[],"default_pool_id":%q}`, offers)), 200)
	b := s.createLead(`{"company":"Umbrella Logistics","phone":"+1 650 253 0003","country":"US"}`)
	if b.Status != lead.StatusOffered || b.OwnerID != bobID {
		t.Fatalf("offered lead: %+v", b)
	}
	s.waitFor(20*time.Second, "the offer e-mail", func() bool { return len(sg.DeliveredTo("bob@example.com")) > 0 })
	s.finishLead(a.ID)
	s.finishLead(b.ID)

	if n := len(sg.DeliveredTo("ann@example.com")); n != 0 {
		t.Fatalf("ann got %d e-mails about an auto-accepted lead", n)
	}
	mails := sg.DeliveredTo("bob@example.com")
	if len(mails) != 1 || !strings.HasPrefix(mails[0].Subject, "Lead offered to you: Umbrella Logistics (accept by ") {
		t.Fatalf("bob's mails: %+v", mails)
	}
	if n := len(sg.Requests()); n != 1 {
		t.Fatalf("%d requests to SendGrid, want 1", n)
	}
}

// TestNotificationsAPI: the outbox (the default sender), the opt-out
// settings and the default recipients of pools and teams, with their
// refusals as problem+json naming the field.
func TestNotificationsAPI(t *testing.T) {
	s := newStack(t)
	repID, rep := s.createRep("Rosa", 5)
	otherID, other := s.createRep("Olaf", 5)

	// Without SendGrid, the e-mail is in the outbox, marked sent.
	l := s.createLead(`{"company":"Wayne Enterprises","phone":"+1 650 253 0004","country":"US"}`)
	s.expect(s.do("POST", "/api/v1/leads/"+l.ID+"/assign", s.admin, fmt.Sprintf(`{"rep_id":%q}`, repID)), 200)
	var list struct {
		Items      []lead.Notification `json:"items"`
		NextCursor string              `json:"next_cursor"`
	}
	s.waitFor(20*time.Second, "the outbox e-mail", func() bool {
		s.expect(s.do("GET", "/api/v1/notifications", rep, ""), 200).json(t, &list)
		return len(list.Items) == 1 && list.Items[0].Status == lead.NotificationSent
	})
	if n := list.Items[0]; n.Provider != "outbox" || n.Subject != "New lead assigned to you: Wayne Enterprises" || n.ToEmail != "rosa@example.com" ||
		!strings.Contains(n.HTML, "Wayne Enterprises") || !strings.Contains(n.Text, "/leads/"+l.ID) {
		t.Fatalf("outbox: %+v", n)
	}
	// Others do not see it; admins do, and may filter.
	s.expect(s.do("GET", "/api/v1/notifications", other, ""), 200).json(t, &list)
	if len(list.Items) != 0 {
		t.Fatalf("olaf sees %+v", list.Items)
	}
	s.expect(s.do("GET", "/api/v1/notifications?to_user_id="+repID+"&kind=assigned&status=sent&lead_id="+l.ID+"&limit=1", s.admin, ""), 200).json(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("admin's filtered list: %+v", list.Items)
	}
	s.expect(s.do("GET", "/api/v1/notifications?to_user_id="+repID, other, ""), 403)

	// Settings: opt out of non-essential kinds only.
	var set struct {
		OptOut []string         `json:"opt_out"`
		Kinds  []lead.EmailKind `json:"kinds"`
	}
	s.expect(s.do("GET", "/api/v1/settings/notifications", rep, ""), 200).json(t, &set)
	if len(set.OptOut) != 0 || len(set.Kinds) != len(lead.EmailKinds) {
		t.Fatalf("settings: %+v", set)
	}
	s.expect(s.do("PUT", "/api/v1/settings/notifications", rep, `{"opt_out":["digest","new_lead"]}`), 200).json(t, &set)
	if strings.Join(set.OptOut, ",") != "digest,new_lead" {
		t.Fatalf("opt-out: %+v", set.OptOut)
	}
	s.expect(s.do("GET", "/api/v1/settings/notifications", rep, ""), 200).json(t, &set)
	if strings.Join(set.OptOut, ",") != "digest,new_lead" {
		t.Fatalf("opt-out read back: %+v", set.OptOut)
	}

	// Default recipients: the pool's first person is flagged; staff change it.
	mgrID, mgr := s.mailUser("Mona", "manager")
	poolID := s.createPool(fmt.Sprintf(`{"name":"North","scope":"global","admin_ids":[%q],"member_ids":[%q,%q]}`, mgrID, repID, otherID))
	var rs struct {
		Items []lead.Recipient `json:"items"`
	}
	s.expect(s.do("GET", "/api/v1/pools/"+poolID+"/recipients", mgr, ""), 200).json(t, &rs)
	if len(rs.Items) != 3 || rs.Items[0].UserID != mgrID || !rs.Items[0].Notify || rs.Items[1].Notify || rs.Items[2].Notify {
		t.Fatalf("pool recipients: %+v", rs.Items)
	}
	s.expect(s.do("PUT", "/api/v1/pools/"+poolID+"/recipients", mgr, fmt.Sprintf(`{"user_ids":[%q]}`, otherID)), 200).json(t, &rs)
	for _, r := range rs.Items {
		if r.Notify != (r.UserID == otherID) {
			t.Fatalf("after the change: %+v", rs.Items)
		}
	}
	teamID := s.mailTeam("Berlin")
	s.expect(s.do("PATCH", "/api/v1/users/"+repID, s.admin, fmt.Sprintf(`{"team_id":%q}`, teamID)), 200)
	s.expect(s.do("GET", "/api/v1/teams/"+teamID+"/recipients", s.admin, ""), 200).json(t, &rs)
	if len(rs.Items) != 1 || rs.Items[0].UserID != repID || !rs.Items[0].Notify {
		t.Fatalf("team recipients: %+v", rs.Items)
	}
	s.expect(s.do("PUT", "/api/v1/teams/"+teamID+"/recipients", s.admin, `{"user_ids":[]}`), 200).json(t, &rs)
	if rs.Items[0].Notify {
		t.Fatalf("team recipients after clearing: %+v", rs.Items)
	}

	cases := []struct {
		name, method, path, token, body string
		status                          int
		field                           string
	}{
		{"essential kind", "PUT", "/api/v1/settings/notifications", rep, `{"opt_out":["offered"]}`, 422, "opt_out"},
		{"unknown kind", "PUT", "/api/v1/settings/notifications", rep, `{"opt_out":["spam"]}`, 422, "opt_out"},
		{"no opt_out", "PUT", "/api/v1/settings/notifications", rep, `{}`, 422, "opt_out"},
		{"opt_out not a list", "PUT", "/api/v1/settings/notifications", rep, `{"opt_out":"digest"}`, 422, "opt_out"},
		{"unknown setting", "PUT", "/api/v1/settings/notifications", rep, `{"opt_out":[],"sms":true}`, 422, "sms"},
		{"malformed settings", "PUT", "/api/v1/settings/notifications", rep, `{"opt_out":`, 400, "body"},
		{"bad status", "GET", "/api/v1/notifications?status=lost", s.admin, "", 422, "status"},
		{"bad kind", "GET", "/api/v1/notifications?kind=spam", s.admin, "", 422, "kind"},
		{"bad lead id", "GET", "/api/v1/notifications?lead_id=x", s.admin, "", 422, "lead_id"},
		{"bad cursor", "GET", "/api/v1/notifications?cursor=zzz", rep, "", 422, "cursor"},
		{"bad limit", "GET", "/api/v1/notifications?limit=0", rep, "", 422, "limit"},
		{"not a member", "PUT", "/api/v1/pools/" + poolID + "/recipients", s.admin, fmt.Sprintf(`{"user_ids":[%q]}`, uuid.NewString()), 422, "user_ids"},
		{"not an id", "PUT", "/api/v1/pools/" + poolID + "/recipients", s.admin, `{"user_ids":["x"]}`, 422, "user_ids"},
		{"no user_ids", "PUT", "/api/v1/pools/" + poolID + "/recipients", s.admin, `{}`, 422, "user_ids"},
		{"user_ids not a list", "PUT", "/api/v1/pools/" + poolID + "/recipients", s.admin, `{"user_ids":7}`, 422, "user_ids"},
		{"rep reads recipients", "GET", "/api/v1/pools/" + poolID + "/recipients", rep, "", 403, ""},
		{"unknown pool", "GET", "/api/v1/pools/" + uuid.NewString() + "/recipients", s.admin, "", 404, ""},
		{"unknown pool put", "PUT", "/api/v1/pools/" + uuid.NewString() + "/recipients", s.admin, `{"user_ids":[]}`, 404, ""},
		{"unknown team", "GET", "/api/v1/teams/" + uuid.NewString() + "/recipients", s.admin, "", 404, ""},
		{"team not a member", "PUT", "/api/v1/teams/" + teamID + "/recipients", s.admin, fmt.Sprintf(`{"user_ids":[%q]}`, otherID), 422, "user_ids"},
		{"manager sets team", "PUT", "/api/v1/teams/" + teamID + "/recipients", mgr, `{"user_ids":[]}`, 403, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.do(c.method, c.path, c.token, c.body)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			p := r.problem(t)
			if c.field == "" {
				return
			}
			for _, e := range p.Errors {
				if e.Field == c.field {
					return
				}
			}
			t.Fatalf("no error names %q: %+v", c.field, p)
		})
	}
	// A manager who does not administer the pool may not change its recipients.
	_, mgr2 := s.mailUser("Mike", "manager")
	s.expect(s.do("PUT", "/api/v1/pools/"+poolID+"/recipients", mgr2, `{"user_ids":[]}`), 403)
}

// mailUser creates a user of a role through the API and returns its id and token.
func (s *stack) mailUser(name, role string) (string, string) {
	s.t.Helper()
	var u struct {
		ID    string `json:"id"`
		Token string `json:"token"`
	}
	body := fmt.Sprintf(`{"name":%q,"email":"%s@example.com","role":%q}`, name, strings.ToLower(name), role)
	s.expect(s.do("POST", "/api/v1/users", s.admin, body), 201).json(s.t, &u)
	return u.ID, u.Token
}

// mailTeam creates a team through the API and returns its id.
func (s *stack) mailTeam(name string) string {
	s.t.Helper()
	var team lead.Team
	s.expect(s.do("POST", "/api/v1/teams", s.admin, fmt.Sprintf(`{"name":%q}`, name)), 201).json(s.t, &team)
	return team.ID
}

// TestDigestSchedule: the schedule the worker creates at start (twice here:
// it is idempotent) runs the digest, which e-mails the rep the follow-ups
// due today.
func TestDigestSchedule(t *testing.T) {
	s, sg := newMailStack(t)
	ctx := context.Background()
	_, rep := s.createRep("Dora", 5)
	l := s.createLead(`{"company":"Stark Industries","phone":"+1 650 253 0005","country":"US"}`)
	s.expect(s.do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 200)
	due := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
	s.expect(s.do("POST", "/api/v1/leads/"+l.ID+"/follow-ups", rep,
		fmt.Sprintf(`{"type":"call","content":"asked for a demo","next_step":"show the demo","next_at":%q}`, due)), 201)

	for range 2 {
		if err := worker.EnsureDigestSchedule(ctx, s.tc); err != nil {
			t.Fatal(err)
		}
	}
	h := s.tc.ScheduleClient().GetHandle(ctx, workflows.DigestScheduleID)
	desc, err := h.Describe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if next := desc.Info.NextActionTimes; len(next) == 0 || next[0].UTC().Hour() != 7 || next[0].UTC().Minute() != 0 {
		t.Fatalf("next digest runs %v, want 07:00 UTC", next)
	}
	if err := h.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	s.waitFor(30*time.Second, "the digest", func() bool { return len(sg.DeliveredTo("dora@example.com")) > 0 })
	mails := sg.DeliveredTo("dora@example.com")
	if len(mails) != 1 || mails[0].Subject != "1 follow-up due today" ||
		!strings.Contains(mails[0].Body("text/plain"), "- Stark Industries: show the demo, due ") {
		t.Fatalf("digest: %+v", mails)
	}
}
