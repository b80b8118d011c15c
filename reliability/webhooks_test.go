//go:build reliability

package reliability

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// TestWorkerKilledDuringWebhooks: RELIABILITY_WEBHOOK_LEADS (40) leads
// created with a subscription to every event, to a receiver that takes
// 50 ms an answer and fails the first attempt of every fifth message; right
// after the creations, with deliveries in flight, the worker is killed with
// SIGKILL and started again 3 s later, then as many leads again. Every
// event the leads' histories record is delivered, each under one
// webhook-id, and the receiver sees no message it should not.
func TestWorkerKilledDuringWebhooks(t *testing.T) {
	n := envInt(t, "RELIABILITY_WEBHOOK_LEADS", 40)
	s := newStack(t, "LEADFLOW_WEBHOOK_ALLOW_HOSTS=127.0.0.1", "LEADFLOW_WEBHOOK_RETRY_INITIAL=200ms",
		"LEADFLOW_WEBHOOK_RETRY_MAX=2s", "LEADFLOW_WEBHOOK_TIMEOUT=2s")
	var mu sync.Mutex
	got := map[string]int{} // webhook-id -> 2xx answers
	tries := map[string]int{}
	seen := 0
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond)
		id := r.Header.Get("webhook-id")
		mu.Lock()
		defer mu.Unlock()
		if tries[id]++; tries[id] == 1 {
			if seen++; seen%5 == 0 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
		}
		got[id]++
	}))
	defer recv.Close()
	s.startWorker()
	s.startAPI()
	s.must(http.StatusCreated, nil, http.MethodPost, "/api/v1/webhooks", s.admin, map[string]any{"url": recv.URL + "/hooks", "events": []string{"*"}})

	create := func(prefix string) {
		for i := range n {
			s.must(http.StatusCreated, nil, http.MethodPost, "/api/v1/leads", s.admin, map[string]any{
				"company": fmt.Sprintf("%s Hooks Trading %d", prefix, i), "phone": fmt.Sprintf("1380077%04d", i), "country": "CN"})
		}
	}
	create("Before")
	s.worker.kill()
	killed := time.Now()
	time.Sleep(3 * time.Second)
	s.startWorker()
	t.Logf("worker killed (SIGKILL) with %d deliveries pending, running again after %v",
		s.count(`SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'`), time.Since(killed).Round(time.Millisecond))
	create("After")

	want := s.count(`SELECT coalesce(sum(array_length(webhook_types(type), 1)), 0) FROM lead_events`)
	took := s.waitFor(5*time.Minute, "every webhook delivered", func() bool {
		return s.count(`SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'`) == want
	})
	if events := s.count(`SELECT count(*) FROM webhook_events`); events != want {
		t.Fatalf("%d webhook events for %d transitions", events, want)
	}
	mu.Lock()
	defer mu.Unlock()
	again := 0
	for id, k := range got {
		if s.count(`SELECT count(*) FROM webhook_deliveries WHERE webhook_id = $1`, id) != 1 {
			t.Errorf("the receiver got %s, which no delivery has", id)
		}
		again += k - 1
	}
	if len(got) != want {
		t.Fatalf("the receiver took %d messages, want %d", len(got), want)
	}
	t.Logf("webhooks under a worker SIGKILL: %d events of %d leads delivered once each by webhook-id (%d sent again under their id after the kill), all delivered %v after the last lead",
		want, 2*n, again, took.Round(time.Millisecond))
}
