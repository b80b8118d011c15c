package rules

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/lead"
)

// FuzzCompile: no source makes compilation or evaluation panic; a source
// is either refused with a positioned error, or compiles to a rule that
// evaluates within the limits, as a boolean rule and as a mapped value.
func FuzzCompile(f *testing.F) {
	seeds := []string{
		`!phoneValid(lead.phone, lead.country)`, `len(trim(lead.company)) <= 4`, `ipCompanies("10m") >= 2`,
		`facts.ip_companies["15m"] > 2`, `$env.lead.company == ""`, `lead.custom.size > 100 && hasTag("vip")`,
		`daysSince(lead.created_at) < 3`, `rep.held < rep.capacity && pool.scope == "team"`,
		`normalizeCompany(lead.company) in ["acme", "tengda"]`, `lead.country + ":" + lead.source == "CN:web"`,
		`reduce(1..29, #acc + #acc, "x") != ""`, `len(repeat(lead.company, 1000000)) > 0`,
		`let r = 1..1000; all(r, all(r, all(r, # > 0)))`, `any(1..1000000000, # == 5)`,
		`len(map(1..50000, map(1..50000, #))) > 0`, `toJSON(lead) != ""`, `lead.company matches "^A.*"`,
		`len(split(lead.company, "")) > 3`, `join(map(lead.tags, upper(#)), ",") != ""`, `lead.custom.a.b == 1`,
		`1 / len(lead.tags) > 0`, `sortBy(lead.tags, len(#))[0] == "a"`, `groupBy(1..10, # % 2)[0] != nil`,
		`string(lead.custom) != ""`, `keys(lead.custom)[0] == "size"`, `replace(lead.phone, "", "--") != ""`,
		`(lead.company | lower() | trimSuffix(" ltd")) == "acme"`, `now > lead.created_at`, `[1, 2, 3] | sum() > 5`,
		`lead.company matches lead.custom.note`, `repeat("a", 100000) matches "(a|b)+x"`,
	}
	for _, s := range seeds {
		f.Add(s)
	}
	env := envFor(lead.Lead{Contact: lead.Contact{Company: "Acme Trading Ltd", Phone: "13800138000", Country: "CN"}, Source: "web", IP: "10.0.0.1",
		Tags: []string{"vip", "a"}, Custom: map[string]any{"size": 120, "note": "x,y"}, CreatedAt: testNow.Add(-time.Hour),
	}, Facts{IPCompanies: map[string]int{"10m": 1, "15m": 3}})
	f.Fuzz(func(t *testing.T, src string) {
		for _, asBool := range []bool{true, false} {
			p, _, ce := compileExpr(src, asBool)
			if ce != nil {
				if ce.Line < 1 || ce.Column < 1 || ce.Message == "" {
					t.Fatalf("%q: unpositioned compile error %+v", src, ce)
				}
				continue
			}
			ev := newEvaluation(env, time.Minute)
			_, err := ev.run(p)
			if ev.meter.steps > MaxSteps+1 || ev.meter.bytes > MaxBuiltBytes {
				t.Fatalf("%q ran %d steps and built %d bytes", src, ev.meter.steps, ev.meter.bytes)
			}
			if err != nil && strings.Contains(err.Error(), "evaluation failed") {
				t.Fatalf("%q: %v", src, err)
			}
		}
		// The same source through a rule set and a pool expression.
		b, err := json.Marshal(Body{Rules: []Rule{{Name: "fuzz", When: src, Message: "m"}}})
		if err != nil {
			return
		}
		s, err := Compile(KindValidation, 1, b)
		var ces CompileErrors
		if err != nil && (!errors.As(err, &ces) || len(ces) == 0) {
			t.Fatalf("%q: %v is not a compile error", src, err)
		}
		if err == nil {
			if out := s.Evaluate(env); len(out.Trace)+len(out.Errors) == 0 {
				t.Fatalf("%q: empty outcome %+v", src, out)
			}
		}
		if e, err := CompileExpr(src); err == nil {
			_, _ = e.Eval(env)
		}
	})
}
