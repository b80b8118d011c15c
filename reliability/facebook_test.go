//go:build reliability

package reliability

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/leadflow/leadflow/webhook"
)

// TestWorkerKilledDuringLeadAdsFetch: a Lead Ads delivery names a lead
// whose first Graph API fetch hangs; the worker is killed (SIGKILL) while
// it waits and started again. The fetch is retried by the lead's
// FacebookLeadWorkflow and the lead taken in once; Facebook's retries of
// the delivery, before and after, add nothing.
func TestWorkerKilledDuringLeadAdsFetch(t *testing.T) {
	var mu sync.Mutex
	fetches := 0
	arrived, release := make(chan struct{}), make(chan struct{})
	graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		fetches++
		n := fetches
		mu.Unlock()
		if n == 1 {
			close(arrived)
			<-release // the worker that asked is killed meanwhile
		}
		if r.URL.Query().Get("access_token") != "PAGE-TOKEN" {
			http.Error(w, "bad token", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"L9","created_time":"2026-12-07T01:00:00+0000","field_data":[{"name":"full_name","values":["Han Mei"]},
			{"name":"phone_number","values":["+8613900139777"]},{"name":"company_name","values":["Killed Worker Trading"]}]}`)
	}))
	defer graph.Close()
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()
	s := newStack(t, "LEADFLOW_FACEBOOK_GRAPH_URL="+graph.URL)
	s.startWorker()
	s.startAPI()
	s.must(http.StatusCreated, nil, http.MethodPost, "/api/v1/sources", s.admin, map[string]any{"name": "fb-ads", "kind": "facebook",
		"verify_token": "vt", "app_secret": "app-secret", "page_token": "PAGE-TOKEN"})
	body := json.RawMessage(`{"object":"page","entry":[{"id":"1","time":1,"changes":[{"field":"leadgen","value":{"leadgen_id":"L9"}}]}]}`)
	sig := "sha256=" + hex.EncodeToString(webhook.HubSignature("app-secret", body))
	deliver := func() {
		s.must(http.StatusOK, nil, http.MethodPost, "/api/v1/hooks/fb-ads", "", body, "X-Hub-Signature-256", sig)
	}
	deliver()
	select {
	case <-arrived:
	case <-time.After(time.Minute):
		t.Fatal("the Graph API was never asked")
	}
	s.worker.kill()
	close(release)
	deliver() // Facebook's retry while the worker is down
	s.startWorker()
	leads := func() int { return s.count(`SELECT count(*) FROM leads WHERE channel = 'fb-ads'`) }
	took := s.waitFor(3*time.Minute, "the Lead Ads lead taken in", func() bool { return leads() > 0 })
	deliver()
	time.Sleep(2 * time.Second)
	if n := leads(); n != 1 {
		t.Fatalf("%d leads of the Lead Ads source, want 1", n)
	}
	if n := s.count(`SELECT count(*) FROM leads WHERE channel = 'fb-ads' AND company = 'Killed Worker Trading' AND source = 'hook'`); n != 1 {
		t.Fatal("the lead is not the Graph API's")
	}
	mu.Lock()
	defer mu.Unlock()
	t.Logf("Lead Ads under a worker SIGKILL mid-fetch: taken in once %v after the restart, the Graph API asked %d times",
		took.Round(time.Millisecond), fetches)
}
