//go:build reliability

package reliability

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/channeltest"
)

// daytimeZone is a fixed-offset zone where it is around noon now, so
// that a campaign's text messages are not held back by quiet hours.
func daytimeZone() string {
	offset := 12 - time.Now().UTC().Hour() // hours east of UTC
	if offset > 14 {
		offset -= 24
	}
	if offset < -12 {
		offset += 24
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

// TestWorkerKilledMidCampaign: an SMS campaign to RELIABILITY_CAMPAIGN_RECIPIENTS
// (120) attendees goes through a Twilio that takes 200 ms an answer; once
// a third of them have their SMS the worker is killed with SIGKILL, with
// a send in flight, and started again 3 s later. The campaign finishes
// done, and every recipient got exactly one SMS: none twice, none
// missing. (A send the provider accepted just before the kill, whose
// answer the worker never read, is the one window for a duplicate, as for
// one message: the kill lands in a send's wait, as in
// TestWorkerKilledWhileMessagesSend.)
func TestWorkerKilledMidCampaign(t *testing.T) {
	n := envInt(t, "RELIABILITY_CAMPAIGN_RECIPIENTS", 120)
	tw := channeltest.NewTwilio(t, "AC0011223344", "reliabilitytoken")
	s := newStack(t, "TWILIO_ACCOUNT_SID="+tw.SID, "TWILIO_AUTH_TOKEN="+tw.Token, "TWILIO_FROM=+15005550006", "TWILIO_BASE_URL="+tw.URL)
	s.startWorker()
	s.startAPI()

	var tpl struct{ ID string }
	s.must(http.StatusCreated, &tpl, http.MethodPost, "/api/v1/templates", s.admin,
		map[string]string{"name": "Fair SMS", "channel": "sms", "language": "en", "body": "Hi {{.Lead.Name}}, see you at the fair: {{.InviteURL}}"})
	zone := daytimeZone()
	list := make([]map[string]string, n)
	for i := range list {
		list[i] = map[string]string{"name": fmt.Sprintf("Guest %d", i), "phone": fmt.Sprintf("+86139%08d", i), "time_zone": zone}
	}
	var c struct {
		ID         string
		Status     string
		Recipients int
		Sent       int
	}
	s.must(http.StatusCreated, &c, http.MethodPost, "/api/v1/campaigns", s.admin, map[string]any{"name": "Fair guests", "channel": "sms",
		"template_id": tpl.ID, "audience": map[string]any{"list": list}, "rate": 100000}, "Idempotency-Key", "fair-guests")
	if c.Recipients != n {
		t.Fatalf("campaign %+v", c)
	}
	tw.Delay(200 * time.Millisecond)
	s.must(http.StatusAccepted, nil, http.MethodPost, "/api/v1/campaigns/"+c.ID+"/start", s.admin, nil)
	s.waitFor(2*time.Minute, "a third of the SMS sent", func() bool { return len(tw.Delivered()) >= n/3 })
	s.waitFor(time.Minute, "a send in flight", func() bool { return tw.InFlight() > 0 })
	s.worker.kill()
	killedAt := len(tw.Delivered())
	tw.Delay(0)
	time.Sleep(3 * time.Second)
	s.startWorker()
	t.Logf("worker killed (SIGKILL) after %d of %d SMS", killedAt, n)

	took := s.waitFor(8*time.Minute, "the campaign done", func() bool {
		s.must(http.StatusOK, &c, http.MethodGet, "/api/v1/campaigns/"+c.ID, s.admin, nil)
		return c.Status == "done"
	})
	got := map[string]int{}
	for _, r := range tw.Delivered() {
		got[r.Form.Get("To")]++
	}
	if len(got) != n || c.Sent != n {
		t.Errorf("%d recipients got an SMS, %d recorded sent, want %d", len(got), c.Sent, n)
	}
	for to, k := range got {
		if k != 1 {
			t.Errorf("%s got %d SMS", to, k)
		}
	}
	if m := s.count(`SELECT count(*) FROM notifications WHERE campaign_id = $1`, c.ID); m != n {
		t.Errorf("%d messages stored, want %d", m, n)
	}
	t.Logf("campaign under a worker SIGKILL: %d SMS sent once each, done %v after the restart", n, took.Round(time.Millisecond))
}
