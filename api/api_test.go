package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/server"
	"github.com/leadflow/leadflow/workflows"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// TestLeadSlice walks the first lead end to end over HTTP: create -> pooled
// -> claim -> follow-up -> convert, plus a rejected lead and the refusals.
func TestLeadSlice(t *testing.T) {
	s := apptest.NewStack(t)
	repID, rep := s.CreateRep("Rita", 1)
	_, other := s.CreateRep("Otto", 5)

	l := s.CreateLead(`{"company":"Acme Trading Co., Ltd.","name":"Li Lei","phone":"138 0013 8000","country":"CN","email":"li@acme.cn","tags":["expo"]}`)
	if l.Status != lead.StatusPooled || l.PoolID != lead.DefaultPoolID || l.PhoneE164 != "+8613800138000" {
		t.Fatalf("created lead: %+v", l)
	}

	// A rep sees it in the pool.
	var list struct {
		Items []lead.Lead `json:"items"`
	}
	s.Expect(s.Do("GET", "/api/v1/leads?status=pooled&q=acme", rep, ""), 200).JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != l.ID {
		t.Fatalf("pool listing: %+v", list.Items)
	}

	// Claim: 200 and assigned; for another rep the lead is gone (404), the
	// owner's second claim is a 409 naming the status.
	var claimed lead.Lead
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, `{"reason":"met at the expo","expected_follow_up_at":"2030-01-02T10:00:00Z"}`), 200).JSON(t, &claimed)
	if claimed.Status != lead.StatusAssigned || claimed.OwnerID != repID {
		t.Fatalf("claimed: %+v", claimed)
	}
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", other, ""), 404)
	p := s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 409).Problem(t)
	if len(p.Reasons) == 0 || !strings.Contains(p.Reasons[0], "assigned") {
		t.Fatalf("second claim problem: %+v", p)
	}

	// Capacity 1: Rita cannot claim another lead.
	l2 := s.CreateLead(`{"company":"Bright Star Imports","phone":"+1 650 253 0000"}`)
	p = s.Expect(s.Do("POST", "/api/v1/leads/"+l2.ID+"/claim", rep, ""), 409).Problem(t)
	if len(p.Reasons) != 1 || !strings.Contains(p.Reasons[0], "capacity reached") {
		t.Fatalf("capacity problem: %+v", p)
	}

	// Another rep may not record follow-ups on Rita's lead.
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/follow-ups", other, `{"type":"call","content":"hello"}`), 404)
	var fu lead.FollowUp
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/follow-ups", rep, `{"type":"call","content":"Called, wants a quote","next_step":"send quote","stage":"Follow-up"}`, "Idempotency-Key", "fu-1"), 201).JSON(t, &fu)
	if fu.ID == "" || fu.AuthorID != repID || fu.Type != "call" {
		t.Fatalf("follow-up: %+v", fu)
	}
	// The same request again records nothing new.
	var again lead.FollowUp
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/follow-ups", rep, `{"type":"call","content":"Called, wants a quote","next_step":"send quote","stage":"Follow-up"}`, "Idempotency-Key", "fu-1"), 201).JSON(t, &again)
	if again.ID != fu.ID {
		t.Fatalf("a retried follow-up made a second record: %s vs %s", again.ID, fu.ID)
	}

	var conv lead.Converted
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/convert", rep, ""), 200).JSON(t, &conv)
	if conv.Lead.Status != lead.StatusConverted || conv.Customer.Name != "Acme Trading Co., Ltd." || conv.Customer.OwnerID != repID {
		t.Fatalf("converted: %+v", conv)
	}
	// The workflow has completed with the converted lead.
	var final lead.Lead
	if err := s.TC.GetWorkflow(context.Background(), workflows.WorkflowID(l.ID), "").Get(context.Background(), &final); err != nil || final.Status != lead.StatusConverted {
		t.Fatalf("workflow result %+v, %v", final, err)
	}
	// Converting again is refused with the status, not a 500.
	p = s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/convert", rep, ""), 409).Problem(t)
	if len(p.Reasons) == 0 || !strings.Contains(p.Reasons[0], "converted") {
		t.Fatalf("convert twice: %+v", p)
	}

	var got lead.Lead
	s.Expect(s.Do("GET", "/api/v1/leads/"+l.ID, rep, ""), 200).JSON(t, &got)
	if got.Status != lead.StatusConverted || got.Stage != "Follow-up" || got.LastFollowUpAt == nil || got.CustomerID != conv.Customer.ID {
		t.Fatalf("stored lead: %+v", got)
	}
	var hist struct {
		Items []lead.Event `json:"items"`
	}
	s.Expect(s.Do("GET", "/api/v1/leads/"+l.ID+"/history", s.Admin, ""), 200).JSON(t, &hist)
	var types []string
	for _, e := range hist.Items {
		types = append(types, string(e.Type))
	}
	if strings.Join(types, ",") != "created,validated,scored,pooled,claimed,followed_up,converted" {
		t.Fatalf("history: %v", types)
	}
	for i, kind := range []string{"validation", "scoring", "routing"} {
		if e := hist.Items[1+i]; e.RuleKind != kind || e.RuleVersion != 1 || len(e.Trace) == 0 {
			t.Fatalf("%s event lacks its rule version and trace: %+v", e.Type, e)
		}
	}
	if hist.Items[2].Data["score"] != float64(15) {
		t.Fatalf("score of a lead with e-mail and name: %+v", hist.Items[2])
	}
	if hist.Items[4].Reason != "met at the expo" || hist.Items[4].ActorID != repID {
		t.Fatalf("claim event: %+v", hist.Items[4])
	}

	apptest.RecordHistory(t, s.TC, workflows.WorkflowID(l.ID), "lead_claim_followup_convert")
}

func TestRejectedLead(t *testing.T) {
	s := apptest.NewStack(t)
	l := s.CreateLead(`{"company":"Acme Trading","phone":"123","country":"CN"}`)
	if l.Status != lead.StatusRejected || len(l.RejectReasons) != 1 || !strings.Contains(l.RejectReasons[0], "phone") {
		t.Fatalf("lead with phone 123: %+v", l)
	}
	var got lead.Lead
	s.Expect(s.Do("GET", "/api/v1/leads/"+l.ID, s.Admin, ""), 200).JSON(t, &got)
	if got.Status != lead.StatusRejected || len(got.RejectReasons) != 1 || got.RejectReasons[0] != "phone number is not valid for its country" {
		t.Fatalf("GET rejected lead: %+v", got)
	}
	var hist struct {
		Items []lead.Event `json:"items"`
	}
	s.Expect(s.Do("GET", "/api/v1/leads/"+l.ID+"/history", s.Admin, ""), 200).JSON(t, &hist)
	last := hist.Items[len(hist.Items)-1]
	if last.Type != lead.EventRejected || last.RuleVersion != 1 || !strings.Contains(last.Reason, "phone") {
		t.Fatalf("rejection event: %+v", last)
	}
	var trace []map[string]any
	if err := json.Unmarshal(last.Trace, &trace); err != nil || len(trace) != 3 || trace[0]["matched"] != true {
		t.Fatalf("trace %s: %v", last.Trace, err)
	}
	// The intake of a rejected lead is cheap: one local activity, one search
	// attribute upsert, the intake update, and the workflow is done.
	if n := historyLength(t, s.TC, workflows.WorkflowID(l.ID)); n > 10 {
		t.Fatalf("a rejected lead cost %d history events, want at most 10", n)
	}
	// Short company names are rejected by the second default rule.
	l = s.CreateLead(`{"company":"Acme","phone":"13800138000","country":"CN"}`)
	if l.Status != lead.StatusRejected || !strings.Contains(strings.Join(l.RejectReasons, ";"), "longer than 4") {
		t.Fatalf("short company: %+v", l)
	}
	// A rejected lead is in no pool: a rep does not see it; nobody can claim it.
	_, rep := s.CreateRep("Rhea", 3)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 404)
	p := s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", s.Admin, ""), 409).Problem(t)
	if len(p.Reasons) == 0 || !strings.Contains(p.Reasons[0], "rejected") {
		t.Fatalf("claiming a rejected lead: %+v", p)
	}
	p = s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/convert", s.Admin, ""), 409).Problem(t)
	if len(p.Reasons) == 0 || !strings.Contains(p.Reasons[0], "rejected") {
		t.Fatalf("convert rejected: %+v", p)
	}
}

func TestCreateLeadIsIdempotent(t *testing.T) {
	s := apptest.NewStack(t)
	body := `{"company":"Northwind Traders","phone":"+44 20 7946 0958"}`
	first := s.Expect(s.Do("POST", "/api/v1/leads", s.Admin, body, "Idempotency-Key", "k-1"), 201)
	var a, b lead.Lead
	first.JSON(t, &a)
	second := s.Do("POST", "/api/v1/leads", s.Admin, body, "Idempotency-Key", "k-1")
	if second.Status != 200 && second.Status != 201 {
		t.Fatalf("retry: %d %s", second.Status, second.Body)
	}
	second.JSON(t, &b)
	if a.ID != b.ID {
		t.Fatalf("a retry created a second lead: %s, %s", a.ID, b.ID)
	}
	var list struct {
		Items []lead.Lead `json:"items"`
	}
	s.Expect(s.Do("GET", "/api/v1/leads?company=northwind", s.Admin, ""), 200).JSON(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("%d leads after a retried create", len(list.Items))
	}
}

// TestConcurrentClaims: ten reps claim one lead at once; exactly one owns it.
func TestConcurrentClaims(t *testing.T) {
	s := apptest.NewStack(t)
	l := s.CreateLead(`{"company":"Contoso Pharmaceuticals","phone":"+49 30 901820","country":"DE"}`)
	if l.Status != lead.StatusPooled {
		t.Fatalf("lead: %+v", l)
	}
	tokens := make([]string, 10)
	for i := range tokens {
		_, tokens[i] = s.CreateRep(fmt.Sprintf("Rep%d", i), 5)
	}
	var wg sync.WaitGroup
	codes := make([]int, len(tokens))
	for i, tok := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := httptest.NewRequest("POST", "/api/v1/leads/"+l.ID+"/claim", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			codes[i] = s.Send(req, nil).Status
		}()
	}
	wg.Wait()
	won := 0
	for _, c := range codes {
		switch c {
		case 200:
			won++
		case 409, 404: // refused in the race, or too late: the lead is someone else's now
		default:
			t.Errorf("unexpected status %d", c)
		}
	}
	if won != 1 {
		t.Fatalf("%d claims succeeded, want 1: %v", won, codes)
	}
}

func TestBadInput(t *testing.T) {
	s := apptest.NewStack(t)
	_, rep := s.CreateRep("Remy", 3)
	cases := []struct {
		name, method, path, token, body string
		status                          int
		field                           string
	}{
		{"no token", "GET", "/api/v1/leads", "", "", 401, ""},
		{"bad token", "GET", "/api/v1/leads", "lf_nope", "", 401, ""},
		{"malformed json", "POST", "/api/v1/leads", s.Admin, `{"company":`, 400, "body"},
		{"not an object", "POST", "/api/v1/leads", s.Admin, `[1,2]`, 400, "body"},
		{"unknown field", "POST", "/api/v1/leads", s.Admin, `{"company":"Acme Trading","phone":"1","colour":"red"}`, 422, "colour"},
		{"wrong type", "POST", "/api/v1/leads", s.Admin, `{"company":42,"phone":"1"}`, 422, "company"},
		{"missing required", "POST", "/api/v1/leads", s.Admin, `{"name":"Li"}`, 422, "company"},
		{"bad email", "POST", "/api/v1/leads", s.Admin, `{"company":"Acme Trading","phone":"13800138000","email":"x@"}`, 422, "email"},
		{"bad country", "POST", "/api/v1/leads", s.Admin, `{"company":"Acme Trading","phone":"13800138000","country":"China"}`, 422, "country"},
		{"rep creates user", "POST", "/api/v1/users", rep, `{"name":"X","email":"x@example.com","role":"rep"}`, 403, ""},
		{"bad role", "POST", "/api/v1/users", s.Admin, `{"name":"X","email":"x@example.com","role":"boss"}`, 422, "role"},
		{"duplicate email", "POST", "/api/v1/users", s.Admin, `{"name":"X","email":"remy@example.com","role":"rep"}`, 409, ""},
		{"unknown lead", "GET", "/api/v1/leads/" + uuid.NewString(), s.Admin, "", 404, ""},
		{"malformed lead id", "GET", "/api/v1/leads/not-an-id", s.Admin, "", 404, ""},
		{"claim unknown lead", "POST", "/api/v1/leads/" + uuid.NewString() + "/claim", rep, "", 404, ""},
		{"bad limit", "GET", "/api/v1/leads?limit=0", s.Admin, "", 422, "limit"},
		{"bad status filter", "GET", "/api/v1/leads?status=lost", s.Admin, "", 422, "status"},
		{"bad cursor", "GET", "/api/v1/leads?cursor=zzz", s.Admin, "", 422, "cursor"},
		{"bad date", "GET", "/api/v1/leads?created_from=yesterday", s.Admin, "", 422, "created_from"},
		{"unknown route", "GET", "/api/v1/nothing", s.Admin, "", 404, ""},
		{"bad follow-up type", "POST", "/api/v1/leads/" + uuid.NewString() + "/follow-ups", rep, `{"type":"fax","content":"x"}`, 422, "type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.Do(c.method, c.path, c.token, c.body)
			if r.Status != c.status {
				t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Body)
			}
			p := r.Problem(t)
			if p.Status != c.status || p.Title == "" {
				t.Fatalf("problem: %+v", p)
			}
			if c.field != "" {
				found := false
				for _, e := range p.Errors {
					found = found || e.Field == c.field
				}
				if !found {
					t.Fatalf("no error names %q: %+v", c.field, p.Errors)
				}
			}
		})
	}
}

func TestHealthAndReady(t *testing.T) {
	s := apptest.NewStack(t)
	s.Expect(s.Do("GET", "/healthz", "", ""), 200)
	if home := s.Expect(s.Do("GET", "/", "", ""), 200); !bytes.Contains(home.Body, []byte("openapi.json")) {
		t.Fatalf("home page: %s", home.Body)
	}
	var ready struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	s.Expect(s.Do("GET", "/readyz", "", ""), 200).JSON(t, &ready)
	if ready.Checks["postgres"] != "ok" || ready.Checks["temporal"] != "ok" {
		t.Fatalf("readyz: %+v", ready)
	}
	// PostgreSQL down: 503 naming it, without the error's text.
	closed := testenv.Store(t)
	closed.Close()
	down := *s
	down.App = server.New(server.Config{Store: closed, Temporal: s.TC})
	r0 := down.Expect(down.Do("GET", "/readyz", "", ""), 503)
	r0.JSON(t, &ready)
	if ready.Checks["postgres"] != "unavailable" || ready.Checks["temporal"] != "ok" || bytes.Contains(r0.Body, []byte("closed")) {
		t.Fatalf("readyz with PostgreSQL down: %s", r0.Body)
	}
	r := s.Expect(s.Do("GET", "/api/v1/openapi.json", "", ""), 200)
	var doc map[string]any
	r.JSON(t, &doc)
	if doc["openapi"] != "3.0.3" {
		t.Fatalf("openapi: %v", doc["openapi"])
	}
	m := s.Expect(s.Do("GET", "/metrics", "", ""), 200)
	if !bytes.Contains(m.Body, []byte("leadflow_http_requests_total")) {
		t.Fatalf("metrics lack the request counter")
	}
}

// historyLength counts the events of a closed workflow's history.
func historyLength(t testing.TB, tc client.Client, workflowID string) int {
	t.Helper()
	it := tc.GetWorkflowHistory(context.Background(), workflowID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	n, closed := 0, false
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		n++
		closed = e.GetEventType() == enums.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED
	}
	if !closed {
		t.Fatalf("workflow %s has not completed", workflowID)
	}
	return n
}

// TestTokenRotationAndExpiry: a user rotates their own token (the old one
// stops working), may make it expire, and sees when it was last used.
func TestTokenRotationAndExpiry(t *testing.T) {
	s := apptest.NewStack(t)
	_, old := s.CreateRep("Tom", 5)
	var me lead.User
	s.Expect(s.Do("GET", "/api/v1/me", old, ""), 200).JSON(t, &me)
	if me.TokenUsedAt == nil {
		t.Fatalf("no last-used time: %+v", me)
	}
	var rotated struct {
		lead.User
		Token string
	}
	s.Expect(s.Do("POST", "/api/v1/me/token", old, `{"expires_in":"1h"}`), 200).JSON(t, &rotated)
	if rotated.Token == "" || rotated.Token == old || rotated.TokenExpiresAt == nil || time.Until(*rotated.TokenExpiresAt) > time.Hour {
		t.Fatalf("rotated: %+v", rotated)
	}
	s.Expect(s.Do("GET", "/api/v1/me", old, ""), 401)
	s.Expect(s.Do("GET", "/api/v1/me", rotated.Token, ""), 200)
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/me/token", rotated.Token, `{"expires_in":"0s"}`), "expires_in")
	// An expired token is refused.
	var short struct{ Token string }
	s.Expect(s.Do("POST", "/api/v1/me/token", rotated.Token, `{"expires_in":"1s"}`), 200).JSON(t, &short)
	s.WaitFor(10*time.Second, "the token to expire", func() bool { return s.Do("GET", "/api/v1/me", short.Token, "").Status == 401 })
}
