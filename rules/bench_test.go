package rules

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/benchdata"
	"github.com/leadflow/leadflow/lead"
)

// benchLead is a typical web registration: it passes validation, is routed
// by the 49th of 50 routing rules and matches a handful of scoring rules.
func benchLead() lead.Lead {
	return lead.Lead{
		ID: "lead-1", Contact: lead.Contact{Company: "Shenzhen Tengda Electronics Co., Ltd.", Name: "Li Wei",
			Phone: "13800138000", Email: "li.wei@tengda.example", Country: "CN", Channel: "google", Profession: "purchasing"},
		Source: "web",
		Tags:   []string{"trade-show", "electronics", "t7"},
		Custom: map[string]any{"size": 120, "amount": 5000.0, "industry": "electronics"},
		IP:     "203.0.113.7", CreatedAt: testNow.Add(-2 * time.Hour),
	}
}

var benchFacts = Facts{IPCompanies: map[string]int{"10m": 1, "1h": 2}}

// country is a made-up two-letter code for rule i ("QA", "QB"...), never CN.
func country(i int) string { return fmt.Sprintf("%c%c", 'Q'+i/26, 'A'+i%26) }

// validation50 is the three default rules and 47 more that do not reject
// benchLead (benchdata.Validation50, which leadflow bench evaluates too).
func validation50() Body {
	var b Body
	if err := json.Unmarshal(benchdata.Validation50(), &b); err != nil {
		panic(err)
	}
	return b
}

// routing50 matches benchLead at rule 48 of 50.
func routing50() Body {
	b := Body{DefaultPoolID: "pool-global"}
	for i := range 48 {
		var when string
		switch i % 4 {
		case 0:
			when = fmt.Sprintf(`lead.country == %q`, country(i))
		case 1:
			when = fmt.Sprintf(`lead.country == %q && lead.source == "web"`, country(i))
		case 2:
			when = fmt.Sprintf(`hasTag("region-%d")`, i)
		case 3:
			when = fmt.Sprintf(`lead.custom.industry == "industry-%d" && len(lead.company) > 5`, i)
		}
		b.Rules = append(b.Rules, Rule{Name: fmt.Sprintf("r%02d", i), When: when, PoolID: fmt.Sprintf("pool-%d", i%12)})
	}
	b.Rules = append(b.Rules,
		Rule{Name: "china-trade-show", When: `lead.country == "CN" && hasTag("trade-show")`, PoolID: "pool-cn"},
		Rule{Name: "invited", When: `lead.source == "invite"`, To: InviterTarget},
	)
	return b
}

// scoring50 mixes tags, custom fields, age, company length and IP facts.
func scoring50() Body {
	var b Body
	for i := range 50 {
		var when string
		points := 1 + i%7
		switch i % 6 {
		case 0:
			when = fmt.Sprintf(`hasTag("t%d")`, i%10)
		case 1:
			when = fmt.Sprintf(`lead.custom.size > %d`, i*5)
		case 2:
			when = fmt.Sprintf(`daysSince(lead.created_at) < %d`, 1+i%4)
		case 3:
			when = fmt.Sprintf(`len(lead.company) > %d`, 10+i)
		case 4:
			when = fmt.Sprintf(`ipCompanies("1h") >= %d`, 1+i%5)
			points = -points
		case 5:
			when = fmt.Sprintf(`lead.source == "web" && lead.country in [%q, "CN", %q]`, country(i), country(i+1))
		}
		if i == 49 {
			when = `phoneValid(lead.phone, "CN")`
		}
		b.Rules = append(b.Rules, Rule{Name: fmt.Sprintf("s%02d", i), When: when, Points: points})
	}
	return b
}

func benchSet(b *testing.B, kind Kind, bd Body) *Set {
	b.Helper()
	return mustCompile(b, kind, body(b, bd))
}

// checkBench makes sure the benchmarks measure the path they claim to.
func checkBench(b *testing.B, v, r, s *Set, env *Env) {
	b.Helper()
	if out := v.Evaluate(env); out.Rejected || len(out.Trace) != 50 || len(out.Errors) != 0 {
		b.Fatalf("validation: %+v", out)
	}
	if out := r.Evaluate(env); out.PoolID != "pool-cn" || len(out.Trace) != 49 || len(out.Errors) != 0 {
		b.Fatalf("routing: %+v", out)
	}
	if out := s.Evaluate(env); out.Score == 0 || len(out.Trace) != 50 || len(out.Errors) != 0 {
		b.Fatalf("scoring: %+v", out)
	}
}

func benchSets(b *testing.B) (v, r, s *Set, env *Env) {
	v = benchSet(b, KindValidation, validation50())
	r = benchSet(b, KindRouting, routing50())
	s = benchSet(b, KindScoring, scoring50())
	env = envFor(benchLead(), benchFacts)
	checkBench(b, v, r, s, env)
	return v, r, s, env
}

func BenchmarkValidation50(b *testing.B) {
	v, _, _, env := benchSets(b)
	b.ReportAllocs()
	for b.Loop() {
		v.Evaluate(env)
	}
}

func BenchmarkRouting50(b *testing.B) {
	_, r, _, env := benchSets(b)
	b.ReportAllocs()
	for b.Loop() {
		r.Evaluate(env)
	}
}

func BenchmarkScoring50(b *testing.B) {
	_, _, s, env := benchSets(b)
	b.ReportAllocs()
	for b.Loop() {
		s.Evaluate(env)
	}
}

// BenchmarkIntake is what one intake costs in rule evaluation: build the
// environment, then validate, score and route the lead.
func BenchmarkIntake(b *testing.B) {
	v, r, s, _ := benchSets(b)
	l := benchLead()
	b.ReportAllocs()
	for b.Loop() {
		env := NewEnv(NewLeadEnv(l), benchFacts, testNow)
		v.Evaluate(env)
		s.Evaluate(env)
		r.Evaluate(env)
	}
}

// BenchmarkBudgetOverhead compares Evaluate (the limits: a copy of the
// environment, a meter and the clock read before each rule) with the
// unexported evaluate it wraps, given an evaluation prepared once, on a
// one-rule set and on the 50-rule validation set.
func BenchmarkBudgetOverhead(b *testing.B) {
	v, _, _, env := benchSets(b)
	one := mustCompile(b, KindValidation, `{"rules":[{"name":"cn","when":"lead.country == \"CN\"","message":"m"}]}`)
	for _, c := range []struct {
		name string
		set  *Set
	}{{"1rule", one}, {"validation50", v}} {
		b.Run(c.name+"/Evaluate", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.set.Evaluate(env)
			}
		})
		b.Run(c.name+"/direct", func(b *testing.B) {
			ev := newEvaluation(env, time.Hour)
			b.ReportAllocs()
			for b.Loop() {
				c.set.evaluate(ev)
			}
		})
	}
}

func BenchmarkCompileValidation50(b *testing.B) {
	src := []byte(body(b, validation50()))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(KindValidation, 1, src); err != nil {
			b.Fatal(err)
		}
	}
}
