//go:build reliability

package reliability

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/internal/sendgridtest"
)

// twilioSMS posts an inbound SMS to the API as Twilio does, signed with
// token for the public URL; it answers the status.
func (s *stack) twilioSMS(publicURL, token string, form url.Values) int {
	s.t.Helper()
	const path = "/api/v1/inbound/twilio/sms"
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, s.apiURL+path, strings.NewReader(form.Encode()))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", apptest.TwilioSignature(token, publicURL+path, form))
	res, err := s.http.Do(req)
	if err != nil {
		s.t.Fatalf("inbound SMS: %v", err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// TestWorkerKilledWhileReplyNoticesSend: RELIABILITY_REPLY_LEADS (20)
// assigned leads each reply by SMS, and Twilio delivers every reply twice
// (its retry); the owner's e-mails about them go out through a SendGrid
// that takes 2 s an answer, and with them in flight the worker is killed
// with SIGKILL and started again 3 s later. Each reply is stored once, is
// one event of its lead's history, and its owner gets one e-mail about it.
func TestWorkerKilledWhileReplyNoticesSend(t *testing.T) {
	n := envInt(t, "RELIABILITY_REPLY_LEADS", 20)
	const publicURL, token = "https://leads.reliability.test", "reliability-twilio-token"
	fake := sendgridtest.New(t, "SG.reliability")
	s := newStack(t, "SENDGRID_API_KEY="+fake.Key, "SENDGRID_BASE_URL="+fake.URL, "TWILIO_AUTH_TOKEN="+token,
		"LEADFLOW_PUBLIC_URL="+publicURL)
	s.startWorker()
	s.startAPI()
	repID, _ := s.poolWithRep(`{"distribution":"claim_only"}`)
	s.assignedLeads("Reply", n, repID)
	s.waitFor(2*time.Minute, "the assigned e-mails sent", func() bool {
		return s.count(`SELECT count(*) FROM notifications WHERE kind = 'assigned' AND status = 'sent'`) == n
	})

	fake.Delay(2 * time.Second)
	for i := range n {
		form := url.Values{"MessageSid": {fmt.Sprintf("SMreply%04d", i)}, "From": {fmt.Sprintf("+86137%08d", i)},
			"To": {"+15005550006"}, "Body": {fmt.Sprintf("Reply %d: please call me", i)}}
		for range 2 { // Twilio's retry
			if st := s.twilioSMS(publicURL, token, form); st != http.StatusOK {
				t.Fatalf("inbound SMS %d: status %d", i, st)
			}
		}
	}
	s.waitFor(time.Minute, "reply e-mails in flight", func() bool { return fake.InFlight() > 0 })
	inFlight := fake.InFlight()
	s.worker.kill()
	fake.Delay(0)
	time.Sleep(3 * time.Second)
	s.startWorker()
	t.Logf("worker killed (SIGKILL) with %d reply e-mails in flight", inFlight)

	took := s.waitFor(5*time.Minute, "every reply e-mail sent", func() bool {
		return s.count(`SELECT count(*) FROM notifications WHERE kind = 'reply' AND status = 'sent'`) == n
	})
	if got := s.count(`SELECT count(*) FROM inbound_messages WHERE lead_id IS NOT NULL`); got != n {
		t.Errorf("%d replies stored, want %d", got, n)
	}
	if got := s.count(`SELECT count(*) FROM lead_events WHERE type = 'reply_received'`); got != n {
		t.Errorf("%d reply_received events, want %d", got, n)
	}
	if got := s.count(`SELECT count(*) FROM notifications WHERE kind = 'reply'`); got != n {
		t.Errorf("%d reply notifications, want %d", got, n)
	}
	byKey := map[string]int{}
	for _, m := range fake.Delivered() {
		if k := m.CustomArgs["idempotency_key"]; strings.HasPrefix(k, "reply/") {
			byKey[k]++
		}
	}
	if len(byKey) != n {
		t.Errorf("%d reply e-mails delivered, want %d", len(byKey), n)
	}
	for k, c := range byKey {
		if c != 1 {
			t.Errorf("reply e-mail %s delivered %d times", k, c)
		}
	}
	t.Logf("replies under a worker SIGKILL: %d SMS delivered twice each, stored once, %d owner e-mails sent once each %v after the restart",
		n, len(byKey), took.Round(time.Millisecond))
}
