package api_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/workflows"
)

// messageStatuses are the lead's messages' statuses by channel.
func messageStatuses(s *apptest.Stack, id, token string) map[string]lead.Message {
	var list struct{ Items []lead.Message }
	s.Expect(s.Do("GET", "/api/v1/leads/"+id+"/messages", token, ""), 200).JSON(s.T, &list)
	out := map[string]lead.Message{}
	for _, m := range list.Items {
		if _, ok := out[m.Channel]; !ok {
			out[m.Channel] = m // the newest
		}
	}
	return out
}

// historyCount counts the lead's history events of type typ.
func historyCount(s *apptest.Stack, id string, typ lead.EventType) int {
	n := 0
	for _, e := range s.History(id) {
		if e.Type == typ {
			n++
		}
	}
	return n
}

// TestDeliveryEvents: SendGrid's signed Event Webhook and Twilio's signed
// status callbacks move each message's status on (never back); a forged
// delivery is refused with 401 and changes nothing; a retried event
// changes nothing twice; a hard bounce marks the address invalid on the
// lead and suppresses it, so the next e-mail is skipped.
func TestDeliveryEvents(t *testing.T) {
	m := apptest.NewInboxStack(t)
	m.StartWorker()
	s := m.Stack
	l, _, rep := messageLead(t, s, "Dora")
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/messages", rep, `{"channel":"email","subject":"Hi","body":"Hello {{.Lead.Name}}"}`), 201)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/messages", rep, `{"channel":"sms","body":"Hello {{.Lead.Name}}"}`), 201)
	waitMessages(s, l.ID, rep, 2)
	msgs := messageStatuses(s, l.ID, rep)
	mail, sms := msgs["email"], msgs["sms"]

	event := func(id, typ, extra string) string {
		return fmt.Sprintf(`[{"email":%q,"timestamp":1765069200,"event":%q,"sg_event_id":%q,"sg_message_id":"%s.filterdrecv-5bf99c48d-4xf4h-18-5E8E4F6B-2.0"%s}]`,
			l.Email, typ, id, mail.ProviderMessageID, extra)
	}
	// A forged delivery: signed with another key, or not at all.
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	s.Expect(m.SendGridEvents(event("ev-1", "delivered", ""), other), 401)
	s.Expect(s.Do("POST", "/api/v1/inbound/sendgrid/events", "", event("ev-1", "delivered", "")), 401)
	if got := messageStatuses(s, l.ID, rep)["email"].Status; got != lead.NotificationSent {
		t.Fatalf("after forged events the e-mail is %s", got)
	}
	var out struct{ Received, Applied int }
	m.Expect(m.SendGridEvents(event("ev-1", "delivered", ""), nil), 200).JSON(t, &out)
	if out.Applied != 1 || messageStatuses(s, l.ID, rep)["email"].Status != lead.MessageDelivered {
		t.Fatalf("delivered: %+v, %+v", out, messageStatuses(s, l.ID, rep)["email"])
	}
	s.Expect(m.SendGridEvents(event("ev-2", "open", ""), nil), 200)
	m.Expect(m.SendGridEvents(event("ev-2", "open", ""), nil), 200).JSON(t, &out) // SendGrid retries
	if out.Applied != 0 {
		t.Fatalf("a retried event applied again: %+v", out)
	}
	s.Expect(m.SendGridEvents(event("ev-3", "delivered", ""), nil), 200) // late: does not move it back
	if got := messageStatuses(s, l.ID, rep)["email"].Status; got != lead.MessageOpened {
		t.Fatalf("after open and a late delivered: %s", got)
	}
	s.Expect(m.SendGridEvents("not json", nil), 422)

	// Twilio's status callback, signed with the auth token, to the URL the
	// SMS named as its StatusCallback.
	callback, err := url.Parse(m.Twilio.StatusCallback(sms.ProviderMessageID))
	if err != nil || callback.String() != apptest.InboxPublicURL+"/api/v1/inbound/twilio/status" {
		t.Fatalf("the SMS's StatusCallback: %q %v", callback, err)
	}
	status := url.Values{"MessageSid": {sms.ProviderMessageID}, "MessageStatus": {"delivered"}, "To": {l.PhoneE164}}
	s.Expect(m.TwilioPost(callback.Path, status, "forged-token"), 401)
	if got := messageStatuses(s, l.ID, rep)["sms"].Status; got != lead.NotificationSent {
		t.Fatalf("after a forged callback the SMS is %s", got)
	}
	s.Expect(m.TwilioPost(callback.Path, status, ""), 200)
	if got := messageStatuses(s, l.ID, rep)["sms"].Status; got != lead.MessageDelivered {
		t.Fatalf("after delivered the SMS is %s", got)
	}

	// A hard bounce: the message is bounced, the address invalid and suppressed.
	s.Expect(m.SendGridEvents(event("ev-4", "bounce", `,"type":"bounce","reason":"550 5.1.1 no such user"`), nil), 200)
	s.Expect(m.SendGridEvents(event("ev-4", "bounce", `,"type":"bounce","reason":"550 5.1.1 no such user"`), nil), 200)
	if got := messageStatuses(s, l.ID, rep)["email"]; got.Status != lead.MessageBounced || got.Reason != "550 5.1.1 no such user" {
		t.Fatalf("after a hard bounce: %+v", got)
	}
	if n := historyCount(s, l.ID, lead.EventAddressInvalid); n != 1 {
		t.Fatalf("%d address_invalid events, want 1", n)
	}
	var consent struct{ Items []lead.Consent }
	s.Expect(s.Do("GET", "/api/v1/leads/"+l.ID+"/consent", rep, ""), 200).JSON(t, &consent)
	if !consent.Items[0].Suppressed || consent.Items[0].Reason != lead.SkipBounced || consent.Items[1].Suppressed {
		t.Fatalf("consent %+v", consent.Items)
	}
	var skipped lead.Message
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/messages", rep, `{"channel":"email","subject":"Again","body":"Hi"}`), 201).JSON(t, &skipped)
	if skipped.Status != lead.NotificationSkipped || skipped.Reason != lead.SkipBounced {
		t.Fatalf("an e-mail after the bounce: %+v", skipped)
	}
}

// replies are the lead's replies, newest first.
func replies(s *apptest.Stack, id, token string) []lead.Reply {
	var list struct{ Items []lead.Reply }
	s.Expect(s.Do("GET", "/api/v1/leads/"+id+"/replies", token, ""), 200).JSON(s.T, &list)
	return list.Items
}

// TestReplies: an SMS (Twilio), a Messenger message (Graph API) and an
// e-mail (Inbound Parse) from a lead's addresses are its replies, once
// however often the provider retries, and events of its history; a
// forged delivery is refused with 401 and changes nothing; a STOP reply
// suppresses SMS, so the next SMS is skipped.
func TestReplies(t *testing.T) {
	m := apptest.NewInboxStack(t)
	m.StartWorker()
	s := m.Stack
	l, _, rep := messageLead(t, s, "Rex")
	_, other := s.CreateRep("Olga", 10)

	sms := url.Values{"MessageSid": {"SMreply1"}, "From": {l.PhoneE164}, "To": {"+15005550006"}, "Body": {"Yes, send the quote"}}
	s.Expect(m.TwilioPost("/api/v1/inbound/twilio/sms", sms, "forged-token"), 401)
	s.Expect(s.Do("POST", "/api/v1/inbound/twilio/sms", "", sms.Encode(), "Content-Type", "application/x-www-form-urlencoded"), 401)
	if got := replies(s, l.ID, rep); len(got) != 0 {
		t.Fatalf("forged SMS made replies %+v", got)
	}
	s.Expect(m.TwilioPost("/api/v1/inbound/twilio/sms", sms, ""), 200)
	s.Expect(m.TwilioPost("/api/v1/inbound/twilio/sms", sms, ""), 200) // Twilio retries
	got := replies(s, l.ID, rep)
	if len(got) != 1 || got[0].Channel != "sms" || got[0].Body != "Yes, send the quote" || got[0].From != l.PhoneE164 {
		t.Fatalf("replies after the SMS: %+v", got)
	}
	s.Expect(s.Do("GET", "/api/v1/leads/"+l.ID+"/replies", other, ""), 404)

	// Messenger, from the lead's page-scoped id.
	msg := `{"object":"page","entry":[{"id":"444","time":1765069200,"messaging":[{"sender":{"id":"psid-Rex"},"recipient":{"id":"444"},` +
		`"timestamp":1765069200,"message":{"mid":"m_1","text":"Hello from Messenger"}}]}]}`
	s.Expect(m.MetaPost(msg, "forged-secret"), 401)
	s.Expect(m.MetaPost(msg, ""), 200)
	s.Expect(m.MetaPost(msg, ""), 200)

	// E-mail through Inbound Parse, authenticated by its URL's secret.
	mail := map[string]string{"from": "Li Lei <LI.REX@acme.cn>", "to": "replies@example.com", "subject": "Re: Hi",
		"text": "Thanks!", "headers": "Message-ID: <abc@acme.cn>\nSubject: Re: Hi", "envelope": `{"from":"li.rex@acme.cn","to":["replies@example.com"]}`}
	s.Expect(m.InboundEmail(mail, "wrong"), 401)
	s.Expect(m.InboundEmail(mail, ""), 200)
	s.Expect(m.InboundEmail(mail, ""), 200)
	got = replies(s, l.ID, rep)
	if len(got) != 3 || got[0].Channel != "email" || got[0].FromName != "Li Lei" || got[0].Subject != "Re: Hi" || got[1].Channel != "messenger" {
		t.Fatalf("replies: %+v", got)
	}
	if n := historyCount(s, l.ID, lead.EventReplyReceived); n != 3 {
		t.Fatalf("%d reply_received events, want 3", n)
	}

	// STOP: the number is suppressed for SMS, and the next SMS is skipped.
	stop := url.Values{"MessageSid": {"SMstop1"}, "From": {l.PhoneE164}, "Body": {" stop "}}
	s.Expect(m.TwilioPost("/api/v1/inbound/twilio/sms", stop, ""), 200)
	var consent struct{ Items []lead.Consent }
	s.Expect(s.Do("GET", "/api/v1/leads/"+l.ID+"/consent", rep, ""), 200).JSON(t, &consent)
	if consent.Items[0].Suppressed || !consent.Items[1].Suppressed || consent.Items[1].Reason != lead.SkipStopped {
		t.Fatalf("consent after STOP: %+v", consent.Items)
	}
	var skipped lead.Message
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/messages", rep, `{"channel":"sms","body":"One more offer"}`), 201).JSON(t, &skipped)
	if skipped.Status != lead.NotificationSkipped || skipped.Reason != lead.SkipStopped {
		t.Fatalf("an SMS after STOP: %+v", skipped)
	}
	if n := len(m.Twilio.Delivered()); n != 0 {
		t.Fatalf("%d SMS went out after STOP", n)
	}
	// The owner heard of each reply once (the outbox: no mail provider here).
	var notes struct{ Items []lead.Notification }
	s.WaitFor(20*time.Second, "the owner's four reply e-mails sent", func() bool {
		s.Expect(s.Do("GET", "/api/v1/notifications?kind=reply", s.Admin, ""), 200).JSON(t, &notes)
		sent := 0
		for _, n := range notes.Items {
			if n.Status == lead.NotificationSent {
				sent++
			}
		}
		return sent >= 4 // a notice is listed from when it is claimed, before it is sent
	})
	for _, n := range notes.Items {
		if n.ToEmail != "rex@example.com" || n.LeadID != l.ID || n.Status != lead.NotificationSent {
			t.Fatalf("reply notice %+v", n)
		}
	}
	// Each reply's notice is made by its own workflow, in whatever order
	// they run: the quote's reply is among the four, not necessarily last.
	if len(notes.Items) != 4 || !slices.ContainsFunc(notes.Items, func(n lead.Notification) bool { return strings.Contains(n.Text, "Yes, send the quote") }) {
		t.Fatalf("reply notices %+v", notes.Items)
	}
	apptest.RecordHistoryOfType(t, s.TC, workflows.ReplyNoticeWorkflowName, "reply_notice")
}

// TestConversations: messages from senders who are no lead (WhatsApp, an
// e-mail) and comments on the page's posts open conversations; a manager
// sees them all and assigns one to a rep, who alone sees it then and makes
// a lead of it with its fields prefilled; the lead goes through intake
// (a duplicate under the warn policy is created with a notice) and the
// conversation's messages become its replies.
func TestConversations(t *testing.T) {
	m := apptest.NewInboxStack(t)
	m.StartWorker()
	s := m.Stack
	_, mgr := s.PoolStaff("Mona", lead.RoleManager)
	repID, rep := s.CreateRep("Ravi", 10)
	rep2ID, rep2 := s.CreateRep("Rosa", 10)
	existing := s.CreateLead(`{"company":"Known Trading Co","name":"Zhao","phone":"13900139001","country":"CN"}`)

	wa := func(id, text string) string {
		return fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",`+
			`"contacts":[{"wa_id":"8613900139555","profile":{"name":"Wang Wu"}}],"messages":[{"from":"8613900139555","id":%q,"timestamp":"1765069200","type":"text","text":{"body":%q}}]}}]}]}`, id, text)
	}
	s.Expect(m.MetaPost(wa("wamid.1", "Do you ship to Shenzhen?"), ""), 200)
	s.Expect(m.MetaPost(wa("wamid.1", "Do you ship to Shenzhen?"), ""), 200)
	s.Expect(m.MetaPost(wa("wamid.2", "And the price?"), ""), 200)
	comment := `{"object":"page","entry":[{"id":"444","time":1765069200,"changes":[{"field":"feed","value":{"item":"comment","verb":"add",` +
		`"comment_id":"444_1_2","post_id":"444_1","message":"Interested!","from":{"id":"9001","name":"Chen Qi"}}}]}]}`
	s.Expect(m.MetaPost(comment, ""), 200)
	s.Expect(m.InboundEmail(map[string]string{"from": "Buyer <buyer@newco.cn>", "subject": "Quote", "text": "Please send a quote",
		"headers": "Message-ID: <q1@newco.cn>"}, ""), 200)

	var list struct{ Items []lead.Conversation }
	s.Expect(s.Do("GET", "/api/v1/conversations", mgr, ""), 200).JSON(t, &list)
	if len(list.Items) != 3 {
		t.Fatalf("the manager sees %+v", list.Items)
	}
	byChannel := map[string]lead.Conversation{}
	for _, c := range list.Items {
		byChannel[c.Channel+"/"+c.Origin] = c
	}
	w, mail, cm := byChannel["whatsapp/message"], byChannel["email/message"], byChannel["messenger/comment"]
	if w.Address != "+8613900139555" || w.Name != "Wang Wu" || mail.Address != "buyer@newco.cn" || cm.Name != "Chen Qi" {
		t.Fatalf("conversations %+v", byChannel)
	}
	s.Expect(s.Do("GET", "/api/v1/conversations", rep, ""), 200).JSON(t, &list)
	if len(list.Items) != 0 {
		t.Fatalf("a rep sees unassigned conversations: %+v", list.Items)
	}
	s.Expect(s.Do("GET", "/api/v1/conversations/"+w.ID, rep, ""), 404)
	s.Expect(s.Do("POST", "/api/v1/conversations/"+w.ID+"/assign", rep, fmt.Sprintf(`{"rep_id":%q}`, repID)), 403)
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/conversations/"+w.ID+"/assign", mgr, `{"rep_id":"nobody"}`), "rep_id")
	s.Expect(s.Do("POST", "/api/v1/conversations/"+w.ID+"/assign", mgr, fmt.Sprintf(`{"rep_id":%q}`, repID)), 200)

	var one lead.Conversation
	s.Expect(s.Do("GET", "/api/v1/conversations/"+w.ID, rep, ""), 200).JSON(t, &one)
	if one.AssigneeID != repID || len(one.Messages) != 2 || one.Messages[0].Body != "Do you ship to Shenzhen?" {
		t.Fatalf("the rep's conversation %+v", one)
	}
	s.Expect(s.Do("GET", "/api/v1/conversations/"+w.ID, rep2, ""), 404)
	s.Expect(s.Do("GET", "/api/v1/conversations/"+w.ID+"/draft", mgr, ""), 403)
	s.Expect(s.Do("POST", "/api/v1/conversations/"+w.ID+"/lead", mgr, `{"company":"Wang Trading Co"}`), 403)
	var draft lead.Input
	s.Expect(s.Do("GET", "/api/v1/conversations/"+w.ID+"/draft", rep, ""), 200).JSON(t, &draft)
	if draft.Name != "Wang Wu" || draft.Phone != "+8613900139555" {
		t.Fatalf("draft %+v", draft)
	}
	var made struct {
		lead.Lead
		Warnings []string
	}
	s.Expect(s.Do("POST", "/api/v1/conversations/"+w.ID+"/lead", rep, `{"company":"Wang Trading Co","country":"CN"}`), 201).JSON(t, &made)
	if made.Name != "Wang Wu" || made.PhoneE164 != "+8613900139555" || made.OwnerID != repID || len(made.Warnings) != 0 {
		t.Fatalf("the lead made: %+v", made)
	}
	var again struct{ lead.Lead }
	s.Expect(s.Do("POST", "/api/v1/conversations/"+w.ID+"/lead", rep, `{"company":"Wang Trading Co","country":"CN"}`), 201).JSON(t, &again)
	if again.ID != made.ID {
		t.Fatalf("a second click made %s after %s", again.ID, made.ID)
	}
	if got := replies(s, made.ID, rep); len(got) != 2 {
		t.Fatalf("the lead's replies: %+v", got)
	}
	s.Expect(s.Do("GET", "/api/v1/conversations?state=lead", mgr, ""), 200).JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0].LeadID != made.ID {
		t.Fatalf("conversations made leads: %+v", list.Items)
	}
	s.Expect(s.Do("POST", "/api/v1/conversations/"+w.ID+"/assign", mgr, fmt.Sprintf(`{"rep_id":%q}`, rep2ID)), 409)
	// The next WhatsApp message from that number is the new lead's reply.
	s.Expect(m.MetaPost(wa("wamid.3", "Thanks"), ""), 200)
	if got := replies(s, made.ID, rep); len(got) != 3 {
		t.Fatalf("the lead's replies after its creation: %+v", got)
	}

	// Pushing a contact who is already a lead: created with a notice (warn).
	s.Expect(s.Do("POST", "/api/v1/conversations/"+mail.ID+"/assign", mgr, fmt.Sprintf(`{"rep_id":%q}`, rep2ID)), 200)
	var dup struct {
		lead.Lead
		Warnings []string
	}
	s.Expect(s.Do("POST", "/api/v1/conversations/"+mail.ID+"/lead", rep2, `{"company":"Known Trading Co","phone":"13900139001","country":"CN"}`), 201).JSON(t, &dup)
	if dup.ID == existing.ID || dup.Email != "buyer@newco.cn" || len(dup.Warnings) != 1 || !strings.HasPrefix(dup.Warnings[0], "a lead with the same company, phone and country exists") {
		t.Fatalf("the duplicate: %+v", dup)
	}
	apptest.FieldProblem(t, s.Do("GET", "/api/v1/conversations?state=nope", mgr, ""), "state")
}

// TestMessageCountsAsFollowUp: by default a message to a lead is no
// follow-up; once its pool's policy says so, a message sent is recorded as
// a follow-up of type message (once, however often the send is retried),
// which resets the reclaim timer.
func TestMessageCountsAsFollowUp(t *testing.T) {
	m := apptest.NewInboxStack(t)
	m.StartWorker()
	s := m.Stack
	l, _, rep := messageLead(t, s, "Fay")
	followUps := func() []lead.FollowUp {
		var list struct{ Items []lead.FollowUp }
		s.Expect(s.Do("GET", "/api/v1/leads/"+l.ID+"/follow-ups", rep, ""), 200).JSON(t, &list)
		return list.Items
	}
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/messages", rep, `{"channel":"sms","body":"Hi"}`), 201)
	if got := followUps(); len(got) != 0 {
		t.Fatalf("a message counted as a follow-up by default: %+v", got)
	}
	s.Expect(s.Do("PATCH", "/api/v1/pools/"+l.PoolID, s.Admin, `{"policy":{"message_counts_as_follow_up":true}}`), 200)
	for range 2 {
		s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/messages", rep, `{"channel":"sms","body":"The quote is ready"}`, "Idempotency-Key", "fu-1"), 201)
	}
	got := followUps()
	if len(got) != 1 || got[0].Type != "message" || got[0].Content != "sms: The quote is ready" {
		t.Fatalf("follow-ups: %+v", got)
	}
	if after := s.GetLead(l.ID); after.LastFollowUpAt == nil {
		t.Fatalf("the lead's last follow-up is not set: %+v", after)
	}
	apptest.FieldProblem(t, s.Do("PATCH", "/api/v1/pools/"+l.PoolID, s.Admin, `{"policy":{"message_counts_as_follow_up":"yes"}}`), "policy.message_counts_as_follow_up")
}

// TestSendGridUnsubscribeEndsSequences: a lead who marks a lead e-mail as
// spam (or follows SendGrid's unsubscribe link) is suppressed for the
// lead of the message the event names (its custom args carry the
// message's key) and leaves its sequences at once (reason unsubscribed),
// not only at its next step.
func TestSendGridUnsubscribeEndsSequences(t *testing.T) {
	m := apptest.NewInboxStack(t)
	m.StartWorker()
	s := m.Stack
	l, _, rep := messageLead(t, s, "Uma")
	tpl := s.SequenceTemplate()
	seq := s.CreateSequence(s.Admin, fmt.Sprintf(`{"name":"Spam drip","steps":[{"wait":"1h"},{"send":{"template_id":%q,"channel":"sms"}}]}`, tpl))
	e := s.Enrol(s.Admin, l.ID, seq)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/messages", rep, `{"channel":"email","subject":"Hi","body":"Hello {{.Lead.Name}}"}`), 201)
	mail := waitMessages(s, l.ID, rep, 1)[0]
	sent := m.SendGrid.DeliveredTo(l.Email)
	if len(sent) != 1 || sent[0].CustomArgs["idempotency_key"] == "" {
		t.Fatalf("the e-mail sent: %+v", sent)
	}
	body := fmt.Sprintf(`[{"email":%q,"timestamp":1765069200,"event":"spamreport","sg_event_id":"ev-spam-1","sg_message_id":"%s.filterdrecv-1","idempotency_key":%q,"lead_id":%q}]`,
		l.Email, mail.ProviderMessageID, sent[0].CustomArgs["idempotency_key"], l.ID)
	s.Expect(m.SendGridEvents(body, nil), 200)
	es := leadEnrolments(t, s, l.ID)
	if len(es) != 1 || es[0].ID != e.ID || es[0].Status != lead.EnrolmentExited || es[0].Reason != lead.ExitUnsubscribed {
		t.Fatalf("after the spam report: %+v", es)
	}
	var consent struct{ Items []lead.Consent }
	s.Expect(s.Do("GET", "/api/v1/leads/"+l.ID+"/consent", rep, ""), 200).JSON(t, &consent)
	if !consent.Items[0].Suppressed || consent.Items[0].Reason != lead.SkipUnsubscribed {
		t.Fatalf("consent %+v", consent.Items)
	}
	// An unsubscribe of an address no message of leadflow's went to is kept, for no lead.
	s.Expect(m.SendGridEvents(`[{"email":"nobody@example.com","timestamp":1765069200,"event":"unsubscribe","sg_event_id":"ev-unsub-2"}]`, nil), 200)
}
