package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/leadflow/leadflow/api"
	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/server"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/worker"
	"github.com/leadflow/leadflow/workflows"
)

var recordHistory = flag.Bool("record-history", false, "write the LeadWorkflow history of TestLeadSlice to workflows/testdata for the replay test")

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// stack is the whole service for one test: real PostgreSQL, a real
// Temporal server, the worker and the Fiber app.
type stack struct {
	t     testing.TB
	db    *store.DB
	tc    client.Client
	app   *fiber.App
	admin string // token
}

func newStack(t *testing.T) *stack {
	db := testenv.Store(t)
	tc, ns := testenv.Temporal(t)
	return stackWithWorker(t, db, tc, ns)
}

// stackWithWorker starts the worker on Temporal client tc of namespace ns
// and store db, and returns the stack with its admin.
func stackWithWorker(t testing.TB, db *store.DB, tc client.Client, ns string) *stack {
	testenv.Worker(t, worker.Config{Temporal: tc, Namespace: ns, Store: db})
	return stackOn(t, db, tc, server.Config{})
}

// stackOn is the stack of an app with cfg over db and tc, whose worker the
// caller started, and an admin.
func stackOn(t testing.TB, db *store.DB, tc client.Client, cfg server.Config) *stack {
	cfg.Store, cfg.Temporal, cfg.UpdateTimeout, cfg.MinPolicyDuration = db, tc, 20*time.Second, time.Second
	s := &stack{t: t, db: db, tc: tc, app: server.New(cfg)}
	token, hash := api.NewToken()
	if _, err := db.CreateUser(context.Background(), lead.User{ID: uuid.NewString(), Name: "Ada Admin", Email: "ada@example.com",
		Role: lead.RoleAdmin, Capacity: 10, DailyClaimLimit: 10, Active: true}, hash); err != nil {
		t.Fatal(err)
	}
	s.admin = token
	return s
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (r response) problem(t testing.TB) api.Problem {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q, want application/problem+json; body %s", ct, r.body)
	}
	var p api.Problem
	r.json(t, &p)
	return p
}

func (s *stack) do(method, path, token, body string, headers ...string) response {
	s.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return s.send(req, []byte(body))
}

func (s *stack) expect(r response, status int) response {
	s.t.Helper()
	if r.status != status {
		s.t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	return r
}

// createRep creates a rep through the API and returns its id and token.
func (s *stack) createRep(name string, capacity int) (string, string) {
	s.t.Helper()
	var u struct {
		ID    string `json:"id"`
		Token string `json:"token"`
	}
	body := fmt.Sprintf(`{"name":%q,"email":"%s@example.com","role":"rep","capacity":%d}`, name, strings.ToLower(name), capacity)
	s.expect(s.do("POST", "/api/v1/users", s.admin, body), 201).json(s.t, &u)
	if u.ID == "" || !strings.HasPrefix(u.Token, "lf_") {
		s.t.Fatalf("user creation returned %+v", u)
	}
	return u.ID, u.Token
}

func (s *stack) createLead(body string) lead.Lead {
	s.t.Helper()
	var l lead.Lead
	s.expect(s.do("POST", "/api/v1/leads", s.admin, body), 201).json(s.t, &l)
	return l
}

// TestLeadSlice walks the first lead end to end over HTTP: create -> pooled
// -> claim -> follow-up -> convert, plus a rejected lead and the refusals.
func TestLeadSlice(t *testing.T) {
	s := newStack(t)
	repID, rep := s.createRep("Rita", 1)
	_, other := s.createRep("Otto", 5)

	l := s.createLead(`{"company":"Acme Trading Co., Ltd.","name":"Li Lei","phone":"138 0013 8000","country":"CN","email":"li@acme.cn","tags":["expo"]}`)
	if l.Status != lead.StatusPooled || l.PoolID != lead.DefaultPoolID || l.PhoneE164 != "+8613800138000" {
		t.Fatalf("created lead: %+v", l)
	}

	// A rep sees it in the pool.
	var list struct {
		Items []lead.Lead `json:"items"`
	}
	s.expect(s.do("GET", "/api/v1/leads?status=pooled&q=acme", rep, ""), 200).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != l.ID {
		t.Fatalf("pool listing: %+v", list.Items)
	}

	// Claim: 200 and assigned; for another rep the lead is gone (404), the
	// owner's second claim is a 409 naming the status.
	var claimed lead.Lead
	s.expect(s.do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, `{"reason":"met at the expo","expected_follow_up_at":"2030-01-02T10:00:00Z"}`), 200).json(t, &claimed)
	if claimed.Status != lead.StatusAssigned || claimed.OwnerID != repID {
		t.Fatalf("claimed: %+v", claimed)
	}
	s.expect(s.do("POST", "/api/v1/leads/"+l.ID+"/claim", other, ""), 404)
	p := s.expect(s.do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 409).problem(t)
	if len(p.Reasons) == 0 || !strings.Contains(p.Reasons[0], "assigned") {
		t.Fatalf("second claim problem: %+v", p)
	}

	// Capacity 1: Rita cannot claim another lead.
	l2 := s.createLead(`{"company":"Bright Star Imports","phone":"+1 650 253 0000"}`)
	p = s.expect(s.do("POST", "/api/v1/leads/"+l2.ID+"/claim", rep, ""), 409).problem(t)
	if len(p.Reasons) != 1 || !strings.Contains(p.Reasons[0], "capacity reached") {
		t.Fatalf("capacity problem: %+v", p)
	}

	// Another rep may not record follow-ups on Rita's lead.
	s.expect(s.do("POST", "/api/v1/leads/"+l.ID+"/follow-ups", other, `{"type":"call","content":"hello"}`), 404)
	var fu lead.FollowUp
	s.expect(s.do("POST", "/api/v1/leads/"+l.ID+"/follow-ups", rep, `{"type":"call","content":"Called, wants a quote","next_step":"send quote","stage":"Follow-up"}`, "Idempotency-Key", "fu-1"), 201).json(t, &fu)
	if fu.ID == "" || fu.AuthorID != repID || fu.Type != "call" {
		t.Fatalf("follow-up: %+v", fu)
	}
	// The same request again records nothing new.
	var again lead.FollowUp
	s.expect(s.do("POST", "/api/v1/leads/"+l.ID+"/follow-ups", rep, `{"type":"call","content":"Called, wants a quote","next_step":"send quote","stage":"Follow-up"}`, "Idempotency-Key", "fu-1"), 201).json(t, &again)
	if again.ID != fu.ID {
		t.Fatalf("a retried follow-up made a second record: %s vs %s", again.ID, fu.ID)
	}

	var conv lead.Converted
	s.expect(s.do("POST", "/api/v1/leads/"+l.ID+"/convert", rep, ""), 200).json(t, &conv)
	if conv.Lead.Status != lead.StatusConverted || conv.Customer.Name != "Acme Trading Co., Ltd." || conv.Customer.OwnerID != repID {
		t.Fatalf("converted: %+v", conv)
	}
	// The workflow has completed with the converted lead.
	var final lead.Lead
	if err := s.tc.GetWorkflow(context.Background(), workflows.WorkflowID(l.ID), "").Get(context.Background(), &final); err != nil || final.Status != lead.StatusConverted {
		t.Fatalf("workflow result %+v, %v", final, err)
	}
	// Converting again is refused with the status, not a 500.
	p = s.expect(s.do("POST", "/api/v1/leads/"+l.ID+"/convert", rep, ""), 409).problem(t)
	if len(p.Reasons) == 0 || !strings.Contains(p.Reasons[0], "converted") {
		t.Fatalf("convert twice: %+v", p)
	}

	var got lead.Lead
	s.expect(s.do("GET", "/api/v1/leads/"+l.ID, rep, ""), 200).json(t, &got)
	if got.Status != lead.StatusConverted || got.Stage != "Follow-up" || got.LastFollowUpAt == nil || got.CustomerID != conv.Customer.ID {
		t.Fatalf("stored lead: %+v", got)
	}
	var hist struct {
		Items []lead.Event `json:"items"`
	}
	s.expect(s.do("GET", "/api/v1/leads/"+l.ID+"/history", s.admin, ""), 200).json(t, &hist)
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

	if *recordHistory {
		writeHistory(t, s.tc, workflows.WorkflowID(l.ID), filepath.Join("..", "workflows", "testdata", "lead_claim_followup_convert.json"))
	}
}

func TestRejectedLead(t *testing.T) {
	s := newStack(t)
	l := s.createLead(`{"company":"Acme Trading","phone":"123","country":"CN"}`)
	if l.Status != lead.StatusRejected || len(l.RejectReasons) != 1 || !strings.Contains(l.RejectReasons[0], "phone") {
		t.Fatalf("lead with phone 123: %+v", l)
	}
	var got lead.Lead
	s.expect(s.do("GET", "/api/v1/leads/"+l.ID, s.admin, ""), 200).json(t, &got)
	if got.Status != lead.StatusRejected || len(got.RejectReasons) != 1 || got.RejectReasons[0] != "phone number is not valid for its country" {
		t.Fatalf("GET rejected lead: %+v", got)
	}
	var hist struct {
		Items []lead.Event `json:"items"`
	}
	s.expect(s.do("GET", "/api/v1/leads/"+l.ID+"/history", s.admin, ""), 200).json(t, &hist)
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
	if n := historyLength(t, s.tc, workflows.WorkflowID(l.ID)); n > 10 {
		t.Fatalf("a rejected lead cost %d history events, want at most 10", n)
	}
	// Short company names are rejected by the second default rule.
	l = s.createLead(`{"company":"Acme","phone":"13800138000","country":"CN"}`)
	if l.Status != lead.StatusRejected || !strings.Contains(strings.Join(l.RejectReasons, ";"), "longer than 4") {
		t.Fatalf("short company: %+v", l)
	}
	// A rejected lead is in no pool: a rep does not see it; nobody can claim it.
	_, rep := s.createRep("Rhea", 3)
	s.expect(s.do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 404)
	p := s.expect(s.do("POST", "/api/v1/leads/"+l.ID+"/claim", s.admin, ""), 409).problem(t)
	if len(p.Reasons) == 0 || !strings.Contains(p.Reasons[0], "rejected") {
		t.Fatalf("claiming a rejected lead: %+v", p)
	}
	p = s.expect(s.do("POST", "/api/v1/leads/"+l.ID+"/convert", s.admin, ""), 409).problem(t)
	if len(p.Reasons) == 0 || !strings.Contains(p.Reasons[0], "rejected") {
		t.Fatalf("convert rejected: %+v", p)
	}
}

func TestCreateLeadIsIdempotent(t *testing.T) {
	s := newStack(t)
	body := `{"company":"Northwind Traders","phone":"+44 20 7946 0958"}`
	first := s.expect(s.do("POST", "/api/v1/leads", s.admin, body, "Idempotency-Key", "k-1"), 201)
	var a, b lead.Lead
	first.json(t, &a)
	second := s.do("POST", "/api/v1/leads", s.admin, body, "Idempotency-Key", "k-1")
	if second.status != 200 && second.status != 201 {
		t.Fatalf("retry: %d %s", second.status, second.body)
	}
	second.json(t, &b)
	if a.ID != b.ID {
		t.Fatalf("a retry created a second lead: %s, %s", a.ID, b.ID)
	}
	var list struct {
		Items []lead.Lead `json:"items"`
	}
	s.expect(s.do("GET", "/api/v1/leads?company=northwind", s.admin, ""), 200).json(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("%d leads after a retried create", len(list.Items))
	}
}

// TestConcurrentClaims: ten reps claim one lead at once; exactly one owns it.
func TestConcurrentClaims(t *testing.T) {
	s := newStack(t)
	l := s.createLead(`{"company":"Contoso Pharmaceuticals","phone":"+49 30 901820","country":"DE"}`)
	if l.Status != lead.StatusPooled {
		t.Fatalf("lead: %+v", l)
	}
	tokens := make([]string, 10)
	for i := range tokens {
		_, tokens[i] = s.createRep(fmt.Sprintf("Rep%d", i), 5)
	}
	var wg sync.WaitGroup
	codes := make([]int, len(tokens))
	for i, tok := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := httptest.NewRequest("POST", "/api/v1/leads/"+l.ID+"/claim", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			codes[i] = s.send(req, nil).status
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
	s := newStack(t)
	_, rep := s.createRep("Remy", 3)
	cases := []struct {
		name, method, path, token, body string
		status                          int
		field                           string
	}{
		{"no token", "GET", "/api/v1/leads", "", "", 401, ""},
		{"bad token", "GET", "/api/v1/leads", "lf_nope", "", 401, ""},
		{"malformed json", "POST", "/api/v1/leads", s.admin, `{"company":`, 400, "body"},
		{"not an object", "POST", "/api/v1/leads", s.admin, `[1,2]`, 400, "body"},
		{"unknown field", "POST", "/api/v1/leads", s.admin, `{"company":"Acme Trading","phone":"1","colour":"red"}`, 422, "colour"},
		{"wrong type", "POST", "/api/v1/leads", s.admin, `{"company":42,"phone":"1"}`, 422, "company"},
		{"missing required", "POST", "/api/v1/leads", s.admin, `{"name":"Li"}`, 422, "company"},
		{"bad email", "POST", "/api/v1/leads", s.admin, `{"company":"Acme Trading","phone":"13800138000","email":"x@"}`, 422, "email"},
		{"bad country", "POST", "/api/v1/leads", s.admin, `{"company":"Acme Trading","phone":"13800138000","country":"China"}`, 422, "country"},
		{"rep creates user", "POST", "/api/v1/users", rep, `{"name":"X","email":"x@example.com","role":"rep"}`, 403, ""},
		{"bad role", "POST", "/api/v1/users", s.admin, `{"name":"X","email":"x@example.com","role":"boss"}`, 422, "role"},
		{"duplicate email", "POST", "/api/v1/users", s.admin, `{"name":"X","email":"remy@example.com","role":"rep"}`, 409, ""},
		{"unknown lead", "GET", "/api/v1/leads/" + uuid.NewString(), s.admin, "", 404, ""},
		{"malformed lead id", "GET", "/api/v1/leads/not-an-id", s.admin, "", 404, ""},
		{"claim unknown lead", "POST", "/api/v1/leads/" + uuid.NewString() + "/claim", rep, "", 404, ""},
		{"bad limit", "GET", "/api/v1/leads?limit=0", s.admin, "", 422, "limit"},
		{"bad status filter", "GET", "/api/v1/leads?status=lost", s.admin, "", 422, "status"},
		{"bad cursor", "GET", "/api/v1/leads?cursor=zzz", s.admin, "", 422, "cursor"},
		{"bad date", "GET", "/api/v1/leads?created_from=yesterday", s.admin, "", 422, "created_from"},
		{"unknown route", "GET", "/api/v1/nothing", s.admin, "", 404, ""},
		{"bad follow-up type", "POST", "/api/v1/leads/" + uuid.NewString() + "/follow-ups", rep, `{"type":"fax","content":"x"}`, 422, "type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.do(c.method, c.path, c.token, c.body)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			p := r.problem(t)
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
	s := newStack(t)
	s.expect(s.do("GET", "/healthz", "", ""), 200)
	if home := s.expect(s.do("GET", "/", "", ""), 200); !bytes.Contains(home.body, []byte("openapi.json")) {
		t.Fatalf("home page: %s", home.body)
	}
	var ready struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	s.expect(s.do("GET", "/readyz", "", ""), 200).json(t, &ready)
	if ready.Checks["postgres"] != "ok" || ready.Checks["temporal"] != "ok" {
		t.Fatalf("readyz: %+v", ready)
	}
	// PostgreSQL down: 503 naming it, without the error's text.
	closed := testenv.Store(t)
	closed.Close()
	down := *s
	down.app = server.New(server.Config{Store: closed, Temporal: s.tc})
	r0 := down.expect(down.do("GET", "/readyz", "", ""), 503)
	r0.json(t, &ready)
	if ready.Checks["postgres"] != "unavailable" || ready.Checks["temporal"] != "ok" || bytes.Contains(r0.body, []byte("closed")) {
		t.Fatalf("readyz with PostgreSQL down: %s", r0.body)
	}
	r := s.expect(s.do("GET", "/api/v1/openapi.json", "", ""), 200)
	var doc map[string]any
	r.json(t, &doc)
	if doc["openapi"] != "3.0.3" {
		t.Fatalf("openapi: %v", doc["openapi"])
	}
	m := s.expect(s.do("GET", "/metrics", "", ""), 200)
	if !bytes.Contains(m.body, []byte("leadflow_http_requests_total")) {
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

func writeHistory(t testing.TB, tc client.Client, workflowID, path string) {
	t.Helper()
	it := tc.GetWorkflowHistory(context.Background(), workflowID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var h historypb.History
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, e)
	}
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(&h)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d events to %s", len(h.Events), path)
}

// TestTokenRotationAndExpiry: a user rotates their own token (the old one
// stops working), may make it expire, and sees when it was last used.
func TestTokenRotationAndExpiry(t *testing.T) {
	s := newStack(t)
	_, old := s.createRep("Tom", 5)
	var me lead.User
	s.expect(s.do("GET", "/api/v1/me", old, ""), 200).json(t, &me)
	if me.TokenUsedAt == nil {
		t.Fatalf("no last-used time: %+v", me)
	}
	var rotated struct {
		lead.User
		Token string
	}
	s.expect(s.do("POST", "/api/v1/me/token", old, `{"expires_in":"1h"}`), 200).json(t, &rotated)
	if rotated.Token == "" || rotated.Token == old || rotated.TokenExpiresAt == nil || time.Until(*rotated.TokenExpiresAt) > time.Hour {
		t.Fatalf("rotated: %+v", rotated)
	}
	s.expect(s.do("GET", "/api/v1/me", old, ""), 401)
	s.expect(s.do("GET", "/api/v1/me", rotated.Token, ""), 200)
	fieldProblem(t, s.do("POST", "/api/v1/me/token", rotated.Token, `{"expires_in":"0s"}`), "expires_in")
	// An expired token is refused.
	var short struct{ Token string }
	s.expect(s.do("POST", "/api/v1/me/token", rotated.Token, `{"expires_in":"1s"}`), 200).json(t, &short)
	s.waitFor(10*time.Second, "the token to expire", func() bool { return s.do("GET", "/api/v1/me", short.Token, "").status == 401 })
}
