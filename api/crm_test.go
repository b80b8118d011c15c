package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/worker"
	"github.com/leadflow/leadflow/workflows"
)

// fakeHubSpot is a local HubSpot contacts API: it checks the bearer token
// and the body, keeps the contacts, and (loseFirst) creates the first
// contact but answers 500, as when an answer is lost on the way.
type fakeHubSpot struct {
	mu        sync.Mutex
	contacts  map[string]map[string]string
	creates   int
	patches   int
	loseFirst bool
	bad       []string
}

func (f *fakeHubSpot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer tok-123" {
		f.bad = append(f.bad, "token "+r.Header.Get("Authorization"))
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var body struct {
		Properties   map[string]string `json:"properties"`
		FilterGroups []struct {
			Filters []struct{ PropertyName, Operator, Value string }
		} `json:"filterGroups"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		f.bad = append(f.bad, "body: "+err.Error())
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	const base = "/crm/v3/objects/contacts"
	switch {
	case r.Method == http.MethodPost && r.URL.Path == base:
		if body.Properties["leadflow_id"] == "" || body.Properties["company"] == "" {
			f.bad = append(f.bad, fmt.Sprintf("create without leadflow_id or company: %v", body.Properties))
		}
		f.creates++
		id := strconv.Itoa(900 + len(f.contacts))
		f.contacts[id] = body.Properties
		if f.loseFirst && f.creates == 1 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusCreated)
		_, _ = fmt.Fprintf(w, `{"id":%q,"properties":{}}`, id)
	case r.Method == http.MethodPost && r.URL.Path == base+"/search":
		var results []map[string]string
		for id, c := range f.contacts {
			if len(body.FilterGroups) == 1 && c["leadflow_id"] == body.FilterGroups[0].Filters[0].Value {
				results = append(results, map[string]string{"id": id})
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"total": len(results), "results": results})
	case r.Method == http.MethodPatch && strings.HasPrefix(r.URL.Path, base+"/"):
		c, ok := f.contacts[strings.TrimPrefix(r.URL.Path, base+"/")]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		f.patches++
		for k, v := range body.Properties {
			c[k] = v
		}
		_, _ = w.Write([]byte(`{"id":"x"}`))
	default:
		f.bad = append(f.bad, r.Method+" "+r.URL.Path)
		w.WriteHeader(http.StatusNotFound)
	}
}

// TestCRMPush: a registration rule set names a HubSpot-compatible CRM; a
// registered lead becomes one contact there (a create whose answer was
// lost is not repeated: the retry finds the contact), its id is on the
// lead, and an edit updates the contact rather than creating another.
func TestCRMPush(t *testing.T) {
	s, _ := apptest.NewHookStack(t, worker.Webhooks{PollEvery: 50 * time.Millisecond,
		Retry: workflows.WebhookRetry{Initial: 50 * time.Millisecond, Max: 200 * time.Millisecond, For: 15 * time.Second, Timeout: 5 * time.Second}})
	fake := &fakeHubSpot{contacts: map[string]map[string]string{}, loseFirst: true}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)

	for body, field := range map[string]string{
		`{"name":"X","kind":"hubspot","base_url":"http://10.1.2.3","token":"t"}`:         "base_url",
		`{"name":"X","kind":"hubspot","base_url":"http://169.254.169.254/","token":"t"}`: "base_url",
		`{"name":"X","kind":"salesforce","base_url":"http://127.0.0.1:9","token":"t"}`:   "kind",
		`{"name":"","kind":"hubspot","base_url":"http://127.0.0.1:9","token":"t"}`:       "name",
		`{"name":"X","kind":"hubspot","base_url":"http://127.0.0.1:9"}`:                  "token",
	} {
		apptest.FieldProblem(t, s.Expect(s.Do("POST", "/api/v1/crm-targets", s.Admin, body), 422), field)
	}
	r := s.Expect(s.Do("POST", "/api/v1/crm-targets", s.Admin, fmt.Sprintf(`{"name":"HubSpot EU","kind":"hubspot","base_url":%q,"token":"tok-123"}`, srv.URL)), 201)
	if strings.Contains(string(r.Body), "tok-123") {
		t.Fatalf("the token is answered: %s", r.Body)
	}
	s.Expect(s.Do("POST", "/api/v1/crm-targets", s.Admin, fmt.Sprintf(`{"name":"HubSpot EU","kind":"hubspot","base_url":%q,"token":"x"}`, srv.URL)), 409)
	apptest.FieldProblem(t, s.Expect(s.Do("PUT", "/api/v1/rules/registration", s.Admin,
		`{"groups":[["lead.country == \"CN\""]],"crm_target":"Nope"}`), 422), "crm_target")
	s.Expect(s.Do("PUT", "/api/v1/rules/registration", s.Admin, `{"groups":[["lead.country == \"CN\""]],"crm_target":"HubSpot EU"}`), 200)

	l := s.CreateLead(`{"company":"Push Trading","name":"Wei Zhang","email":"wei@push.example","phone":"13800138731","country":"CN"}`)
	var ext string
	s.WaitFor(15*time.Second, "the contact's id on the lead", func() bool {
		ext = s.GetLead(l.ID).ExternalIDs["HubSpot EU"]
		return ext != ""
	})
	s.Expect(s.Do("PATCH", "/api/v1/leads/"+l.ID, s.Admin, `{"company":"Push Trading Shanghai"}`), 200)
	s.WaitFor(15*time.Second, "the contact updated", func() bool {
		fake.mu.Lock()
		defer fake.mu.Unlock()
		return fake.contacts[ext]["company"] == "Push Trading Shanghai"
	})
	time.Sleep(300 * time.Millisecond) // a duplicate would come now
	fake.mu.Lock()
	defer fake.mu.Unlock()
	c := fake.contacts[ext]
	if len(fake.contacts) != 1 || fake.creates != 1 || c["email"] != "wei@push.example" || c["firstname"] != "Wei" || c["lastname"] != "Zhang" ||
		c["phone"] != "+8613800138731" || c["leadflow_id"] != l.ID || len(fake.bad) > 0 {
		t.Fatalf("the CRM has %d contacts after %d creates, %d updates: %v; refused %v", len(fake.contacts), fake.creates, fake.patches, fake.contacts, fake.bad)
	}
	var h []lead.Event
	for _, e := range s.History(l.ID) {
		if e.Type == lead.EventAutoRegistered {
			h = append(h, e)
		}
	}
	if len(h) != 1 || h[0].Data["crm_target"] != "HubSpot EU" {
		t.Fatalf("registered events: %+v", h)
	}
	apptest.RecordHistoryOfType(t, s.TC, workflows.CRMWorkflowName, "crm_push")
}
