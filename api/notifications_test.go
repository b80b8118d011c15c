package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/worker"
	"github.com/leadflow/leadflow/workflows"
)

// TestAssignEmailsTheRep is the notifications issue's acceptance test:
// assigning a lead to a rep delivers exactly one e-mail to that rep, with
// the lead's company in the subject.
func TestAssignEmailsTheRep(t *testing.T) {
	s, sg := apptest.NewMailStack(t)
	repID, rep := s.CreateRep("Rita", 5)
	l := s.CreateLead(`{"company":"Globex Shipping Ltd","name":"Hank Scorpio","phone":"+1 650 253 0001","country":"US"}`)
	if l.Status != lead.StatusPooled {
		t.Fatalf("lead: %+v", l)
	}
	var assigned lead.Lead
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/assign", s.Admin, fmt.Sprintf(`{"rep_id":%q,"reason":"knows shipping"}`, repID)), 200).JSON(t, &assigned)
	if assigned.Status != lead.StatusAssigned || assigned.OwnerID != repID {
		t.Fatalf("assigned: %+v", assigned)
	}
	s.WaitFor(20*time.Second, "the assignment e-mail", func() bool { return len(sg.DeliveredTo("rita@example.com")) > 0 })
	s.FinishLead(l.ID)

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
	apptest.RecordHistory(t, s.TC, workflows.WorkflowID(l.ID), "lead_assign_email")

	// The rep sees it in their outbox, sent through SendGrid.
	var list struct {
		Items []lead.Notification `json:"items"`
	}
	s.Expect(s.Do("GET", "/api/v1/notifications", rep, ""), 200).JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0].Status != lead.NotificationSent || list.Items[0].Provider != "sendgrid" ||
		list.Items[0].ProviderMessageID != "fake-1" || list.Items[0].LeadID != l.ID || list.Items[0].ToUserID != repID {
		t.Fatalf("outbox: %+v", list.Items)
	}
}

// TestAutoAcceptedLeadsSendNoEmail: seed 003, no notification for a lead a
// distribution auto-accepted; an offer (no auto-accept) e-mails the rep.
func TestAutoAcceptedLeadsSendNoEmail(t *testing.T) {
	s, sg := apptest.NewMailStack(t)
	annID, _ := s.CreateRep("Ann", 5)
	bobID, _ := s.CreateRep("Bob", 5)
	auto := s.CreatePool(fmt.Sprintf(`{"name":"Auto","scope":"global","member_ids":[%q],"policy":{"distribution":"round_robin","auto_accept":true}}`, annID))
	offers := s.CreatePool(fmt.Sprintf(`{"name":"Offers","scope":"global","member_ids":[%q],"policy":{"distribution":"round_robin","accept_timeout":"1h"}}`, bobID))

	s.Expect(s.Do("PUT", "/api/v1/rules/routing", s.Admin, fmt.Sprintf(`{"rules":[],"default_pool_id":%q}`, auto)), 200)
	a := s.CreateLead(`{"company":"Initech Systems","phone":"+1 650 253 0002","country":"US"}`)
	if a.Status != lead.StatusAssigned || a.OwnerID != annID {
		t.Fatalf("auto-accepted lead: %+v", a)
	}
	s.Expect(s.Do("PUT", "/api/v1/rules/routing", s.Admin, fmt.Sprintf(`{"rules":[],"default_pool_id":%q}`, offers)), 200)
	b := s.CreateLead(`{"company":"Umbrella Logistics","phone":"+1 650 253 0003","country":"US"}`)
	if b.Status != lead.StatusOffered || b.OwnerID != bobID {
		t.Fatalf("offered lead: %+v", b)
	}
	s.WaitFor(20*time.Second, "the offer e-mail", func() bool { return len(sg.DeliveredTo("bob@example.com")) > 0 })
	s.FinishLead(a.ID)
	s.FinishLead(b.ID)

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
	s := apptest.NewStack(t)
	repID, rep := s.CreateRep("Rosa", 5)
	otherID, other := s.CreateRep("Olaf", 5)

	// Without SendGrid, the e-mail is in the outbox, marked sent.
	l := s.CreateLead(`{"company":"Wayne Enterprises","phone":"+1 650 253 0004","country":"US"}`)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/assign", s.Admin, fmt.Sprintf(`{"rep_id":%q}`, repID)), 200)
	var list struct {
		Items      []lead.Notification `json:"items"`
		NextCursor string              `json:"next_cursor"`
	}
	s.WaitFor(20*time.Second, "the outbox e-mail", func() bool {
		s.Expect(s.Do("GET", "/api/v1/notifications", rep, ""), 200).JSON(t, &list)
		return len(list.Items) == 1 && list.Items[0].Status == lead.NotificationSent
	})
	if n := list.Items[0]; n.Provider != "outbox" || n.Subject != "New lead assigned to you: Wayne Enterprises" || n.ToEmail != "rosa@example.com" ||
		!strings.Contains(n.HTML, "Wayne Enterprises") || !strings.Contains(n.Text, "/leads/"+l.ID) {
		t.Fatalf("outbox: %+v", n)
	}
	// Others do not see it; admins do, and may filter.
	s.Expect(s.Do("GET", "/api/v1/notifications", other, ""), 200).JSON(t, &list)
	if len(list.Items) != 0 {
		t.Fatalf("olaf sees %+v", list.Items)
	}
	s.Expect(s.Do("GET", "/api/v1/notifications?to_user_id="+repID+"&kind=assigned&status=sent&lead_id="+l.ID+"&limit=1", s.Admin, ""), 200).JSON(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("admin's filtered list: %+v", list.Items)
	}
	s.Expect(s.Do("GET", "/api/v1/notifications?to_user_id="+repID, other, ""), 403)

	// Settings: opt out of non-essential kinds only.
	var set struct {
		OptOut []string         `json:"opt_out"`
		Kinds  []lead.EmailKind `json:"kinds"`
	}
	s.Expect(s.Do("GET", "/api/v1/settings/notifications", rep, ""), 200).JSON(t, &set)
	if len(set.OptOut) != 0 || len(set.Kinds) != len(lead.EmailKinds) {
		t.Fatalf("settings: %+v", set)
	}
	s.Expect(s.Do("PUT", "/api/v1/settings/notifications", rep, `{"opt_out":["digest","new_lead"]}`), 200).JSON(t, &set)
	if strings.Join(set.OptOut, ",") != "digest,new_lead" {
		t.Fatalf("opt-out: %+v", set.OptOut)
	}
	s.Expect(s.Do("GET", "/api/v1/settings/notifications", rep, ""), 200).JSON(t, &set)
	if strings.Join(set.OptOut, ",") != "digest,new_lead" {
		t.Fatalf("opt-out read back: %+v", set.OptOut)
	}

	// Default recipients: the pool's first person is flagged; staff change it.
	mgrID, mgr := s.MailUser("Mona", "manager")
	poolID := s.CreatePool(fmt.Sprintf(`{"name":"North","scope":"global","admin_ids":[%q],"member_ids":[%q,%q]}`, mgrID, repID, otherID))
	var rs struct {
		Items []lead.Recipient `json:"items"`
	}
	s.Expect(s.Do("GET", "/api/v1/pools/"+poolID+"/recipients", mgr, ""), 200).JSON(t, &rs)
	if len(rs.Items) != 3 || rs.Items[0].UserID != mgrID || !rs.Items[0].Notify || rs.Items[1].Notify || rs.Items[2].Notify {
		t.Fatalf("pool recipients: %+v", rs.Items)
	}
	s.Expect(s.Do("PUT", "/api/v1/pools/"+poolID+"/recipients", mgr, fmt.Sprintf(`{"user_ids":[%q]}`, otherID)), 200).JSON(t, &rs)
	for _, r := range rs.Items {
		if r.Notify != (r.UserID == otherID) {
			t.Fatalf("after the change: %+v", rs.Items)
		}
	}
	teamID := s.MailTeam("Berlin")
	s.Expect(s.Do("PATCH", "/api/v1/users/"+repID, s.Admin, fmt.Sprintf(`{"team_id":%q}`, teamID)), 200)
	s.Expect(s.Do("GET", "/api/v1/teams/"+teamID+"/recipients", s.Admin, ""), 200).JSON(t, &rs)
	if len(rs.Items) != 1 || rs.Items[0].UserID != repID || !rs.Items[0].Notify {
		t.Fatalf("team recipients: %+v", rs.Items)
	}
	s.Expect(s.Do("PUT", "/api/v1/teams/"+teamID+"/recipients", s.Admin, `{"user_ids":[]}`), 200).JSON(t, &rs)
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
		{"bad status", "GET", "/api/v1/notifications?status=lost", s.Admin, "", 422, "status"},
		{"bad kind", "GET", "/api/v1/notifications?kind=spam", s.Admin, "", 422, "kind"},
		{"bad lead id", "GET", "/api/v1/notifications?lead_id=x", s.Admin, "", 422, "lead_id"},
		{"bad cursor", "GET", "/api/v1/notifications?cursor=zzz", rep, "", 422, "cursor"},
		{"bad limit", "GET", "/api/v1/notifications?limit=0", rep, "", 422, "limit"},
		{"not a member", "PUT", "/api/v1/pools/" + poolID + "/recipients", s.Admin, fmt.Sprintf(`{"user_ids":[%q]}`, uuid.NewString()), 422, "user_ids"},
		{"not an id", "PUT", "/api/v1/pools/" + poolID + "/recipients", s.Admin, `{"user_ids":["x"]}`, 422, "user_ids"},
		{"no user_ids", "PUT", "/api/v1/pools/" + poolID + "/recipients", s.Admin, `{}`, 422, "user_ids"},
		{"user_ids not a list", "PUT", "/api/v1/pools/" + poolID + "/recipients", s.Admin, `{"user_ids":7}`, 422, "user_ids"},
		{"rep reads recipients", "GET", "/api/v1/pools/" + poolID + "/recipients", rep, "", 403, ""},
		{"unknown pool", "GET", "/api/v1/pools/" + uuid.NewString() + "/recipients", s.Admin, "", 404, ""},
		{"unknown pool put", "PUT", "/api/v1/pools/" + uuid.NewString() + "/recipients", s.Admin, `{"user_ids":[]}`, 404, ""},
		{"unknown team", "GET", "/api/v1/teams/" + uuid.NewString() + "/recipients", s.Admin, "", 404, ""},
		{"team not a member", "PUT", "/api/v1/teams/" + teamID + "/recipients", s.Admin, fmt.Sprintf(`{"user_ids":[%q]}`, otherID), 422, "user_ids"},
		{"manager sets team", "PUT", "/api/v1/teams/" + teamID + "/recipients", mgr, `{"user_ids":[]}`, 403, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.Do(c.method, c.path, c.token, c.body)
			if r.Status != c.status {
				t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Body)
			}
			p := r.Problem(t)
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
	_, mgr2 := s.MailUser("Mike", "manager")
	s.Expect(s.Do("PUT", "/api/v1/pools/"+poolID+"/recipients", mgr2, `{"user_ids":[]}`), 403)
}

// TestDigestSchedule: the schedule the worker creates at start (twice here:
// it is idempotent) runs the digest every quarter hour; a run e-mails the
// rep whose 07:00 it holds (here: in the server's zone, set so that the
// current slot is 07:00) the follow-ups due today.
func TestDigestSchedule(t *testing.T) {
	if left := lead.DigestEvery - time.Since(time.Now().Truncate(lead.DigestEvery)); left < 20*time.Second {
		time.Sleep(left + time.Second) // the trigger runs in the slot the zone is set for
	}
	slot := time.Now().UTC().Truncate(lead.DigestEvery)
	offset := (lead.DigestHour*time.Hour - slot.Sub(slot.Truncate(24*time.Hour)) + 24*time.Hour) % (24 * time.Hour)
	if offset > 12*time.Hour {
		offset -= 24 * time.Hour
	}
	s, sg := apptest.NewMailStackIn(t, time.FixedZone("digest-now", int(offset/time.Second)))
	ctx := context.Background()
	_, rep := s.CreateRep("Dora", 5)
	l := s.CreateLead(`{"company":"Stark Industries","phone":"+1 650 253 0005","country":"US"}`)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 200)
	due := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/follow-ups", rep,
		fmt.Sprintf(`{"type":"call","content":"asked for a demo","next_step":"show the demo","next_at":%q}`, due)), 201)

	// The schedule of a version that sent every digest at 07:00 UTC is brought to the quarter hours.
	if _, err := s.TC.ScheduleClient().Create(ctx, client.ScheduleOptions{ID: workflows.DigestScheduleID,
		Spec: client.ScheduleSpec{CronExpressions: []string{"0 7 * * *"}}, Action: &client.ScheduleWorkflowAction{ID: "digest",
			Workflow: workflows.DigestWorkflowName, TaskQueue: workflows.TaskQueue}}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := worker.EnsureDigestSchedule(ctx, s.TC); err != nil {
			t.Fatal(err)
		}
	}
	h := s.TC.ScheduleClient().GetHandle(ctx, workflows.DigestScheduleID)
	desc, err := h.Describe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if next := desc.Info.NextActionTimes; len(next) < 2 || next[0].Minute()%15 != 0 || next[1].Sub(next[0]) != lead.DigestEvery {
		t.Fatalf("next digest runs %v, want every quarter hour", next)
	}
	if err := h.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	s.WaitFor(30*time.Second, "the digest", func() bool { return len(sg.DeliveredTo("dora@example.com")) > 0 })
	mails := sg.DeliveredTo("dora@example.com")
	if len(mails) != 1 || mails[0].Subject != "1 follow-up due today" ||
		!strings.Contains(mails[0].Body("text/plain"), "- Stark Industries: show the demo, due ") {
		t.Fatalf("digest: %+v", mails)
	}
	apptest.RecordHistoryOfType(t, s.TC, workflows.DigestWorkflowName, "digest_one_rep")
}
