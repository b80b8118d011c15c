package api_test

import (
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadflow/leadflow/facebook"
	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/webhook"
	"github.com/leadflow/leadflow/workflows"
)

// fakeGraph is a local Graph API: it answers GET /{leadgen_id} with the
// page token, failing the first fetch of each lead (503), and counts the
// fetches.
type fakeGraph struct {
	*httptest.Server
	mu      sync.Mutex
	fetches map[string]int
}

func newFakeGraph(t *testing.T, token string) *fakeGraph {
	g := &fakeGraph{fetches: map[string]int{}}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := strings.TrimPrefix(r.URL.Path, "/")
		g.mu.Lock()
		g.fetches[id]++
		n := g.fetches[id]
		g.mu.Unlock()
		switch {
		case r.URL.Query().Get("access_token") != token:
			http.Error(w, `{"error":{"message":"Invalid OAuth access token"}}`, http.StatusBadRequest)
		case n == 1:
			http.Error(w, `{"error":{"message":"try again"}}`, http.StatusServiceUnavailable)
		default:
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"id":%q,"created_time":"2026-12-07T01:00:00+0000","field_data":[
				{"name":"full_name","values":["Li Lei"]},{"name":"email","values":["li.lei@example.com"]},
				{"name":"phone_number","values":["+8613900139555"]},{"name":"company_name","values":["Lead Ads Trading %s"]},
				{"name":"country","values":["CN"]},{"name":"job_title","values":["Buyer"]},{"name":"quiz","values":["a","b"]}]}`, id, id)
		}
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *fakeGraph) count(id string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.fetches[id]
}

// leadgen is a Graph API webhook delivery naming leads ids.
func leadgen(ids ...string) string {
	changes := make([]string, len(ids))
	for i, id := range ids {
		changes[i] = fmt.Sprintf(`{"field":"leadgen","value":{"leadgen_id":%q,"page_id":"444","form_id":"555","created_time":1765069200}}`, id)
	}
	return `{"object":"page","entry":[{"id":"444","time":1765069200,"changes":[` + strings.Join(changes, ",") + `]}]}`
}

// hubPush posts body to source name signed with secret as Facebook does.
func hubPush(s *apptest.Stack, name, secret, body string) apptest.Response {
	return s.Do("POST", "/api/v1/hooks/"+name, "", body, "X-Hub-Signature-256", "sha256="+hex.EncodeToString(webhook.HubSignature(secret, []byte(body))))
}

// TestFacebookLeadAds: a Lead Ads source answers the subscription
// challenge with its verify token only; a delivery must carry the app
// secret's X-Hub-Signature-256; each lead it names is fetched from the
// (fake) Graph API with the page token, retried when the Graph API fails,
// mapped (defaults and the source's mapping) and taken in once, however
// often Facebook delivers it; the secrets are never answered.
func TestFacebookLeadAds(t *testing.T) {
	g := newFakeGraph(t, "PAGE-TOKEN-1")
	t.Setenv(facebook.GraphURLEnv, g.URL)
	s := apptest.NewStack(t)
	created := s.Expect(s.Do("POST", "/api/v1/sources", s.Admin, `{"name":"fb-ads","kind":"facebook","verify_token":"vt-1",
		"app_secret":"app-secret-1","page_token":"PAGE-TOKEN-1","field_mapping":{"job_title":"profession"}}`), 201)
	if b := string(created.Body); strings.Contains(b, "PAGE-TOKEN-1") || strings.Contains(b, "app-secret-1") ||
		!strings.Contains(b, `"page_token_set":true`) || !strings.Contains(b, `"app_secret_set":true`) {
		t.Fatalf("the created source answered %s", b)
	}
	form := newSource(s, `{"name":"plain-form"}`)

	// The subscription challenge.
	ok := s.Expect(s.Do("GET", "/api/v1/hooks/fb-ads?hub.mode=subscribe&hub.verify_token=vt-1&hub.challenge=1158201444", "", ""), 200)
	if string(ok.Body) != "1158201444" {
		t.Fatalf("the challenge answered %q", ok.Body)
	}
	s.Expect(s.Do("GET", "/api/v1/hooks/fb-ads?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1", "", ""), 403)
	s.Expect(s.Do("GET", "/api/v1/hooks/plain-form?hub.mode=subscribe&hub.verify_token=&hub.challenge=1", "", ""), 403)

	// Bad signatures change nothing; each kind takes only its own signature.
	body := leadgen("L1", "L2")
	s.Expect(hubPush(s, "fb-ads", "not-the-secret", body), 401)
	s.Expect(s.Do("POST", "/api/v1/hooks/fb-ads", "", body, "X-Hub-Signature-256", "sha256=zz"), 401)
	s.Expect(push(s, "fb-ads", form.Secret, "msg_1", body), 401)
	s.Expect(hubPush(s, "plain-form", "app-secret-1", body), 401)
	if g.count("L1")+g.count("L2") != 0 {
		t.Fatal("a refused delivery fetched leads")
	}

	// A delivery and Facebook's retries of it: each lead fetched (the first
	// fetch fails and is retried) and taken in once.
	before := s.CountLeads()
	for range 3 {
		r := s.Expect(hubPush(s, "fb-ads", "app-secret-1", body), 200)
		if string(r.Body) != `{"received":2}` {
			t.Fatalf("the delivery answered %s", r.Body)
		}
	}
	var got []lead.Lead
	for deadline := time.Now().Add(30 * time.Second); len(got) < 2 && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		got = leadsOfChannel(s, "fb-ads")
	}
	if len(got) != 2 {
		t.Fatalf("%d Lead Ads leads taken in, want 2", len(got))
	}
	s.Expect(hubPush(s, "fb-ads", "app-secret-1", leadgen("L1")), 200) // once more, after the intake
	time.Sleep(time.Second)
	if n := s.CountLeads(); n != before+2 {
		t.Fatalf("%d leads after a delivery and its retries, want %d", n, before+2)
	}
	for _, id := range []string{"L1", "L2"} {
		if n := g.count(id); n != 2 {
			t.Errorf("lead %s fetched %d times, want 2 (a failure, then the lead)", id, n)
		}
	}
	for _, l := range got {
		if l.Source != lead.SourceHook || l.Name != "Li Lei" || l.Email != "li.lei@example.com" || l.Country != "CN" ||
			l.Profession != "Buyer" || !strings.HasPrefix(l.Company, "Lead Ads Trading L") || l.PhoneE164 != "+8613900139555" {
			t.Errorf("a Lead Ads lead is %+v", l)
		}
	}
	apptest.RecordHistoryOfType(t, s.TC, workflows.FacebookLeadWorkflowName, "facebook_lead_ads")
}
