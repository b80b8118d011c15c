package apptest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/leadflow/leadflow/api"
	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/server"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/worker"
)

// Stack is the whole service for one test: real PostgreSQL, a real
// Temporal server, the worker and the Fiber app.
type Stack struct {
	T     testing.TB
	DB    *store.DB
	TC    client.Client
	App   *fiber.App
	Admin string // token
}

// NewStack is a whole stack with its worker, on a new database and namespace.
func NewStack(t *testing.T) *Stack {
	db := testenv.Store(t)
	tc, ns := testenv.Temporal(t)
	return StackWithWorker(t, db, tc, ns)
}

// StackWithWorker starts the worker on Temporal client tc of namespace ns
// and store db, and returns the stack with its admin.
func StackWithWorker(t testing.TB, db *store.DB, tc client.Client, ns string) *Stack {
	testenv.Worker(t, worker.Config{Temporal: tc, Namespace: ns, Store: db, Webhooks: worker.Webhooks{Guard: LocalHooks}})
	return StackOn(t, db, tc, server.Config{})
}

// StackOn is the stack of an app with cfg over db and tc, whose worker the
// caller started, and an admin.
func StackOn(t testing.TB, db *store.DB, tc client.Client, cfg server.Config) *Stack {
	cfg.Store, cfg.Temporal, cfg.UpdateTimeout, cfg.MinPolicyDuration = db, tc, 20*time.Second, time.Second
	cfg.WebhookGuard = LocalHooks
	s := &Stack{T: t, DB: db, TC: tc, App: server.New(cfg)}
	token, hash := api.NewToken()
	if _, err := db.CreateUser(context.Background(), lead.User{ID: uuid.NewString(), Name: "Ada Admin", Email: "ada@example.com",
		Role: lead.RoleAdmin, Capacity: 10, DailyClaimLimit: 10, Active: true}, hash); err != nil {
		t.Fatal(err)
	}
	s.Admin = token
	return s
}

// Response is an answer of the app, read whole.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Problem is the body as a problem document, which it must be.
func (r Response) Problem(t testing.TB) api.Problem {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q, want application/problem+json; body %s", ct, r.Body)
	}
	var p api.Problem
	r.JSON(t, &p)
	return p
}

// Do sends a request with a JSON body and a bearer token (when not empty),
// and headers as name, value pairs.
func (s *Stack) Do(method, path, token, body string, headers ...string) Response {
	s.T.Helper()
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
	return s.Send(req, []byte(body))
}

// Expect fails the test unless r has status; it returns r.
func (s *Stack) Expect(r Response, status int) Response {
	s.T.Helper()
	if r.Status != status {
		s.T.Fatalf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
	return r
}

// CreateRep creates a rep through the API and returns its id and token.
func (s *Stack) CreateRep(name string, capacity int) (string, string) {
	s.T.Helper()
	var u struct {
		ID    string `json:"id"`
		Token string `json:"token"`
	}
	body := fmt.Sprintf(`{"name":%q,"email":"%s@example.com","role":"rep","capacity":%d}`, name, strings.ToLower(name), capacity)
	s.Expect(s.Do("POST", "/api/v1/users", s.Admin, body), 201).JSON(s.T, &u)
	if u.ID == "" || !strings.HasPrefix(u.Token, "lf_") {
		s.T.Fatalf("user creation returned %+v", u)
	}
	return u.ID, u.Token
}

// CreateLead creates a lead as the admin.
func (s *Stack) CreateLead(body string) lead.Lead {
	s.T.Helper()
	var l lead.Lead
	s.Expect(s.Do("POST", "/api/v1/leads", s.Admin, body), 201).JSON(s.T, &l)
	return l
}

// FieldProblem fails unless r is a 422 naming field; it returns the reason.
func FieldProblem(t *testing.T, r Response, field string) string {
	t.Helper()
	if r.Status != 422 {
		t.Fatalf("status %d, want 422 on %s; body %s", r.Status, field, r.Body)
	}
	p := r.Problem(t)
	for _, e := range p.Errors {
		if e.Field == field {
			return e.Reason
		}
	}
	t.Fatalf("want an error on %s, got %+v", field, p.Errors)
	return ""
}
