//go:build reliability

package reliability

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/channeltest"
)

// TestWorkerKilledMidSequence: RELIABILITY_SEQUENCE_LEADS (12) leads are
// enrolled in a sequence of three SMS with 4 s waits between them,
// through a Twilio that takes 1 s an answer. With the first sends in
// flight the worker is killed with SIGKILL and started again 3 s later;
// once every first step is sent and second sends are in flight it is
// killed again. Every enrolment ends done and every lead got exactly its
// three SMS, one per step: no step sent twice, none skipped (the durable
// waits and the message keys, enrolment × step, survive the kills).
func TestWorkerKilledMidSequence(t *testing.T) {
	n := envInt(t, "RELIABILITY_SEQUENCE_LEADS", 12)
	tw := channeltest.NewTwilio(t, "AC0011223344", "reliabilitytoken")
	s := newStack(t, "TWILIO_ACCOUNT_SID="+tw.SID, "TWILIO_AUTH_TOKEN="+tw.Token, "TWILIO_FROM=+15005550006", "TWILIO_BASE_URL="+tw.URL)
	s.startWorker()
	s.startAPI()
	s.poolWithRep(`{"distribution":"claim_only"}`)
	ids := s.createLeads("Drip", n, nil)

	var tpl, seq struct{ ID string }
	s.must(http.StatusCreated, &tpl, http.MethodPost, "/api/v1/templates", s.admin,
		map[string]string{"name": "Drip SMS", "channel": "sms", "language": "en", "body": "Hi {{.Lead.Company}}"})
	send := map[string]any{"send": map[string]string{"template_id": tpl.ID, "channel": "sms"}}
	wait := map[string]any{"wait": "4s"}
	s.must(http.StatusCreated, &seq, http.MethodPost, "/api/v1/sequences", s.admin,
		map[string]any{"name": "Drip", "steps": []any{send, wait, send, wait, send}})
	tw.Delay(time.Second)
	for i, id := range ids {
		s.must(http.StatusCreated, nil, http.MethodPost, "/api/v1/leads/"+id+"/sequences", s.admin,
			map[string]string{"sequence_id": seq.ID}, "Idempotency-Key", fmt.Sprintf("drip-%d", i))
	}
	sent := func() int {
		return s.count(`SELECT count(*) FROM notifications WHERE sequence_id = $1 AND status = 'sent'`, seq.ID)
	}
	s.waitFor(time.Minute, "first steps in flight", func() bool { return tw.InFlight() > 0 })
	first := tw.InFlight()
	s.worker.kill()
	time.Sleep(3 * time.Second)
	s.startWorker()
	// A send the kill interrupted holds its lease (activities.EmailLease,
	// 2 min) and is retried when it runs out: the second steps follow it.
	// The second kill cuts second sends off while the provider is still
	// waiting on them, as the first does: killed as a send completes, the
	// worker could die between Twilio's acceptance and its record (the
	// one window for a duplicate; Twilio takes no idempotency key).
	s.waitFor(4*time.Minute, "second steps in flight", func() bool { return sent() >= n && tw.InFlight() > 0 })
	second := sent()
	s.worker.kill()
	time.Sleep(3 * time.Second)
	s.startWorker()
	t.Logf("worker killed (SIGKILL) twice: with %d first sends in flight, then with %d of %d messages sent", first, second, 3*n)

	took := s.waitFor(8*time.Minute, "every enrolment done", func() bool {
		return s.count(`SELECT count(*) FROM sequence_enrolments WHERE sequence_id = $1 AND status = 'done'`, seq.ID) == n
	})
	if got := sent(); got != 3*n {
		t.Errorf("%d messages sent, want %d", got, 3*n)
	}
	if k := s.count(`SELECT count(*) FROM notifications WHERE sequence_id = $1 AND status <> 'sent'`, seq.ID); k != 0 {
		t.Errorf("%d of the sequence's messages are not sent", k)
	}
	if k := s.count(`SELECT count(*) FROM (SELECT lead_id FROM notifications WHERE sequence_id = $1
		GROUP BY lead_id HAVING count(*) = 3 AND array_agg(split_part(key, '/', 3) ORDER BY key) = '{0,2,4}') x`, seq.ID); k != n {
		t.Errorf("%d leads have the messages of steps 0, 2 and 4, want %d", k, n)
	}
	got := map[string]int{}
	for _, r := range tw.Delivered() {
		got[r.Form.Get("To")]++
	}
	if len(got) != n {
		t.Errorf("%d leads got an SMS, want %d", len(got), n)
	}
	for to, k := range got {
		if k != 3 {
			t.Errorf("%s got %d SMS, want 3", to, k)
		}
	}
	t.Logf("sequence under two worker SIGKILLs: %d leads, 3 SMS each, none twice, none skipped; all done %v after the second restart", n, took.Round(time.Millisecond))
}
