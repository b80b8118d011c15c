//go:build reliability

package reliability

import (
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/sendgridtest"
)

// TestWorkerKilledWhileOutboxSends: RELIABILITY_OUTBOX_LEADS (20) leads
// are assigned in a pool with no_follow_up_after 20s; when their timers
// reclaim them, each reclaim's transaction queues the former owner's
// e-mail in the outbox, and the worker's mailer sends them through a
// SendGrid that takes 3 s an answer. With sends in flight the worker is
// killed with SIGKILL and started again 3 s later. Every reclaimed lead's
// e-mail is delivered exactly once (a request cut off by the kill is not
// a delivery: SendGrid takes a mail from a whole request only), and the
// outbox ends empty.
func TestWorkerKilledWhileOutboxSends(t *testing.T) {
	n := envInt(t, "RELIABILITY_OUTBOX_LEADS", 20)
	sg := sendgridtest.New(t, "SG.outbox-reliability")
	s := newStack(t, "LEADFLOW_MIN_POLICY_DURATION=1s", "SENDGRID_API_KEY="+sg.Key, "SENDGRID_BASE_URL="+sg.URL)
	s.startWorker()
	s.startAPI()
	repID, repEmail := s.poolWithRep(`{"distribution":"claim_only","no_follow_up_after":"20s"}`)
	s.assignedLeads("Outbox", n, repID)
	if pending := s.count(`SELECT count(*) FROM leads WHERE company LIKE 'Outbox Works %' AND status = 'assigned'`); pending != n {
		t.Fatalf("only %d of %d leads are assigned before their timers (raise the timer)", pending, n)
	}
	// The assignments' e-mails are out before the reclaims begin.
	s.waitFor(time.Minute, "the assignment e-mails", func() bool {
		return s.count(`SELECT count(*) FROM notifications WHERE kind = 'assigned' AND status = 'sent'`) == n
	})
	sg.Delay(3 * time.Second)

	s.waitFor(2*time.Minute, "reclaim e-mails in flight", func() bool {
		return sg.InFlight() > 0 && s.count(`SELECT count(*) FROM notifications WHERE kind = 'reclaimed'`) > 0
	})
	inFlight := sg.InFlight()
	queued := s.count(`SELECT count(*) FROM email_outbox`)
	s.worker.kill()
	sg.Delay(0)
	time.Sleep(3 * time.Second)
	s.startWorker()
	t.Logf("worker killed (SIGKILL) with %d sends in flight, %d e-mails in the outbox", inFlight, queued)

	took := s.waitFor(6*time.Minute, "every reclaim e-mail sent and the outbox empty", func() bool {
		return s.count(`SELECT count(*) FROM notifications WHERE kind = 'reclaimed' AND status = 'sent'`) == n &&
			s.count(`SELECT count(*) FROM email_outbox`) == 0
	})
	if bad := s.withoutOneEvent("Outbox Works %", "reclaimed"); bad != 0 {
		t.Errorf("%d leads without exactly one reclaimed event", bad)
	}
	byKey := map[string]int{}
	for _, m := range sg.DeliveredTo(repEmail) {
		if m.CustomArgs["kind"] == "reclaimed" {
			byKey[m.CustomArgs["lead_id"]]++
		}
	}
	if len(byKey) != n {
		t.Errorf("%d leads' former owner got a reclaimed e-mail, want %d", len(byKey), n)
	}
	for id, k := range byKey {
		if k != 1 {
			t.Errorf("lead %s: %d reclaimed e-mails", id, k)
		}
	}
	cut := 0
	for _, r := range sg.Requests() {
		if r.Status == 499 {
			cut++
		}
	}
	t.Logf("outbox under a worker SIGKILL: %d reclaim e-mails sent once each, %d requests cut off by the kill, all sent %v after the restart",
		n, cut, took.Round(time.Millisecond))
}
