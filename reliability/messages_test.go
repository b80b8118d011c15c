//go:build reliability

package reliability

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/channeltest"
)

// TestWorkerKilledWhileMessagesSend: RELIABILITY_MESSAGE_LEADS (20) leads
// are sent an SMS each through a Twilio that takes 2 s an answer; with the
// sends in flight the worker is killed with SIGKILL and started again 3 s
// later. Every lead gets its SMS exactly once (a request cut off by the
// kill is not a message: Twilio takes one from a whole request only), and
// every message is recorded sent.
func TestWorkerKilledWhileMessagesSend(t *testing.T) {
	n := envInt(t, "RELIABILITY_MESSAGE_LEADS", 20)
	tw := channeltest.NewTwilio(t, "AC0011223344", "reliabilitytoken")
	s := newStack(t, "TWILIO_ACCOUNT_SID="+tw.SID, "TWILIO_AUTH_TOKEN="+tw.Token, "TWILIO_FROM=+15005550006", "TWILIO_BASE_URL="+tw.URL)
	s.startWorker()
	s.startAPI()
	repID, _ := s.poolWithRep(`{"distribution":"claim_only"}`)
	ids := s.assignedLeads("Message", n, repID)

	tw.Delay(2 * time.Second)
	for i, id := range ids {
		s.must(http.StatusCreated, nil, http.MethodPost, "/api/v1/leads/"+id+"/messages", s.admin,
			map[string]string{"channel": "sms", "body": "Hello {{.Lead.Company}}"}, "Idempotency-Key", fmt.Sprintf("message-%d", i))
	}
	s.waitFor(time.Minute, "sends in flight", func() bool { return tw.InFlight() > 0 })
	inFlight := tw.InFlight()
	s.worker.kill()
	tw.Delay(0)
	time.Sleep(3 * time.Second)
	s.startWorker()
	t.Logf("worker killed (SIGKILL) with %d sends in flight, %d messages queued", inFlight,
		s.count(`SELECT count(*) FROM notifications WHERE kind = 'message' AND status = 'queued'`))

	took := s.waitFor(8*time.Minute, "every message sent", func() bool {
		return s.count(`SELECT count(*) FROM notifications WHERE kind = 'message' AND status = 'sent'`) == n
	})
	got := map[string]int{}
	for _, r := range tw.Delivered() {
		got[r.Form.Get("To")]++
	}
	if len(got) != n {
		t.Errorf("%d leads got an SMS, want %d", len(got), n)
	}
	for to, k := range got {
		if k != 1 {
			t.Errorf("%s got %d SMS", to, k)
		}
	}
	cut := 0
	for _, r := range tw.Requests() {
		if r.Status == 499 {
			cut++
		}
	}
	t.Logf("messages under a worker SIGKILL: %d sent once each, %d requests cut off by the kill, all sent %v after the restart", n, cut, took.Round(time.Millisecond))
}
