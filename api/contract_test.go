package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/leadflow/leadflow/internal/apptest"
)

// recorder is a testing.TB that keeps the errors it is given.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// TestContractCatchesDrift shows that the checks of checkContract bite: an
// undocumented field, a missing required one, a wrong type, an undocumented
// status and an invalid request of a success all fail.
func TestContractCatchesDrift(t *testing.T) {
	user := `{"id":"0193f1a4-7a6e-7c43-9a37-2d4c4c1e8b01","name":"Ada","email":"ada@example.com","role":"admin","capacity":1,"daily_claim_limit":1,"active":true,"away":false,"created_at":"2026-01-02T03:04:05Z"}`
	json := http.Header{"Content-Type": {"application/json"}}
	for _, c := range []struct {
		name, method, path, reqBody string
		status                      int
		body                        string
		fails                       bool
	}{
		{"documented", "GET", "/api/v1/me", "", 200, user, false},
		{"extra field", "GET", "/api/v1/me", "", 200, strings.Replace(user, `"away":false`, `"away":false,"secret":1`, 1), true},
		{"missing field", "GET", "/api/v1/me", "", 200, strings.Replace(user, `"role":"admin",`, "", 1), true},
		{"wrong type", "GET", "/api/v1/me", "", 200, strings.Replace(user, `"capacity":1`, `"capacity":"1"`, 1), true},
		{"undocumented status", "GET", "/api/v1/me", "", 418, user, true},
		{"bad request of a success", "POST", "/api/v1/teams", `{"name":1}`, 201, `{"id":"0193f1a4-7a6e-7c43-9a37-2d4c4c1e8b01","name":"x","created_at":"2026-01-02T03:04:05Z"}`, true},
		{"bad request refused", "POST", "/api/v1/teams", `{"name":1}`, 422, `{"type":"/problems/invalid","title":"t","status":422,"code":"invalid"}`, false},
		{"unknown endpoint", "GET", "/api/v1/nope", "", 404, `{"type":"/problems/not_found","title":"t","status":404,"code":"not_found"}`, false},
	} {
		req, _ := http.NewRequest(c.method, c.path, strings.NewReader(c.reqBody))
		hdr := json
		if c.status >= 400 {
			hdr = http.Header{"Content-Type": {"application/problem+json"}}
		}
		if c.reqBody != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		r := &recorder{TB: t}
		apptest.CheckContract(r, req, []byte(c.reqBody), c.status, hdr, []byte(c.body))
		if got := len(r.errs) > 0; got != c.fails {
			t.Errorf("%s: failed %v, want %v: %v", c.name, got, c.fails, r.errs)
		}
	}
}
