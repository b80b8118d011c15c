package api_test

import (
	"strings"
	"testing"

	"github.com/leadflow/leadflow/internal/apptest"
)

// TestRuleSandbox is issue 13 through the API: a draft that doubles a
// string is stopped by the memory budget and decides nothing; a rule or a
// pool expression that cannot be bounded is refused at save.
func TestRuleSandbox(t *testing.T) {
	s := apptest.NewStack(t)
	var out struct {
		Rejected bool     `json:"rejected"`
		Errors   []string `json:"errors"`
	}
	s.Expect(s.Do("POST", "/api/v1/rules/validation/test", s.Admin,
		`{"lead":{"company":"Acme Trading","phone":"13800138000","country":"CN"},
		  "rules":{"rules":[{"name":"double","when":"reduce(1..29, #acc + #acc, \"x\") != \"\"","message":"m"}]}}`), 200).JSON(t, &out)
	if out.Rejected || len(out.Errors) != 1 || !strings.Contains(out.Errors[0], "memory budget exceeded") {
		t.Fatalf("draft test: %+v", out)
	}
	p := s.Expect(s.Do("PUT", "/api/v1/rules/validation", s.Admin,
		`{"rules":[{"name":"big","when":"any(1..1000000000, # == 5)","message":"m"}]}`), 422).Problem(t)
	if len(p.CompileErrors) != 1 || !strings.Contains(p.CompileErrors[0].Message, "too large") {
		t.Fatalf("huge range: %+v", p.CompileErrors)
	}
	p = s.Expect(s.Do("POST", "/api/v1/pools", s.Admin, `{"name":"B","scope":"global","policy":{"claim_when":"toJSON(rep) != \"\""}}`), 422).Problem(t)
	if len(p.CompileErrors) != 1 || !strings.Contains(p.CompileErrors[0].Message, "toJSON is not available") {
		t.Fatalf("claim_when: %+v", p)
	}
}
