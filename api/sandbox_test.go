package api_test

import (
	"strings"
	"testing"
)

// TestRuleSandbox is issue 13 through the API: a draft that doubles a
// string is stopped by the memory budget and decides nothing; a rule or a
// pool expression that cannot be bounded is refused at save.
func TestRuleSandbox(t *testing.T) {
	s := newStack(t)
	var out struct {
		Rejected bool     `json:"rejected"`
		Errors   []string `json:"errors"`
	}
	s.expect(s.do("POST", "/api/v1/rules/validation/test", s.admin,
		`{"lead":{"company":"Acme Trading","phone":"13800138000","country":"CN"},
		  "rules":{"rules":[{"name":"double","when":"reduce(1..29, #acc + #acc, \"x\") != \"\"","message":"m"}]}}`), 200).json(t, &out)
	if out.Rejected || len(out.Errors) != 1 || !strings.Contains(out.Errors[0], "memory budget exceeded") {
		t.Fatalf("draft test: %+v", out)
	}
	p := s.expect(s.do("PUT", "/api/v1/rules/validation", s.admin,
		`{"rules":[{"name":"big","when":"any(1..1000000000, # == 5)","message":"m"}]}`), 422).problem(t)
	if len(p.CompileErrors) != 1 || !strings.Contains(p.CompileErrors[0].Message, "too large") {
		t.Fatalf("huge range: %+v", p.CompileErrors)
	}
	p = s.expect(s.do("POST", "/api/v1/pools", s.admin, `{"name":"B","scope":"global","policy":{"claim_when":"toJSON(rep) != \"\""}}`), 422).problem(t)
	if len(p.CompileErrors) != 1 || !strings.Contains(p.CompileErrors[0].Message, "toJSON is not available") {
		t.Fatalf("claim_when: %+v", p)
	}
}
