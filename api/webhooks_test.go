package api_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/webhook"
	"github.com/leadflow/leadflow/worker"
	"github.com/leadflow/leadflow/workflows"
)

// webhookLeads is how many leads TestWebhookDelivery takes through their
// lifecycle (six events each): with the closed lead, 1,005 events, the
// issue's "1,000 lead transitions".
const webhookLeads = 167

// TestWebhookDelivery: leads taken through their lifecycle, each event
// delivered exactly once by webhook-id to a receiver that fails the first
// three attempts of every tenth message; signatures verify with the
// Standard Webhooks library; bodies match the document; a lead's events
// arrive in order; the secret's rotation signs with both secrets during
// its grace period; a subscription whose deliveries keep failing is turned
// off and its owner e-mailed.
func TestWebhookDelivery(t *testing.T) {
	s, sg := apptest.NewHookStack(t, worker.Webhooks{PollEvery: 50 * time.Millisecond,
		Retry: workflows.WebhookRetry{Initial: 50 * time.Millisecond, Max: 400 * time.Millisecond, For: 15 * time.Second, Timeout: 5 * time.Second}})
	ok := apptest.NewReceiver(t)
	seen := 0
	tenth := map[string]bool{}
	ok.Answer = func(id string, before int) int {
		if before == 0 {
			if seen++; seen%10 == 0 {
				tenth[id] = true
			}
		}
		if tenth[id] && before < 3 {
			return 503
		}
		return 200
	}
	broken := apptest.NewReceiver(t)
	broken.Answer = func(string, int) int { return 500 }

	// Refusals name the field: private and metadata addresses, unknown
	// events, a manager's subscription without a pool of theirs.
	for body, field := range map[string]string{
		`{"url":"http://10.1.2.3/hooks","events":["*"]}`:                          "url",
		`{"url":"http://169.254.169.254/latest/meta-data/","events":["*"]}`:       "url",
		`{"url":"http://[::1]:8080/","events":["*"]}`:                             "url",
		`{"url":"ftp://example.com/","events":["*"]}`:                             "url",
		fmt.Sprintf(`{"url":%q,"events":["lead.nope"]}`, ok.URL):                  "events",
		fmt.Sprintf(`{"url":%q}`, ok.URL):                                         "events",
		fmt.Sprintf(`{"url":%q,"events":["*"],"active":"yes"}`, ok.URL):           "active",
		fmt.Sprintf(`{"url":%q,"events":["*"],"pool_id":"no-such-pool"}`, ok.URL): "pool_id",
	} {
		apptest.FieldProblem(t, s.Expect(s.Do("POST", "/api/v1/webhooks", s.Admin, body), 422), field)
	}
	_, mgr := s.PoolStaff("Hookmanager", lead.RoleManager)
	apptest.FieldProblem(t, s.Expect(s.Do("POST", "/api/v1/webhooks", mgr, fmt.Sprintf(`{"url":%q,"events":["*"]}`, ok.URL)), 422), "pool_id")
	s.Expect(s.Do("GET", "/api/v1/webhooks/"+uuidZero, s.Admin, ""), 404)
	s.Expect(s.Do("POST", "/api/v1/webhooks/"+uuidZero+"/deliveries/x/redeliver", s.Admin, ""), 404)

	var sub, dead service.WebhookSecret
	s.Expect(s.Do("POST", "/api/v1/webhooks", s.Admin, fmt.Sprintf(`{"url":%q,"events":["*"]}`, ok.URL), "Idempotency-Key", "hook-1"), 201).JSON(t, &sub)
	if !strings.HasPrefix(sub.Secret, webhook.SecretPrefix) || !sub.Active {
		t.Fatalf("created %+v", sub)
	}
	var again service.WebhookSecret
	s.Expect(s.Do("POST", "/api/v1/webhooks", s.Admin, fmt.Sprintf(`{"url":%q,"events":["*"]}`, ok.URL), "Idempotency-Key", "hook-1"), 201).JSON(t, &again)
	if again.ID != sub.ID || again.Secret != sub.Secret {
		t.Fatalf("a retried create made another subscription: %s, %s", again.ID, sub.ID)
	}
	s.Expect(s.Do("POST", "/api/v1/webhooks", s.Admin, fmt.Sprintf(`{"url":%q,"events":["lead.closed"]}`, broken.URL)), 201).JSON(t, &dead)

	var rep struct{ ID, Token string }
	s.Expect(s.Do("POST", "/api/v1/users", s.Admin, `{"name":"Hook Rep","email":"hookrep@example.com","role":"rep","capacity":100,"daily_claim_limit":100}`), 201).JSON(t, &rep)
	want := map[string][]string{}
	for i := range webhookLeads {
		l := s.CreateLead(fmt.Sprintf(`{"company":"Hook Trading %d","phone":"1380055%04d","country":"CN"}`, i, i))
		s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/assign", s.Admin, fmt.Sprintf(`{"rep_id":%q}`, rep.ID)), 200)
		s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/follow-ups", rep.Token, `{"type":"call","content":"called"}`), 201)
		s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/convert", rep.Token, ""), 200)
		want[l.ID] = []string{"lead.created", "lead.pooled", "lead.assigned", "follow_up.created", "lead.converted", "customer.created"}
	}
	closed := s.CreateLead(`{"company":"Hook Closing Co","phone":"13800559999","country":"CN"}`)
	s.Expect(s.Do("POST", "/api/v1/leads/"+closed.ID+"/close", s.Admin, `{"reason":"test"}`), 200)
	want[closed.ID] = []string{"lead.created", "lead.pooled", "lead.closed"}
	total := 0
	for _, w := range want {
		total += len(w)
	}

	log := waitDeliveries(t, s, sub.ID, total, lead.DeliveryDelivered)
	byID := map[string]lead.WebhookDelivery{}
	for _, d := range log {
		byID[d.WebhookID] = d
	}
	if len(byID) != total {
		t.Fatalf("%d webhook-ids for %d events", len(byID), total)
	}
	// Exactly once by webhook-id: one 2xx answer each; the failed attempts
	// of every tenth message came under the same id.
	okCount, events, got := map[string]int{}, map[string]string{}, map[string][]string{}
	for _, r := range ok.Got() {
		if err := r.Verify(sub.Secret); err != nil {
			t.Fatalf("signature of %s: %v", r.ID, err)
		}
		if _, known := byID[r.ID]; !known {
			t.Fatalf("a message %s that no delivery has", r.ID)
		}
		if r.Status != 200 {
			continue
		}
		okCount[r.ID]++
		apptest.CheckWebhookEvent(t, r.Body)
		var ev webhook.Event
		if err := json.Unmarshal(r.Body, &ev); err != nil {
			t.Fatal(err)
		}
		if prev, dup := events[ev.ID]; dup && prev != r.ID {
			t.Fatalf("event %s went out under two webhook-ids", ev.ID)
		}
		events[ev.ID] = r.ID
		got[ev.Data.Lead.ID] = append(got[ev.Data.Lead.ID], ev.Type)
		if ev.Version != lead.WebhookPayloadVersion || byID[r.ID].Event != ev.Type {
			t.Fatalf("body %s of delivery %+v", r.Body, byID[r.ID])
		}
	}
	for id, n := range okCount {
		if n != 1 {
			t.Errorf("%s delivered %d times", id, n)
		}
	}
	if len(okCount) != total || len(tenth) == 0 {
		t.Fatalf("%d messages delivered, want %d (%d failed at first)", len(okCount), total, len(tenth))
	}
	for id := range tenth {
		if d := byID[id]; d.Attempts != 4 {
			t.Errorf("%s: %d attempts, want 4", id, d.Attempts)
		}
	}
	for id, w := range want {
		if strings.Join(got[id], ",") != strings.Join(w, ",") {
			t.Errorf("lead %s: events %v, want %v in this order", id, got[id], w)
		}
	}

	// The failing subscription: off after its retries ran out, its owner told.
	var off lead.Webhook
	deadline := time.Now().Add(30 * time.Second)
	for s.Expect(s.Do("GET", "/api/v1/webhooks/"+dead.ID, s.Admin, ""), 200).JSON(t, &off); off.Active; s.Expect(s.Do("GET", "/api/v1/webhooks/"+dead.ID, s.Admin, ""), 200).JSON(t, &off) {
		if time.Now().After(deadline) {
			t.Fatal("the failing subscription is still active")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if off.DisabledReason == "" {
		t.Fatalf("disabled without a reason: %+v", off)
	}
	failed := waitDeliveries(t, s, dead.ID, 1, lead.DeliveryFailed)
	if failed[0].StatusCode != 500 || failed[0].Attempts < 2 || failed[0].BodyExcerpt != `{"ok":true}` {
		t.Fatalf("failed delivery %+v", failed[0])
	}
	waitFor(t, func() bool {
		for _, m := range sg.DeliveredTo("ada@example.com") {
			if strings.Contains(m.Subject, "webhook was turned off") {
				return true
			}
		}
		return false
	})

	// Rotation: during the grace period both secrets sign.
	var rotated service.WebhookSecret
	s.Expect(s.Do("POST", "/api/v1/webhooks/"+sub.ID+"/rotate-secret", s.Admin, `{"grace":"1h"}`), 200).JSON(t, &rotated)
	if rotated.Secret == sub.Secret || rotated.PreviousSecretUntil == nil {
		t.Fatalf("rotated %+v", rotated)
	}
	before := len(ok.Got())
	s.CreateLead(`{"company":"Hook Rotation Co","phone":"13800558888","country":"CN"}`)
	waitFor(t, func() bool { return len(ok.Got()) >= before+2 })
	for _, r := range ok.Got()[before:] {
		if r.Verify(sub.Secret) != nil || r.Verify(rotated.Secret) != nil {
			t.Fatalf("during the grace period a receiver with either secret verifies: %q", r.Signature)
		}
	}
	// Redelivery: the same webhook-id again.
	first := log[len(log)-1]
	s.Expect(s.Do("POST", fmt.Sprintf("/api/v1/webhooks/%s/deliveries/%d/redeliver", sub.ID, first.ID), s.Admin, ""), 202)
	waitFor(t, func() bool {
		n := 0
		for _, r := range ok.Got() {
			if r.ID == first.WebhookID && r.Status == 200 {
				n++
			}
		}
		return n == 2
	})
	apptest.RecordHistoryOfType(t, s.TC, workflows.WebhookWorkflowName, "webhook_deliveries")
}

const uuidZero = "00000000-0000-0000-0000-000000000000"

// waitDeliveries waits until subscription id has n deliveries, all of
// status, and returns them newest first.
func waitDeliveries(t *testing.T, s *apptest.Stack, id string, n int, status string) []lead.WebhookDelivery {
	t.Helper()
	var all []lead.WebhookDelivery
	waitFor(t, func() bool {
		all = nil
		for cursor := ""; ; {
			var page struct {
				Items      []lead.WebhookDelivery
				NextCursor string `json:"next_cursor"`
			}
			s.Expect(s.Do("GET", "/api/v1/webhooks/"+id+"/deliveries?limit=500&cursor="+url.QueryEscape(cursor), s.Admin, ""), 200).JSON(t, &page)
			all = append(all, page.Items...)
			if cursor = page.NextCursor; cursor == "" {
				break
			}
		}
		if len(all) != n {
			t.Logf("%d deliveries, want %d", len(all), n)
			return false
		}
		for _, d := range all {
			if d.Status != status {
				return false
			}
		}
		return true
	})
	return all
}

// waitFor polls cond for up to two minutes.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); !cond(); time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}
