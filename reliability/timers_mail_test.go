//go:build reliability

package reliability

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"

	"github.com/leadflow/leadflow/internal/sendgridtest"
	"github.com/leadflow/leadflow/workflows"
)

// created is the part of a lead answer the tests read.
type created struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	OwnerID string `json:"owner_id"`
}

// poolWithRep creates a rep and a claim-only pool with them as member and
// policy, and routes every new lead to it; it returns the rep's id.
func (s *stack) poolWithRep(policy string) (repID, repEmail string) {
	s.t.Helper()
	repEmail = "rep@reliability.test"
	_, repID = s.createUser("Reliability Rep", repEmail, "rep")
	var pool created
	s.must(http.StatusCreated, &pool, http.MethodPost, "/api/v1/pools", s.admin, map[string]any{
		"name": "Reliability pool", "scope": "global", "member_ids": []string{repID}, "policy": rawJSON(policy)})
	s.must(http.StatusOK, nil, http.MethodPut, "/api/v1/rules/routing", s.admin, map[string]any{
		"rules": []any{}, "default_pool_id": pool.ID})
	return repID, repEmail
}

type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }

// assignedLeads creates n leads through the API (Idempotency-Key) and has the
// admin assign each to rep, 8 at a time; it returns their ids.
func (s *stack) assignedLeads(prefix string, n int, repID string) []string {
	return s.createLeads(prefix, n, func(i int, id string) {
		s.must(http.StatusOK, nil, http.MethodPost, "/api/v1/leads/"+id+"/assign", s.admin,
			map[string]string{"rep_id": repID}, "Idempotency-Key", fmt.Sprintf("%s-assign-%d", prefix, i))
	})
}

// createLeads creates n leads through the API (Idempotency-Key), 8 at a
// time, calling then (when set) with each one's number and id; it returns
// their ids.
func (s *stack) createLeads(prefix string, n int, then func(i int, id string)) []string {
	s.t.Helper()
	ids := make([]string, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			var l created
			s.must(http.StatusCreated, &l, http.MethodPost, "/api/v1/leads", s.admin, map[string]string{
				"company": fmt.Sprintf("%s Works %05d", prefix, i), "phone": fmt.Sprintf("137%08d", i), "country": "CN"},
				"Idempotency-Key", fmt.Sprintf("%s-create-%d", prefix, i))
			if then != nil {
				then(i, l.ID)
			}
			ids[i] = l.ID
		}()
	}
	wg.Wait()
	return ids
}

// withoutOneEvent counts the leads whose company is LIKE company that do
// not have exactly one event of the types given.
func (s *stack) withoutOneEvent(company string, types ...string) int {
	return s.count(`SELECT count(*) FROM (SELECT l.id FROM leads l
		LEFT JOIN lead_events e ON e.lead_id = l.id AND e.type = ANY($2)
		WHERE l.company LIKE $1 GROUP BY l.id HAVING count(e.id) <> 1) x`, company, types)
}

// TestTemporalRestartedWhileTimersPending: RELIABILITY_TIMER_LEADS (50)
// leads are assigned in a pool with no_follow_up_after 30s; the Temporal
// server is stopped at once and kept down until 10 s after the last timer
// was due, then started again on the same SQLite file and port. Every lead
// is reclaimed (one reclaimed event each, a TimerFired in its workflow's
// history). While Temporal is down, a create answers 503 with Retry-After.
func TestTemporalRestartedWhileTimersPending(t *testing.T) {
	n := envInt(t, "RELIABILITY_TIMER_LEADS", 50)
	timer := 30 * time.Second
	s := newStack(t, "LEADFLOW_MIN_POLICY_DURATION=1s")
	s.startWorker()
	s.startAPI()
	repID, _ := s.poolWithRep(`{"distribution":"claim_only","no_follow_up_after":"30s"}`)

	begin := time.Now()
	ids := s.assignedLeads("Timer", n, repID)
	lastAssigned := time.Now()
	pending := s.count(`SELECT count(*) FROM leads WHERE company LIKE 'Timer Works %' AND status = 'assigned' AND owner_id = $1`, repID)
	t.Logf("%d leads created and assigned in %v; %d hold a pending reclaim timer", n, lastAssigned.Sub(begin).Round(time.Millisecond), pending)
	if pending != n {
		t.Fatalf("only %d of %d leads hold a timer before the fault (raise the timer)", pending, n)
	}

	if err := s.stopTemporal(); err != nil {
		t.Fatalf("stop temporal: %v", err)
	}
	stopped := time.Now()
	during := make(chan answer, 1)
	go func() {
		during <- s.do(http.MethodPost, "/api/v1/leads", s.admin, map[string]string{
			"company": "Outage Works", "phone": "13699990000", "country": "CN"}, "Idempotency-Key", "outage-create")
	}()
	time.Sleep(time.Until(lastAssigned.Add(timer + 10*time.Second))) // Temporal stays down past every timer
	a := <-during
	if a.status != http.StatusServiceUnavailable || a.header.Get("Retry-After") == "" {
		t.Errorf("a create while Temporal is down: want 503 with Retry-After, got %d %v %s", a.status, a.err, a.body)
	}
	if err := s.startTemporal(); err != nil {
		t.Fatalf("start temporal again: %v", err)
	}
	restarted := time.Now()
	t.Logf("temporal down for %v (stopped %v after the last assignment); a create meanwhile answered %d Retry-After %q",
		restarted.Sub(stopped).Round(time.Millisecond), stopped.Sub(lastAssigned).Round(time.Millisecond), a.status, a.header.Get("Retry-After"))

	took := s.waitFor(5*time.Minute, "every timer to fire after the restart", func() bool {
		return s.count(`SELECT count(*) FROM leads WHERE company LIKE 'Timer Works %' AND status = 'pooled'`) == n
	})
	t.Logf("all %d leads reclaimed %v after the restart", n, took.Round(time.Millisecond))
	if bad := s.withoutOneEvent("Timer Works %", "reclaimed"); bad != 0 {
		t.Errorf("%d leads without exactly one reclaimed event", bad)
	}
	fired := s.timersFired(ids)
	if fired != n {
		t.Errorf("%d of %d workflow histories show a fired timer", fired, n)
	}
	t.Logf("temporal restart: leads %d, timers pending at the stop %d, reclaimed %d (histories with TimerFired %d), lost 0 unless reported above",
		n, pending, s.count(`SELECT count(*) FROM leads WHERE company LIKE 'Timer Works %' AND status = 'pooled'`), fired)
}

// timersFired counts the leads of ids whose workflow history, read from
// Temporal, holds a TimerFired event.
func (s *stack) timersFired(ids []string) int {
	s.t.Helper()
	fired := 0
	for _, id := range ids {
		it := s.tc.GetWorkflowHistory(s.ctx, workflows.WorkflowID(id), "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				s.t.Fatalf("history of %s: %v", id, err)
			}
			if ev.GetEventType() == enums.EVENT_TYPE_TIMER_FIRED {
				fired++
				break
			}
		}
	}
	return fired
}

// TestSendGridOutage: SendGrid answers 503 to every request for
// RELIABILITY_SENDGRID_OUTAGE (3m) while RELIABILITY_MAIL_LEADS (30) leads
// are created and assigned (an "assigned" e-mail each, plus the pool's
// new-lead e-mails); once it recovers every e-mail is delivered exactly once.
func TestSendGridOutage(t *testing.T) {
	n := envInt(t, "RELIABILITY_MAIL_LEADS", 30)
	outage := envDuration(t, "RELIABILITY_SENDGRID_OUTAGE", 3*time.Minute)
	fake := sendgridtest.New(t, "SG.reliability")
	s := newStack(t, "SENDGRID_API_KEY="+fake.Key, "SENDGRID_BASE_URL="+fake.URL)
	s.startWorker()
	s.startAPI()
	repID, repEmail := s.poolWithRep(`{"distribution":"claim_only"}`)

	fake.FailAll(http.StatusServiceUnavailable)
	outageBegan := time.Now()
	ids := s.assignedLeads("Mail", n, repID)
	s.waitFor(time.Minute, "a first e-mail attempt", func() bool { return len(fake.Requests()) > 0 })
	time.Sleep(time.Until(outageBegan.Add(outage))) // the outage
	failed := len(fake.Requests())
	fake.FailAll(0)
	recovered := time.Now()
	t.Logf("SendGrid answered 503 for %v: %d requests refused", recovered.Sub(outageBegan).Round(time.Second), failed)

	expected := 0
	state := ""
	took := s.waitFor(5*time.Minute, "every e-mail to be sent after the recovery (see the state logged)", func() bool {
		if f := s.count(`SELECT count(*) FROM notifications WHERE status = 'failed' AND error NOT LIKE 'not sent:%'`); f != 0 {
			t.Fatalf("%d e-mails given up (status failed)", f)
		}
		expected = s.count(`SELECT count(*) FROM notifications`)
		assigned := s.count(`SELECT count(*) FROM notifications WHERE kind = 'assigned'`)
		unsent := s.count(`SELECT count(*) FROM notifications WHERE status <> 'sent'`)
		if now := fmt.Sprintf("notifications %d (assigned %d, not sent %d), delivered %d", expected, assigned, unsent, len(fake.Delivered())); now != state {
			state = now
			t.Logf("%v after the recovery: %s", time.Since(recovered).Round(time.Second), state)
		}
		sentAssigned := s.count(`SELECT count(*) FROM notifications WHERE kind = 'assigned' AND status = 'sent'`)
		sent := s.count(`SELECT count(*) FROM notifications WHERE status = 'sent'`)
		return assigned == n && sentAssigned == n && len(fake.Delivered()) >= sent
	})
	// A new_lead e-mail whose lead was assigned before SendGrid recovered is
	// not sent (the lead moved on): its row is marked failed, "not sent: ...".
	const staleRows = `FROM notifications WHERE status = 'failed' AND error LIKE 'not sent:%'`
	stale := s.count(`SELECT count(*) ` + staleRows)
	if other := s.count(`SELECT count(*) FROM notifications WHERE status <> 'sent'`) - stale; other != 0 {
		t.Errorf("%d e-mails neither sent nor stale", other)
	}
	byKey := map[string]int{}
	for _, m := range fake.Delivered() {
		byKey[m.CustomArgs["idempotency_key"]]++
	}
	dups := 0
	for k, c := range byKey {
		if c != 1 {
			dups += c - 1
			t.Errorf("e-mail %q delivered %d times", k, c)
		}
	}
	missing := 0
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	staleKeys := map[string]bool{}
	srows, err := s.db.Query(ctx, `SELECT key `+staleRows)
	if err != nil {
		t.Fatal(err)
	}
	for srows.Next() {
		var k string
		if err := srows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		staleKeys[k] = true
	}
	rows, err := s.db.Query(ctx, `SELECT key FROM notifications`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		if byKey[k] == 0 && !staleKeys[k] {
			missing++
			t.Errorf("e-mail %q never delivered", k)
		}
	}
	if len(fake.DeliveredTo(repEmail)) < n {
		t.Errorf("the rep got %d e-mails for %d assigned leads", len(fake.DeliveredTo(repEmail)), n)
	}
	t.Logf("sendgrid outage: leads %d (%d ids), e-mails %d, refused during the outage %d, delivered %d (to the rep %d) within %v of the recovery, "+
		"duplicates %d, missing %d, not sent because the lead moved on %d",
		n, len(ids), expected, failed, len(fake.Delivered()), len(fake.DeliveredTo(repEmail)), took.Round(time.Second), dups, missing, stale)
}
