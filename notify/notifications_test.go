package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/sendgridtest"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/notify"
)

func message() notify.Message {
	return notify.Message{Key: "lead/l1/u1/assigned/rep1", To: "rita@example.com", ToName: "Rita Rep",
		Subject: "New lead assigned to you: Acme Trading", Text: "plain body", HTML: "<p>html body</p>",
		Args: map[string]string{"lead_id": "l1", "kind": lead.EmailAssigned}}
}

// TestSendGridSendsTheV3JSON checks what the real client puts on the wire.
func TestSendGridSendsTheV3JSON(t *testing.T) {
	srv := sendgridtest.New(t, "SG.test-key")
	s, err := notify.NewSendGrid("SG.test-key", srv.URL, "Leadflow <leads@example.com>")
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.Send(context.Background(), message())
	if err != nil || id != "fake-1" {
		t.Fatalf("send: %q %v", id, err)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 || reqs[0].Status != 202 {
		t.Fatalf("requests: %+v", reqs)
	}
	var raw map[string]any
	if err := json.Unmarshal(reqs[0].Raw, &raw); err != nil {
		t.Fatal(err)
	}
	m := reqs[0].Mail
	if m.From.Email != "leads@example.com" || m.From.Name != "Leadflow" {
		t.Fatalf("from: %+v", m.From)
	}
	if len(m.Personalizations) != 1 || len(m.Personalizations[0].To) != 1 || m.Personalizations[0].To[0] != (sendgridtest.Address{Email: "rita@example.com", Name: "Rita Rep"}) {
		t.Fatalf("personalizations: %+v", m.Personalizations)
	}
	if m.Subject != "New lead assigned to you: Acme Trading" {
		t.Fatalf("subject %q", m.Subject)
	}
	if len(m.Content) != 2 || m.Content[0] != (sendgridtest.Content{Type: "text/plain", Value: "plain body"}) ||
		m.Content[1] != (sendgridtest.Content{Type: "text/html", Value: "<p>html body</p>"}) {
		t.Fatalf("content: %+v", m.Content)
	}
	want := map[string]string{"lead_id": "l1", "kind": "assigned", "idempotency_key": "lead/l1/u1/assigned/rep1"}
	if len(m.CustomArgs) != len(want) {
		t.Fatalf("custom args %v, want %v", m.CustomArgs, want)
	}
	for k, v := range want {
		if m.CustomArgs[k] != v {
			t.Fatalf("custom arg %s = %q, want %q (all %v)", k, m.CustomArgs[k], v, m.CustomArgs)
		}
	}
}

func TestSendGridErrors(t *testing.T) {
	srv := sendgridtest.New(t, "SG.key")
	s, err := notify.NewSendGrid("SG.key", srv.URL+"/", "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	srv.Script(503)
	_, err = s.Send(ctx, message())
	var e *notify.Error
	if !errors.As(err, &e) || e.Status != 503 || !e.Temporary() || notify.Permanent(err) {
		t.Fatalf("503: %v", err)
	}
	srv.Script(429)
	if _, err = s.Send(ctx, message()); notify.Permanent(err) || err == nil {
		t.Fatalf("429: %v", err)
	}
	// A bad address is refused for good, with SendGrid's explanation.
	bad := message()
	bad.To = "not-an-address"
	_, err = s.Send(ctx, bad)
	if !notify.Permanent(err) || !strings.Contains(err.Error(), "personalizations.0.to.0.email: Does not contain a valid address.") {
		t.Fatalf("400: %v", err)
	}
	// A wrong key is a 401: permanent too.
	wrong, _ := notify.NewSendGrid("SG.wrong", srv.URL, "")
	if _, err = wrong.Send(ctx, message()); !notify.Permanent(err) || !strings.Contains(err.Error(), "401") {
		t.Fatalf("401: %v", err)
	}
	// Nobody listening: a transport error, retryable.
	down, _ := notify.NewSendGrid("SG.key", "http://127.0.0.1:1", "")
	if _, err = down.Send(ctx, message()); err == nil || notify.Permanent(err) {
		t.Fatalf("down: %v", err)
	}
	if n := len(srv.Delivered()); n != 0 {
		t.Fatalf("%d mails delivered", n)
	}
	// The default From address.
	if _, err := s.Send(ctx, message()); err != nil {
		t.Fatal(err)
	}
	if from := srv.Delivered()[0].From; from.Email != notify.DefaultFrom {
		t.Fatalf("default from %+v", from)
	}
}

func TestSenderSelection(t *testing.T) {
	s, err := notify.New(notify.Config{})
	if err != nil || s.Name() != "outbox" {
		t.Fatalf("no key: %v %v", s, err)
	}
	if id, err := s.Send(context.Background(), message()); err != nil || id != "" {
		t.Fatalf("outbox send: %q %v", id, err)
	}
	s, err = notify.New(notify.Config{SendGridKey: "SG.x"})
	if err != nil || s.Name() != "sendgrid" {
		t.Fatalf("key: %v %v", s, err)
	}
	if _, err := notify.New(notify.Config{SendGridKey: "SG.x", SendGridBaseURL: "ftp://x"}); err == nil {
		t.Fatal("an ftp base URL was accepted")
	}
	if _, err := notify.New(notify.Config{SendGridKey: "SG.x", From: "not an address"}); err == nil {
		t.Fatal("a bad From was accepted")
	}
}

func TestTemplates(t *testing.T) {
	deadline := time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC)
	l := lead.Lead{ID: "l1", Contact: lead.Contact{Company: "Acme <Trading> & Co", Name: "Li Lei",
		Phone: "138 0013 8000", Email: "li@acme.cn", Country: "CN"}, PhoneE164: "+8613800138000",
		Source: "web", Stage: "New"}
	base := notify.Data{To: "Rita", Lead: l, LeadURL: "http://leadflow.test/leads/l1", Pool: "North", Rep: "Rita", Actor: "Max Manager",
		SettingsURL: "http://leadflow.test/api/v1/settings/notifications"}
	cases := []struct {
		kind, subject string
		data          func(d *notify.Data)
		body          []string
	}{
		{lead.EmailOffered, "Lead offered to you: Acme <Trading> & Co (accept by Mon 23 Nov 10:30 UTC)",
			func(d *notify.Data) { d.Deadline = &deadline }, []string{"is offered to you from the pool North", "by Mon 23 Nov 10:30 UTC"}},
		{lead.EmailAssigned, "New lead assigned to you: Acme <Trading> & Co", func(d *notify.Data) { d.Reason = "knows the client" },
			[]string{"Acme <Trading> & Co (Li Lei) has been assigned to you by Max Manager", "Note: knows the client", "Phone: +8613800138000"}},
		{lead.EmailNewLead, "New lead in the pool North: Acme <Trading> & Co", nil, []string{"is waiting in the pool North", "You can turn these e-mails off"}},
		{lead.EmailSLAReminder, "Overdue: first contact with Acme <Trading> & Co", func(d *notify.Data) { d.Reason = "first contact is overdue: no follow-up within 1h" },
			[]string{"First contact is overdue: no follow-up within 1h."}},
		{lead.EmailSLAEscalation, "Escalation: no first contact with Acme <Trading> & Co by Rita", nil, []string{"Rita has not recorded a first contact"}},
		{lead.EmailReclaimReminder, "Reminder: Acme <Trading> & Co goes back to the pool soon",
			func(d *notify.Data) { d.Reason = "the lead will be reclaimed in 1d: no follow-up within 7d" },
			[]string{"The lead will be reclaimed in 1d: no follow-up within 7d.", "Record a follow-up"}},
		{lead.EmailReclaimed, "Acme <Trading> & Co was taken back from you", func(d *notify.Data) { d.Reason = "no follow-up within 7d" },
			[]string{"went back to the pool North: no follow-up within 7d."}},
		{lead.EmailImportFinished, "Your import is finished: 98 imported, 2 errors", func(d *notify.Data) {
			d.Lead, d.Summary, d.Link = lead.Lead{}, "98 imported, 2 errors", "http://leadflow.test/api/v1/imports/i1"
		}, []string{"See the import: http://leadflow.test/api/v1/imports/i1"}},
		{lead.EmailExportFinished, "Your export is ready: 1,000 leads", func(d *notify.Data) {
			d.Lead, d.Summary, d.Link = lead.Lead{}, "1,000 leads", "http://leadflow.test/exports/e1"
		}, []string{"Open the export to download the file: http://leadflow.test/exports/e1"}},
		{lead.EmailDigest, "2 follow-ups due today", func(d *notify.Data) {
			d.Lead, d.Day = lead.Lead{}, "2026-11-23"
			d.Items = []notify.DigestItem{
				{LeadID: "l1", Company: "Acme Trading", NextStep: "send the quote", Due: deadline.Add(-24 * time.Hour), URL: "http://leadflow.test/leads/l1"},
				{LeadID: "l2", Company: "Beta GmbH", Name: "Jo", Due: deadline, URL: "http://leadflow.test/leads/l2"},
			}
		}, []string{"- Acme Trading: send the quote, due Sun 22 Nov 10:30 UTC (overdue)", "- Beta GmbH (Jo), due Mon 23 Nov 10:30 UTC\n  http://leadflow.test/leads/l2"}},
	}
	for _, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			d := base
			d.Kind = c.kind
			if c.data != nil {
				c.data(&d)
			}
			subject, text, html, err := notify.Render(d)
			if err != nil {
				t.Fatal(err)
			}
			if subject != c.subject {
				t.Fatalf("subject %q, want %q", subject, c.subject)
			}
			if !strings.HasPrefix(text, "Hello Rita,\n") {
				t.Fatalf("text starts %q", text[:20])
			}
			for _, b := range c.body {
				if !strings.Contains(text, b) {
					t.Fatalf("text lacks %q:\n%s", b, text)
				}
			}
			if d.LeadURL != "" && d.Lead.ID != "" && !strings.Contains(text, "Open the lead: http://leadflow.test/leads/l1") {
				t.Fatalf("text lacks the link:\n%s", text)
			}
			if strings.Contains(html, "<Trading>") || (d.Lead.ID != "" && !strings.Contains(html, "Acme &lt;Trading&gt; &amp; Co")) {
				t.Fatalf("html does not escape the company:\n%s", html)
			}
			if d.Lead.ID != "" && !strings.Contains(html, `href="http://leadflow.test/leads/l1"`) {
				t.Fatalf("html lacks the link:\n%s", html)
			}
			optOut := strings.Contains(text, "turn these e-mails off")
			if optOut == lead.EssentialEmail(c.kind) {
				t.Fatalf("opt-out line shown %v for a kind essential %v", optOut, lead.EssentialEmail(c.kind))
			}
		})
	}
	// Every kind has a template.
	for _, k := range lead.EmailKinds {
		if _, _, _, err := notify.Render(notify.Data{Kind: k.Kind, Lead: l}); err != nil {
			t.Fatalf("%s: %v", k.Kind, err)
		}
	}
	if _, _, _, err := notify.Render(notify.Data{Kind: "spam"}); err == nil {
		t.Fatal("an unknown kind rendered")
	}
	// Subjects are one line of bounded length.
	long := base
	long.Kind, long.Lead.Company = lead.EmailAssigned, strings.Repeat("Very Long Company Name\n", 20)
	subject, _, _, _ := notify.Render(long)
	if strings.Contains(subject, "\n") || len([]rune(subject)) > 150 {
		t.Fatalf("subject %q", subject)
	}
}
