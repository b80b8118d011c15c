package api_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/workflows"
)

// campaignMessages are the stored messages of campaign id, by lead (or,
// for an attendee, by address).
func campaignMessages(t *testing.T, s *apptest.Stack, id string) map[string][]lead.Notification {
	t.Helper()
	out := map[string][]lead.Notification{}
	cursor := ""
	for {
		ns, next, err := s.DB.Notifications(context.Background(), store.NotificationFilter{Kind: lead.MessageKind, Limit: 1000, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range ns {
			if strings.HasPrefix(n.Key, "campaign/"+id+"/") {
				who := n.LeadID
				if who == "" {
					who = n.ToEmail
				}
				out[who] = append(out[who], n)
			}
		}
		if cursor = next; cursor == "" {
			return out
		}
	}
}

// campaignTemplate makes a template of channel ch and returns its id.
func campaignTemplate(t *testing.T, s *apptest.Stack, ch, body string) string {
	t.Helper()
	subject := ""
	if ch == "email" {
		subject = `"subject":"News for {{.Lead.Company}}",`
	}
	var tpl lead.Template
	s.Expect(s.Do("POST", "/api/v1/templates", s.Admin, fmt.Sprintf(`{"name":"News %s %d","channel":%q,"language":"en",%s"body":%q}`,
		ch, time.Now().UnixNano(), ch, subject, body)), 201).JSON(t, &tpl)
	return tpl.ID
}

// TestCampaignToAThousandLeads: a campaign to the 1,000 leads of a filter
// yields exactly 1,000 messages, one per lead, in the outbox; starting it
// again sends nothing more. Its progress counts them all sent.
func TestCampaignToAThousandLeads(t *testing.T) {
	s := apptest.NewCampaignStack(t)
	s.StartWorker(true)
	var b strings.Builder
	b.WriteString("Company Name,Contact,Mobile,E-mail,Country,Tags\n")
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&b, "\"Fair Trading %04d Co., Ltd.\",Buyer %d,139%08d,fair%d@example.com,CN,fair\n", i, i, i, i)
	}
	im := s.ImportFile("fair.csv", []byte(b.String()), 5*time.Minute)
	if im.Created != 1000 {
		t.Fatalf("import: %+v", im)
	}
	tpl := campaignTemplate(t, s.Stack, "email", "Dear {{.Lead.Name}}, see you at the fair: {{.InviteURL}}")
	body := fmt.Sprintf(`{"name":"Fair newsletter","channel":"email","template_id":%q,"audience":{"filter":{"tag":"fair"}},"rate":600000}`, tpl)
	var c lead.Campaign
	s.Expect(s.Do("POST", "/api/v1/campaigns", s.Admin, body, "Idempotency-Key", "fair-1"), 201).JSON(t, &c)
	var again lead.Campaign
	s.Expect(s.Do("POST", "/api/v1/campaigns", s.Admin, body, "Idempotency-Key", "fair-1"), 201).JSON(t, &again)
	if c.Status != lead.CampaignDraft || again.ID != c.ID || c.Rate != 600000 {
		t.Fatalf("draft %+v, retried %+v", c, again)
	}
	start := time.Now()
	s.Expect(s.Do("POST", "/api/v1/campaigns/"+c.ID+"/start", s.Admin, ""), 202)
	c = s.WaitCampaign(c.ID, 3*time.Minute, "the campaign done", func(c lead.Campaign) bool { return c.Status == lead.CampaignDone })
	t.Logf("1,000 messages in %s", time.Since(start).Round(time.Millisecond))
	s.Expect(s.Do("POST", "/api/v1/campaigns/"+c.ID+"/start", s.Admin, ""), 202)
	if c.Recipients != 1000 || c.Sent != 1000 || c.Pending != 0 || c.Failed != 0 || len(c.Skipped) != 0 {
		t.Fatalf("progress %+v", c)
	}
	msgs := campaignMessages(t, s.Stack, c.ID)
	if len(msgs) != 1000 {
		t.Fatalf("%d leads got a message, want 1000", len(msgs))
	}
	for id, ns := range msgs {
		if len(ns) != 1 || ns[0].Status != lead.NotificationSent || !strings.Contains(ns[0].Text, "https://leads.example.com/r/") ||
			!strings.HasPrefix(ns[0].Subject, "News for Fair Trading") {
			t.Fatalf("lead %s: %+v", id, ns)
		}
	}
	// Each message is one message_sent event in its lead's history, naming the campaign.
	checked := 0
	for id, ns := range msgs {
		var sent []lead.Event
		for _, e := range s.History(id) {
			if e.Type == lead.EventMessageSent {
				sent = append(sent, e)
			}
		}
		if len(sent) != 1 || sent[0].Data["campaign_id"] != c.ID || sent[0].Data["message_id"] != ns[0].ID || sent[0].Data["channel"] != "email" {
			t.Fatalf("lead %s: message_sent events %+v", id, sent)
		}
		if checked++; checked == 20 {
			break
		}
	}
}

// TestCampaignUnsubscribed: a lead that unsubscribed through the link of
// one campaign's e-mail gets nothing from the next (its message skipped,
// unsubscribed); an attendee of an uploaded list gets the invite link of
// the rep the list names.
func TestCampaignUnsubscribed(t *testing.T) {
	s := apptest.NewCampaignStack(t)
	s.StartWorker(false)
	ids := make([]string, 3)
	for i := range ids {
		ids[i] = s.CreateLead(fmt.Sprintf(`{"company":"Unsub Trading %d Ltd","name":"Buyer %d","phone":"1380013800%d","email":"unsub%d@example.com","country":"CN","tags":["unsub"]}`, i, i, i, i)).ID
	}
	tpl := campaignTemplate(t, s.Stack, "email", "Hello {{.Lead.Name}}")
	run := func(name string) lead.Campaign {
		var c lead.Campaign
		s.Expect(s.Do("POST", "/api/v1/campaigns", s.Admin, fmt.Sprintf(`{"name":%q,"channel":"email","template_id":%q,"audience":{"filter":{"tag":"unsub"}}}`, name, tpl)), 201).JSON(t, &c)
		s.Expect(s.Do("POST", "/api/v1/campaigns/"+c.ID+"/start", s.Admin, ""), 202)
		return s.WaitCampaign(c.ID, time.Minute, name+" done", func(c lead.Campaign) bool { return c.Status == lead.CampaignDone })
	}
	first := run("First")
	if first.Sent != 3 {
		t.Fatalf("first: %+v", first)
	}
	mails := s.SendGrid.DeliveredTo("unsub1@example.com")
	if len(mails) != 1 {
		t.Fatalf("%d e-mails", len(mails))
	}
	u := strings.TrimPrefix(strings.Trim(mails[0].Headers["List-Unsubscribe"], "<>"), "https://leads.example.com")
	req := httptest.NewRequest("POST", u, strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if r := s.Send(req, nil); r.Status != 200 {
		t.Fatalf("one-click unsubscribe: %d %s", r.Status, r.Body)
	}
	second := run("Second")
	if second.Sent != 2 || second.Skipped[lead.SkipUnsubscribed] != 1 {
		t.Fatalf("second: %+v", second)
	}
	if n := len(s.SendGrid.DeliveredTo("unsub1@example.com")); n != 1 {
		t.Fatalf("%d e-mails to the lead that unsubscribed", n)
	}
	if msgs := campaignMessages(t, s.Stack, second.ID); msgs[ids[1]][0].Status != lead.NotificationSkipped {
		t.Fatalf("its message: %+v", msgs[ids[1]])
	}
	var funnel lead.CampaignFunnel
	s.Expect(s.Do("GET", "/api/v1/reports/campaigns/"+first.ID, s.Admin, ""), 200).JSON(t, &funnel)
	if funnel.Sent != 3 || funnel.Unsubscribed != 1 || funnel.Registered != 0 || funnel.Converted != 0 {
		t.Fatalf("the first campaign's funnel: %+v", funnel)
	}
	// The funnel report by campaign: each lead under the last campaign
	// whose message reached it.
	var byCampaign struct {
		Items []struct {
			Key, Label string
			Registered int
		}
	}
	s.Expect(s.Do("GET", "/api/v1/reports/funnel?group_by=campaign", s.Admin, ""), 200).JSON(t, &byCampaign)
	got := map[string]int{}
	for _, r := range byCampaign.Items {
		got[r.Key+" "+r.Label] = r.Registered
	}
	if got[second.ID+" Second"] != 2 || got[first.ID+" First"] != 1 {
		t.Fatalf("the funnel by campaign: %+v", byCampaign.Items)
	}

	// An uploaded list: each attendee gets their rep's invite link.
	repID, repToken := s.CreateRep("Rosa", 10)
	var rosa lead.User
	s.Expect(s.Do("GET", "/api/v1/me", repToken, ""), 200).JSON(t, &rosa)
	invite := s.InviteToken(repToken)
	inv := campaignTemplate(t, s.Stack, "email", "Welcome {{.Lead.Name}}: {{.InviteURL}}")
	list := fmt.Sprintf(`{"name":"Attendees","channel":"email","template_id":%q,"audience":{"list":[`+
		`{"name":"Ann","email":"ann@example.com","rep_email":%q},{"name":"Bo","email":"bo@example.com"}]}}`, inv, rosa.Email)
	var c lead.Campaign
	s.Expect(s.Do("POST", "/api/v1/campaigns", s.Admin, list), 201).JSON(t, &c)
	if c.Recipients != 2 {
		t.Fatalf("list campaign %+v", c)
	}
	s.Expect(s.Do("POST", "/api/v1/campaigns/"+c.ID+"/start", s.Admin, ""), 202)
	s.WaitCampaign(c.ID, time.Minute, "the list campaign done", func(c lead.Campaign) bool { return c.Status == lead.CampaignDone })
	if m := s.SendGrid.DeliveredTo("ann@example.com"); len(m) != 1 || !strings.Contains(m[0].Body("text/plain"), "/r/"+invite) || m[0].From.Name != "Rosa" {
		t.Fatalf("Ann's e-mail (rep %s): %+v", repID, m)
	}
	if m := s.SendGrid.DeliveredTo("bo@example.com"); len(m) != 1 || m[0].From.Name != "Ada Admin" {
		t.Fatalf("Bo's e-mail: %+v", m)
	}
	// Ann registers through the link: the funnel counts her registered
	// and claimed (the invite gives her to Rosa).
	s.Expect(s.Register("/api/v1/register/"+invite, "203.0.113.7",
		`{"company":"Ann Trading Ltd","name":"Ann","phone":"13900139000","email":"Ann@example.com","country":"CN"}`), 202)
	var funnel2 lead.CampaignFunnel
	s.WaitFor(30*time.Second, "Ann registered and claimed", func() bool {
		s.Expect(s.Do("GET", "/api/v1/reports/campaigns/"+c.ID, s.Admin, ""), 200).JSON(t, &funnel2)
		return funnel2.Claimed == 1
	})
	if funnel2.Sent != 2 || funnel2.Registered != 1 || funnel2.Claimed != 1 {
		t.Fatalf("the list campaign's funnel: %+v", funnel2)
	}
	apptest.RecordHistoryOfType(t, s.TC, workflows.CampaignWorkflowName, "campaign_unsubscribed")
}

// TestCampaignControls: a rep may not make campaigns; a manager's reaches
// only the leads of the pools they administer, and others' campaigns are
// hidden from them; bad drafts are refused by field; a paused campaign
// sends nothing until resumed, a cancelled one nothing more.
func TestCampaignControls(t *testing.T) {
	s := apptest.NewCampaignStack(t)
	s.StartWorker(true)
	mgrID, mgr := s.PoolStaff("Mia", lead.RoleManager)
	_, rep := s.CreateRep("Ray", 10)
	pool := s.CreatePool(fmt.Sprintf(`{"name":"Mia's pool","scope":"global","admin_ids":[%q],"policy":{"distribution":"claim_only"}}`, mgrID))
	for i := 0; i < 5; i++ {
		s.CreateLead(fmt.Sprintf(`{"company":"Control Trading %d Ltd","name":"C %d","phone":"1370013700%d","email":"c%d@example.com","country":"CN","pool_id":%q}`, i, i, i, i, pool))
	}
	for i := 0; i < 2; i++ {
		s.CreateLead(fmt.Sprintf(`{"company":"Other Trading %d Ltd","phone":"1360013600%d","email":"o%d@example.com","country":"CN"}`, i, i, i))
	}
	tpl := campaignTemplate(t, s.Stack, "email", "Hello {{.Lead.Name}}")
	all := fmt.Sprintf(`{"name":"All","channel":"email","template_id":%q,"audience":{"filter":{}},"rate":12}`, tpl)
	s.Expect(s.Do("POST", "/api/v1/campaigns", rep, all), 403)
	s.Expect(s.Do("GET", "/api/v1/campaigns", rep, ""), 403)
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/campaigns", mgr, `{"name":"No template","channel":"email","audience":{"filter":{}}}`), "template_id")
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/campaigns", mgr, fmt.Sprintf(`{"name":"X","channel":"email","template_id":%q}`, tpl)), "audience")
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/campaigns", mgr, fmt.Sprintf(`{"name":"X","channel":"email","template_id":%q,"audience":{"filter":{"colour":"red"}}}`, tpl)), "audience.filter.colour")
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/campaigns", mgr, fmt.Sprintf(`{"name":"X","channel":"email","template_id":%q,"audience":{"list":[{"name":"No address"}]}}`, tpl)), "audience.list[0]")
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/campaigns", mgr, fmt.Sprintf(`{"name":"X","channel":"email","template_id":%q,"audience":{"list":[]}}`, tpl)), "audience.list")
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/campaigns", mgr, fmt.Sprintf(`{"name":"X","channel":"email","template_id":%q,"audience":{"filter":{}},"rate":-1}`, tpl)), "rate")

	var c lead.Campaign
	s.Expect(s.Do("POST", "/api/v1/campaigns", mgr, all), 201).JSON(t, &c)
	var admins lead.Campaign
	s.Expect(s.Do("POST", "/api/v1/campaigns", s.Admin, all), 201).JSON(t, &admins)
	s.Expect(s.Do("GET", "/api/v1/campaigns/"+admins.ID, mgr, ""), 404)
	s.Expect(s.Do("POST", "/api/v1/campaigns/"+admins.ID+"/start", mgr, ""), 404)
	var list struct{ Items []lead.Campaign }
	s.Expect(s.Do("GET", "/api/v1/campaigns", mgr, ""), 200).JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != c.ID {
		t.Fatalf("the manager's list: %+v", list.Items)
	}
	s.Expect(s.Do("POST", "/api/v1/campaigns/"+c.ID+"/resume", mgr, ""), 409)

	// 12 a minute: batches of 2 every 10 s.
	s.Expect(s.Do("POST", "/api/v1/campaigns/"+c.ID+"/start", mgr, ""), 202)
	c = s.WaitCampaign(c.ID, time.Minute, "the first batch", func(c lead.Campaign) bool { return c.Sent >= 2 })
	s.Expect(s.Do("POST", "/api/v1/campaigns/"+c.ID+"/pause", mgr, ""), 200)
	if c.Recipients != 5 {
		t.Fatalf("the manager's campaign reaches %d leads, want their pool's 5", c.Recipients)
	}
	time.Sleep(12 * time.Second)
	s.Expect(s.Do("GET", "/api/v1/campaigns/"+c.ID, mgr, ""), 200).JSON(t, &c)
	if c.Status != lead.CampaignPaused || c.Sent != 2 {
		t.Fatalf("paused: %+v", c)
	}
	s.Expect(s.Do("POST", "/api/v1/campaigns/"+c.ID+"/resume", mgr, ""), 200)
	c = s.WaitCampaign(c.ID, time.Minute, "done after resuming", func(c lead.Campaign) bool { return c.Status == lead.CampaignDone })
	if c.Sent != 5 || len(campaignMessages(t, s.Stack, c.ID)) != 5 {
		t.Fatalf("resumed: %+v", c)
	}
	s.Expect(s.Do("POST", "/api/v1/campaigns/"+c.ID+"/cancel", mgr, ""), 409)

	// The admin's reaches all 7; cancelled after its first batch, it sends no more.
	s.Expect(s.Do("POST", "/api/v1/campaigns/"+admins.ID+"/start", s.Admin, ""), 202)
	admins = s.WaitCampaign(admins.ID, time.Minute, "the first batch", func(c lead.Campaign) bool { return c.Sent >= 2 })
	s.Expect(s.Do("POST", "/api/v1/campaigns/"+admins.ID+"/cancel", s.Admin, ""), 200)
	time.Sleep(12 * time.Second)
	s.Expect(s.Do("GET", "/api/v1/campaigns/"+admins.ID, s.Admin, ""), 200).JSON(t, &admins)
	if admins.Status != lead.CampaignCancelled || admins.Recipients != 7 || admins.Sent != 2 {
		t.Fatalf("cancelled: %+v", admins)
	}
}

// offsetZone is a fixed-offset zone where the local hour is now hour.
func offsetZone(hour int) string {
	offset := ((hour-time.Now().UTC().Hour())%24 + 24) % 24
	if offset > 12 {
		offset -= 24
	}
	switch {
	case offset == 0:
		return "Etc/GMT"
	case offset > 0:
		return fmt.Sprintf("Etc/GMT-%d", offset) // POSIX signs are inverted
	default:
		return fmt.Sprintf("Etc/GMT+%d", -offset)
	}
}

// TestCampaignQuietHours: an SMS campaign sends at once to the attendee
// whose afternoon it is and holds back the one whose night it is (deferred
// to their morning): the campaign stays running with one pending.
func TestCampaignQuietHours(t *testing.T) {
	s := apptest.NewCampaignStack(t)
	s.StartWorker(false)
	tpl := campaignTemplate(t, s.Stack, "sms", "Hi {{.Lead.Name}}")
	body := fmt.Sprintf(`{"name":"Night and day","channel":"sms","template_id":%q,"audience":{"list":[`+
		`{"name":"Day","phone":"+8613900139001","time_zone":%q},{"name":"Night","phone":"+8613900139002","time_zone":%q}]}}`,
		tpl, offsetZone(14), offsetZone(2))
	var c lead.Campaign
	s.Expect(s.Do("POST", "/api/v1/campaigns", s.Admin, body), 201).JSON(t, &c)
	s.Expect(s.Do("POST", "/api/v1/campaigns/"+c.ID+"/start", s.Admin, ""), 202)
	c = s.WaitCampaign(c.ID, time.Minute, "the day one sent, the night one deferred", func(c lead.Campaign) bool { return c.Sent == 1 && c.Deferred == 1 })
	if c.Status != lead.CampaignRunning || c.Pending != 1 {
		t.Fatalf("campaign %+v", c)
	}
	if sms := s.Twilio.Delivered(); len(sms) != 1 || sms[0].Form.Get("To") != "+8613900139001" {
		t.Fatalf("sms %+v", sms)
	}
}
