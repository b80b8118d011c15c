package api_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/webhook"
	"github.com/leadflow/leadflow/workflows"
)

// TestTemplates: managers and admins save templates, reps read them; an
// unknown variable is refused at its line and column; a preview renders
// one for a lead the caller may see.
func TestTemplates(t *testing.T) {
	s := apptest.NewStack(t)
	_, rep := s.CreateRep("Rita", 10)
	_, mgr := s.PoolStaff("Max", lead.RoleManager)
	s.Expect(s.Do("POST", "/api/v1/fields", s.Admin, `{"entity":"lead","name":"booth","label":"Booth","type":"text"}`), 201)

	body := `{"name":"Fair invite","channel":"email","language":"en","subject":"{{.Lead.Company}} at the fair",` +
		`"body":"Dear {{.Lead.Name}},\nvisit booth {{.Lead.Custom.booth}}: {{.InviteURL}}\n{{.Rep.Name}}"}`
	s.Expect(s.Do("POST", "/api/v1/templates", rep, body), 403)
	var tpl lead.Template
	s.Expect(s.Do("POST", "/api/v1/templates", mgr, body, "Idempotency-Key", "tpl-1"), 201).JSON(t, &tpl)
	var again lead.Template
	s.Expect(s.Do("POST", "/api/v1/templates", mgr, body, "Idempotency-Key", "tpl-1"), 201).JSON(t, &again)
	if again.ID != tpl.ID || tpl.Channel != "email" {
		t.Fatalf("a retried create made %+v then %+v", tpl, again)
	}
	// The same name, channel and language again is refused.
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/templates", s.Admin, body), "name")

	bad := `{"name":"Typo","channel":"sms","language":"zh-CN","body":"您好 {{.Lead.Name}}，\n  请看 {{.Lead.Compnay}}"}`
	if r := apptest.FieldProblem(t, s.Do("POST", "/api/v1/templates", mgr, bad), "body"); !strings.Contains(r, "line 2, column 8: unknown variable .Lead.Compnay") {
		t.Fatalf("reason %q", r)
	}
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/templates", mgr, `{"name":"No subject","channel":"email","language":"en","body":"hi"}`), "subject")
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/templates", mgr, `{"name":"SMS subject","channel":"sms","language":"en","subject":"x","body":"hi"}`), "subject")
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/templates", mgr, `{"name":"Fax","channel":"fax","language":"fr","body":"hi"}`), "channel")
	apptest.FieldProblem(t, s.Do("PATCH", "/api/v1/templates/"+tpl.ID, mgr, `{"subject":"{{.Lead.Custom.hall}}"}`), "subject")

	var list struct{ Items []lead.Template }
	s.Expect(s.Do("GET", "/api/v1/templates?channel=email", rep, ""), 200).JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != tpl.ID {
		t.Fatalf("list %+v", list.Items)
	}
	s.Expect(s.Do("GET", "/api/v1/templates/"+tpl.ID, rep, ""), 200)
	s.Expect(s.Do("PATCH", "/api/v1/templates/"+tpl.ID, rep, `{"name":"Mine"}`), 403)

	// The preview: for a lead the caller may see, with its rep's invite link.
	l := s.CreateLead(`{"company":"Acme Trading","name":"Li Lei","phone":"13800138000","country":"CN","custom":{"booth":"B12"}}`)
	var out struct{ Subject, Body string }
	s.Expect(s.Do("POST", "/api/v1/templates/"+tpl.ID+"/preview", s.Admin, fmt.Sprintf(`{"lead_id":%q}`, l.ID)), 200).JSON(t, &out)
	if out.Subject != "Acme Trading at the fair" || !strings.Contains(out.Body, "Dear Li Lei,\nvisit booth B12: http") ||
		!strings.Contains(out.Body, "/r/") || !strings.HasSuffix(strings.SplitN(out.Body, "\n\n", 2)[0], "Ada Admin") {
		t.Fatalf("preview %+v", out)
	}
	// Once assigned, the lead's rep signs, and another rep may not see it.
	otto, _ := s.CreateRep("Otto", 10)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/assign", s.Admin, fmt.Sprintf(`{"rep_id":%q}`, otto)), 200)
	s.Expect(s.Do("POST", "/api/v1/templates/"+tpl.ID+"/preview", s.Admin, fmt.Sprintf(`{"lead_id":%q}`, l.ID)), 200).JSON(t, &out)
	if !strings.Contains(out.Body, "\nOtto\n") {
		t.Fatalf("preview of Otto's lead: %+v", out)
	}
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/templates/"+tpl.ID+"/preview", rep, fmt.Sprintf(`{"lead_id":%q}`, l.ID)), "lead_id")
	s.Expect(s.Do("DELETE", "/api/v1/templates/"+tpl.ID, mgr, ""), 204)
	s.Expect(s.Do("GET", "/api/v1/templates/"+tpl.ID, rep, ""), 404)
}

// messageLead is a lead with an e-mail, a phone and a Messenger id,
// assigned to a new rep; it returns the lead and the rep's id and token.
func messageLead(t *testing.T, s *apptest.Stack, rep string) (lead.Lead, string, string) {
	t.Helper()
	repID, token := s.CreateRep(rep, 10)
	s.Do("POST", "/api/v1/fields", s.Admin, `{"entity":"lead","name":"messenger_psid","label":"Messenger id","type":"text"}`)
	l := s.CreateLead(fmt.Sprintf(`{"company":"%s Customer Ltd","name":"Li Lei","phone":"1380013%04d","email":"li.%s@acme.cn","country":"CN","custom":{"messenger_psid":"psid-%s"}}`,
		rep, time.Now().UnixNano()%10000, strings.ToLower(rep), rep))
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/assign", s.Admin, fmt.Sprintf(`{"rep_id":%q}`, repID)), 200)
	return s.GetLead(l.ID), repID, token
}

// waitMessages waits until the lead's messages are all out of the queue.
func waitMessages(s *apptest.Stack, id, token string, n int) []lead.Message {
	var list struct{ Items []lead.Message }
	s.WaitFor(30*time.Second, "the messages sent", func() bool {
		s.Expect(s.Do("GET", "/api/v1/leads/"+id+"/messages", token, ""), 200).JSON(s.T, &list)
		done := 0
		for _, m := range list.Items {
			if m.Status != lead.NotificationQueued {
				done++
			}
		}
		return len(list.Items) == n && done == n
	})
	return list.Items
}

// TestMessagesThroughEachProvider: a rep messages their lead on each
// channel, each through its provider's fake as the provider checks it;
// the messages are listed with their status and are events of the
// lead's history; another rep and another pool's manager cannot.
func TestMessagesThroughEachProvider(t *testing.T) {
	m := apptest.NewMessageStack(t)
	m.StartWorker()
	s := m.Stack
	hooks := apptest.NewReceiver(t)
	s.Expect(s.Do("POST", "/api/v1/webhooks", s.Admin, fmt.Sprintf(`{"url":%q,"events":["message.sent"]}`, hooks.URL)), 201)
	l, _, rep := messageLead(t, s, "Rita")
	_, attacker := s.CreateRep("Mallory", 10)
	var tpl lead.Template
	s.Expect(s.Do("POST", "/api/v1/templates", s.Admin, `{"name":"Hello","channel":"email","language":"zh-CN","subject":"{{.Lead.Company}}",`+
		`"body":"{{.Lead.Name}}您好，我是{{.Rep.Name}}。"}`), 201).JSON(t, &tpl)

	send := `{"channel":"email","template_id":%q}`
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/messages", attacker, fmt.Sprintf(send, tpl.ID)), 404)
	var first, retried lead.Message
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/messages", rep, fmt.Sprintf(send, tpl.ID), "Idempotency-Key", "m-1"), 201).JSON(t, &first)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/messages", rep, fmt.Sprintf(send, tpl.ID), "Idempotency-Key", "m-1"), 201).JSON(t, &retried)
	if first.ID != retried.ID || first.To != l.Email {
		t.Fatalf("a retried send: %+v then %+v", first, retried)
	}
	for _, ch := range []string{"sms", "whatsapp", "messenger"} {
		s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/messages", rep, fmt.Sprintf(`{"channel":%q,"body":"Hi {{.Lead.Name}}, {{.Rep.Name}} here"}`, ch)), 201)
	}
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/leads/"+l.ID+"/messages", rep, `{"channel":"sms","body":"{{.Lead.Nope}}"}`), "body")
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/leads/"+l.ID+"/messages", rep, `{"channel":"pigeon","body":"hi"}`), "channel")
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/leads/"+l.ID+"/messages", rep, fmt.Sprintf(`{"channel":"sms","template_id":%q}`, tpl.ID)), "template_id")

	msgs := waitMessages(s, l.ID, rep, 4)
	for _, msg := range msgs {
		if msg.Status != lead.NotificationSent || msg.ProviderMessageID == "" {
			t.Errorf("%s: %+v", msg.Channel, msg)
		}
	}
	s.Expect(s.Do("GET", "/api/v1/leads/"+l.ID+"/messages", attacker, ""), 404)
	// Each message sent is a message.sent webhook event, once.
	s.WaitFor(20*time.Second, "four message.sent deliveries", func() bool { return len(hooks.Got()) >= 4 })
	seen := map[string]bool{}
	for _, r := range hooks.Got() {
		var ev webhook.Event
		if err := json.Unmarshal(r.Body, &ev); err != nil || ev.Type != "message.sent" || ev.Data.Lead.ID != l.ID || seen[r.ID] {
			t.Fatalf("delivery %s: %s (%v)", r.ID, r.Body, err)
		}
		seen[r.ID] = true
		apptest.CheckWebhookEvent(t, r.Body)
	}

	mails := m.SendGrid.DeliveredTo(l.Email)
	if len(mails) != 1 {
		t.Fatalf("%d e-mails to the lead", len(mails))
	}
	mail := mails[0]
	if mail.From.Name != "Rita" || mail.From.Email != "reps@mail.example.com" || mail.ReplyTo == nil || mail.ReplyTo.Email != "replies@example.com" ||
		mail.Subject != "Rita Customer Ltd" || !strings.HasPrefix(mail.Body("text/plain"), "Li Lei您好，我是Rita。") {
		t.Fatalf("the e-mail: %+v", mail)
	}
	unsubscribe := strings.Trim(mail.Headers["List-Unsubscribe"], "<>")
	if !strings.HasPrefix(unsubscribe, "https://leads.example.com/u/") || mail.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" ||
		!strings.Contains(mail.Body("text/plain"), "如不想再收到此类邮件，请点击："+unsubscribe) {
		t.Fatalf("unsubscribe: %v\n%s", mail.Headers, mail.Body("text/plain"))
	}
	if sms := m.Twilio.Delivered(); len(sms) != 1 || sms[0].Form.Get("To") != l.PhoneE164 || sms[0].Form.Get("Body") != "Hi Li Lei, Rita here" {
		t.Fatalf("sms: %+v", sms)
	}
	graph := m.Graph.Delivered()
	if len(graph) != 2 {
		t.Fatalf("graph: %+v", graph)
	}
	for _, g := range graph {
		switch g.Path {
		case "/me/messages":
			if g.JSON["recipient"].(map[string]any)["id"] != "psid-Rita" {
				t.Errorf("messenger: %+v", g.JSON)
			}
		case "/10550/messages":
			if g.JSON["to"] != strings.TrimPrefix(l.PhoneE164, "+") {
				t.Errorf("whatsapp: %+v", g.JSON)
			}
		default:
			t.Errorf("graph path %s", g.Path)
		}
	}
	sent := 0
	for _, e := range s.History(l.ID) {
		if e.Type == lead.EventMessageSent {
			sent++
		}
	}
	if sent != 4 {
		t.Fatalf("%d message_sent events, want 4", sent)
	}

	// The one-click unsubscribe (RFC 8058): the next e-mail is skipped.
	u := strings.TrimPrefix(unsubscribe, "https://leads.example.com")
	req := httptest.NewRequest("POST", u, strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if r := s.Send(req, nil); r.Status != 200 {
		t.Fatalf("one-click unsubscribe: %d %s", r.Status, r.Body)
	}
	var skipped lead.Message
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/messages", rep, fmt.Sprintf(send, tpl.ID)), 201).JSON(t, &skipped)
	if skipped.Status != lead.NotificationSkipped || skipped.Reason != lead.SkipUnsubscribed {
		t.Fatalf("after unsubscribing: %+v", skipped)
	}
	var consent struct{ Items []lead.Consent }
	s.Expect(s.Do("GET", "/api/v1/leads/"+l.ID+"/consent", rep, ""), 200).JSON(t, &consent)
	if len(consent.Items) != 4 || !consent.Items[0].Suppressed || consent.Items[0].Channel != "email" || consent.Items[1].Suppressed {
		t.Fatalf("consent %+v", consent.Items)
	}
	if n := len(m.SendGrid.DeliveredTo(l.Email)); n != 1 {
		t.Fatalf("%d e-mails to the lead after it unsubscribed", n)
	}
	if r := s.Do("GET", "/u/not-a-token", "", ""); r.Status != 404 {
		t.Fatalf("a forged token: %d", r.Status)
	}
	apptest.RecordHistoryOfType(t, s.TC, workflows.MessageWorkflowName, "message_each_provider")
}

// TestMessageSentOnceAcrossAWorkerRestart: the worker stops while the
// provider is still answering the send; the next worker sends it, and the
// lead gets it once.
func TestMessageSentOnceAcrossAWorkerRestart(t *testing.T) {
	m := apptest.NewMessageStack(t)
	stop := m.StartWorker()
	s := m.Stack
	l, _, rep := messageLead(t, s, "Sam")
	m.SendGrid.Delay(2 * time.Second)
	var msg lead.Message
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/messages", rep, `{"channel":"email","subject":"Hello","body":"Hi {{.Lead.Name}}"}`), 201).JSON(t, &msg)
	s.WaitFor(20*time.Second, "the send under way", func() bool { return m.SendGrid.InFlight() == 1 })
	stop()
	m.SendGrid.Delay(0)
	m.StartWorker()
	msgs := waitMessages(s, l.ID, rep, 1)
	if msgs[0].Status != lead.NotificationSent {
		t.Fatalf("message %+v", msgs[0])
	}
	if n := len(m.SendGrid.DeliveredTo(l.Email)); n != 1 {
		t.Fatalf("the lead got %d e-mails, want 1 (requests: %d)", n, len(m.SendGrid.Requests()))
	}
	// The first attempt was cut off mid-send by the stop.
	if reqs := m.SendGrid.Requests(); len(reqs) != 2 || reqs[0].Status != 499 {
		t.Fatalf("requests: %+v", reqs)
	}
}

// TestQueuedMessageStartedByTheWorker: a message stored whose workflow the
// API did not start (Temporal was out of reach) is started by the worker,
// and sent once.
func TestQueuedMessageStartedByTheWorker(t *testing.T) {
	m := apptest.NewMessageStack(t)
	m.StartWorker()
	s := m.Stack
	l, repID, rep := messageLead(t, s, "Una")
	id := uuid.NewString()
	_, err := m.DB.QueueMessage(t.Context(), lead.Notification{ID: id, Key: "message/" + id, LeadID: l.ID, Channel: "sms",
		ToEmail: l.PhoneE164, Text: "Hello from a stalled start", SenderID: repID},
		lead.Event{LeadID: l.ID, Type: lead.EventMessageSent, ActorID: repID, Data: map[string]any{"message_id": id, "channel": "sms"}})
	if err != nil {
		t.Fatal(err)
	}
	msgs := waitMessages(s, l.ID, rep, 1)
	if msgs[0].Status != lead.NotificationSent {
		t.Fatalf("message %+v", msgs[0])
	}
	if got := m.Twilio.Delivered(); len(got) != 1 || got[0].Form.Get("Body") != "Hello from a stalled start" {
		t.Fatalf("sms: %+v", got)
	}
}
