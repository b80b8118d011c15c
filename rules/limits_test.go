package rules

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/expr-lang/expr"

	"github.com/leadflow/leadflow/lead"
)

// maxGrowth is the most a runaway rule may allocate, in all, before it is
// stopped: the assertion is about memory, never about time.
const maxGrowth = 64 << 20

// allocated runs f and returns how many bytes were allocated meanwhile.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// company is 100 characters, more than most but within the input limits.
var company = strings.Repeat("Acme Trading ", 8)[:100]

func TestRunawayRules(t *testing.T) {
	arrayLiteral := "len([" + strings.Repeat("1,", 1500) + "1]) > 0"
	cases := []struct {
		name, when string
		compile    string // the compile error, or "" when the rule compiles
		run        string // the run-time error when it compiles
	}{
		{"string doubling", `reduce(1..29, #acc + #acc, "x") != ""`, "", "memory budget exceeded"},
		{"string doubling, longer", `reduce(1..60, #acc + #acc, "x") != ""`, "", "memory budget exceeded"},
		{"doubling without a loop", `let a = lead.company + lead.company; let b = a + a; let c = b + b; let d = c + c; let e = d + d; let f = e + e; let g = f + f; let h = g + g; let i = h + h; let j = i + i; let k = j + j; let l = k + k; let m = l + l; len(m + m) > 0`, "", "memory budget exceeded"},
		{"concatenation in a loop", `len(reduce(1..50000, #acc + lead.company, "")) > 0`, "", "memory budget exceeded"},
		{"strings kept by map", `len(map(1..50000, lead.company + "x")) > 0`, "", "memory budget exceeded"},
		{"upper in a loop", `len(map(1..50000, upper(lead.company))) > 0`, "", "memory budget exceeded"},
		{"repeat", `len(repeat(lead.company, 1000000)) > 0`, "", "memory budget exceeded"},
		{"repeat of repeat", `len(repeat(repeat("ab", 1000), 1000)) > 0`, "", "memory budget exceeded"},
		{"repeat in a loop", `len(map(1..10000, repeat(lead.company, 100))) > 0`, "", "memory budget exceeded"},
		{"replace growth", `len(replace(repeat("a", 1000), "", repeat("b", 2000))) > 0`, "", "memory budget exceeded"},
		{"join growth", `len(join(map(1..50000, lead.company), lead.company)) > 0`, "", "memory budget exceeded"},
		{"split in a loop", `len(map(1..50000, split(lead.company, ""))) > 0`, "", "memory budget exceeded"},
		{"keys in a loop", `let g = groupBy(1..30000, #); len(map(1..30000, keys(g))) > 0`, "", "memory budget exceeded"},
		{"matches on a huge text", `let s = repeat("a", 1000000); s matches "` + strings.Repeat("(a|b)", 20) + `x"`, "", "too much work"},
		{"matches with a huge pattern", `lead.company matches repeat("(a|b)", 1000)`, "", "pattern of matches is longer"},
		{"string of a list", `len(string(1..50000)) > 0`, "", "string() takes"},
		{"range of a billion", `len(1..1000000000) > 0`, "too large", ""},
		{"predicate over a billion", `any(1..1000000000, # == 5)`, "too large", ""},
		{"float range", `len(1..1e9) > 0`, "mismatched types", ""},
		{"dynamic range", `len(1..(int(lead.custom.size) * 1000000)) > 0`, "", "memory budget exceeded"},
		{"nested map over big ranges", `len(map(1..50000, map(1..50000, #))) > 0`, "", "memory budget exceeded"},
		{"nested map over a reused range", `let r = 1..1000; len(map(r, map(r, # + 1))) > 0`, "", "memory budget exceeded"},
		{"nested sums over a reused range", `let r = 1..1000; sum(r, sum(r, # % 7)) > 0`, "", "step budget exceeded"},
		{"three nested loops", `let r = 1..1000; all(r, all(r, all(r, # > 0)))`, "", "step budget exceeded"},
		{"huge array literal", arrayLiteral, "", ""}, // refused: see below
		{"toJSON", `toJSON(lead) != ""`, "toJSON is not available", ""},
		{"concat", `len(concat(1..10, 1..10)) > 0`, "concat is not available", ""},
		{"flatten", `len(flatten(map(1..30000, 1..30000))) > 0`, "flatten is not available", ""},
		{"uniq", `len(uniq(lead.tags)) > 0`, "uniq is not available", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := body(t, Body{Rules: []Rule{
				{Name: "runaway", When: c.when, Message: "runaway"},
				{Name: "small", When: `len(map(1..1000, # * 2)) == 1000`, Message: "small"},
			}})
			s, err := Compile(KindValidation, 1, []byte(src))
			_, exprErr := CompileExpr(c.when)
			if c.name == "huge array literal" {
				var ce CompileErrors
				if !errors.As(err, &ce) || exprErr == nil || len(c.when) <= MaxExpressionLength && !strings.Contains(ce[0].Message, "nodes") {
					t.Fatalf("not refused: %v", err)
				}
				return
			}
			if c.compile != "" {
				var ce CompileErrors
				if !errors.As(err, &ce) || len(ce) != 1 || !strings.Contains(ce[0].Message, c.compile) || ce[0].Rule != "runaway" || ce[0].Line < 1 || ce[0].Column < 1 {
					t.Fatalf("want compile error %q, got %v", c.compile, err)
				}
				if exprErr == nil || !strings.Contains(exprErr.Error(), c.compile) {
					t.Fatalf("CompileExpr: want %q, got %v", c.compile, exprErr)
				}
				return
			}
			if err != nil || exprErr != nil {
				t.Fatalf("does not compile: %v / %v", err, exprErr)
			}
			env := envFor(lead.Lead{Contact: lead.Contact{Company: company}, Custom: map[string]any{"size": 120}}, Facts{})
			var out Outcome
			grew := allocated(func() { out = s.EvaluateWithin(env, time.Hour) })
			if len(out.Errors) != 1 || !strings.HasPrefix(out.Errors[0], "runaway: ") || !strings.Contains(out.Errors[0], c.run) {
				t.Errorf("errors %q, want %q", out.Errors, c.run)
			}
			if !slices.Equal(out.Reasons, []string{"small"}) {
				t.Errorf("a failed rule decides nothing, the next still runs: %q", out.Reasons)
			}
			if grew > maxGrowth {
				t.Errorf("allocated %d MB", grew>>20)
			}
			e, _ := CompileExpr(c.when)
			// A generous clock, as above: a busy machine must not reach the time budget first.
			grew = allocated(func() { _, err = newEvaluation(env, time.Hour).run(e.program) })
			if err == nil || !strings.Contains(err.Error(), c.run) {
				t.Errorf("Eval: %v, want %q", err, c.run)
			}
			if grew > maxGrowth {
				t.Errorf("Eval allocated %d MB", grew>>20)
			}
			if err != nil {
				t.Logf("stopped after %d kB: %s", grew>>10, strings.SplitN(err.Error(), "\n", 2)[0])
			}
		})
	}
}

// TestDeadlineStopsTheLoop makes the deadline pass in the middle of a loop
// and checks that the loop stops within clockEvery steps, in the caller's
// goroutine: nothing goes on running once the caller has its answer.
func TestDeadlineStopsTheLoop(t *testing.T) {
	for _, when := range []string{
		`all(1..50000, !hasTag("x"))`,
		`let r = 1..200; all(r, all(r, !hasTag("x")))`,
		`reduce(1..50000, hasTag("x") ? #acc : #acc + 1, 0) > 0`,
	} {
		s := mustCompile(t, KindValidation, body(t, Body{Rules: []Rule{
			{Name: "loop", When: when, Message: "m"},
			{Name: "next", When: `true`, Message: "never evaluated"},
		}}))
		goroutines := runtime.NumGoroutine()
		ev := newEvaluation(envFor(lead.Lead{}, Facts{}), time.Hour)
		calls := 0
		ev.env.HasTag = func(string) bool {
			calls++
			if calls == 100 {
				ev.meter.deadline = time.Now().Add(-time.Second) // the budget is spent
			}
			return false
		}
		out := s.evaluate(ev)
		if !ev.meter.expired || calls < 100 || calls > 100+clockEvery {
			t.Errorf("%s: %d calls, expired %v", when, calls, ev.meter.expired)
		}
		if !strings.Contains(out.Errors[0], "evaluation took longer than 1h0m0s") || len(out.Errors) != 2 || out.Rejected {
			t.Errorf("%s: %+v", when, out)
		}
		if n := runtime.NumGoroutine(); n > goroutines {
			t.Errorf("%s: %d goroutines before, %d after", when, goroutines, n)
		}
	}

	// Out of time, a set decides nothing, and Eval says so.
	s := mustCompile(t, KindValidation, `{"rules":[{"name":"a","when":"true","message":"m"}]}`)
	out := s.EvaluateWithin(envFor(lead.Lead{}, Facts{}), 0)
	if out.Rejected || len(out.Errors) != 1 || out.Errors[0] != "evaluation took longer than 0s" || len(out.Trace) != 0 {
		t.Errorf("no budget: %+v", out)
	}
}

// TestConversionValueIsBounded: a mapped value is written out as JSON, so
// one that shares its parts is refused before anything walks it in full.
func TestConversionValueIsBounded(t *testing.T) {
	s := mustCompile(t, KindConversion, body(t, Body{Mapping: map[string]string{
		"customer.name":  "lead.company",
		"customer.blob":  "reduce(1..60, [#acc, #acc], 0)",
		"customer.lead":  "lead",
		"order.amount":   "lead.custom.amount",
		"order.big_text": `repeat("x", 1000000)`,
	}}))
	var out Outcome
	grew := allocated(func() {
		out = s.Evaluate(envFor(lead.Lead{Contact: lead.Contact{Company: company}, Custom: map[string]any{"amount": 5.0}}, Facts{}))
	})
	if len(out.Errors) != 1 || !strings.HasPrefix(out.Errors[0], "customer.blob: memory budget exceeded") || grew > maxGrowth {
		t.Fatalf("errors %q, %d MB", out.Errors, grew>>20)
	}
	if out.Customer["name"] != company || out.Order["amount"] != 5.0 || len(out.Order["big_text"].(string)) != 1000000 || out.Customer["lead"] == nil {
		t.Fatalf("the other values are mapped: %+v %+v", out.Customer, out.Order)
	}
	// The values of one evaluation count together.
	s = mustCompile(t, KindConversion, body(t, Body{Mapping: map[string]string{
		"customer.a": `repeat("x", 600000)`,
		"customer.b": `repeat("y", 600000)`,
	}}))
	out = s.Evaluate(envFor(lead.Lead{}, Facts{}))
	if len(out.Errors) != 1 || !strings.HasPrefix(out.Errors[0], "customer.b: memory budget exceeded") || out.Customer["a"] == nil {
		t.Fatalf("two values of 600 kB: %q", out.Errors)
	}
}

func TestPoolExpressionsHaveTheSameLimits(t *testing.T) {
	e, err := CompileExpr(`reduce(1..29, #acc + #acc, "x") != ""`)
	if err != nil {
		t.Fatal(err)
	}
	var st TraceStep
	grew := allocated(func() { st, err = e.Eval(envFor(lead.Lead{}, Facts{})) })
	if err == nil || !strings.Contains(st.Error, "memory budget exceeded") || st.Matched || grew > maxGrowth {
		t.Fatalf("claim_when: %+v, %v, %d MB", st, err, grew>>20)
	}
	if _, err := e.Eval(nil); err == nil {
		t.Fatal("nil env evaluated")
	}
	for _, src := range []string{`any(1..1000000000, # == rep.held)`, `toJSON(rep) != ""`, `Env.lead.id == ""`, `Meter == nil`} {
		if _, err := CompileExpr(src); err == nil {
			t.Errorf("%s compiled", src)
		}
	}
}

// TestOrdinaryRulesEvaluateTheSame compares expressions that use the metered
// operations with plain expr on the same environment.
func TestOrdinaryRulesEvaluateTheSame(t *testing.T) {
	l := lead.Lead{Contact: lead.Contact{Company: "Shenzhen Tengda Electronics", Phone: "138 0013 8000", Country: "CN"}, Source: "web",
		Tags: []string{"vip", "trade-show"}, Custom: map[string]any{"size": 120, "note": "a,b,c", "list": []any{"x", "y"}},
		CreatedAt: testNow.Add(-time.Hour),
	}
	for _, src := range []string{
		`lead.country + ":" + lead.source`,
		`"a" + "b" + lead.country`,
		`lead.custom.size + 1`,
		`lead.custom.note + "!"`,
		`1 + 2 * 3`,
		`2.5 + lead.custom.size`,
		`lead.created_at + duration("1h")`,
		`upper(lead.company) + lower(lead.country)`,
		`join(lead.tags, ",")`,
		`join(lead.custom.list)`,
		`replace(lead.phone, " ", "")`,
		`replace(lead.phone, " ", "", 1)`,
		`split(lead.custom.note, ",")`,
		`splitAfter(lead.custom.note, ",", 2)`,
		`len(keys(lead.custom))`,
		`len(values(lead.custom))`,
		`string(lead.custom.size) + string(true)`,
		`repeat("ab", 3)`,
		`reduce(lead.tags, #acc + #, "")`,
		`map(lead.tags, upper(#) + "!")`,
		`filter(1..20, # % 3 == 0)`,
		`sum(1..100)`,
		`count(lead.tags, len(#) > 3)`,
		`5 in 1..1000000000`,
		`lead.country in ["CN", "HK"] && hasTag("vip")`,
		`daysSince(lead.created_at) < 1`,
		`lead.company matches "^Shenzhen" && !(lead.company matches "(?i)acme")`,
		`lead.custom.note matches lead.custom.note`,
		`lead.custom.missing matches "x"`,
		`filter(lead.tags, # matches "^v")`,
	} {
		p, _, ce := compileExpr(src, false)
		if ce != nil {
			t.Errorf("%s: %v", src, ce.Message)
			continue
		}
		got, err := newEvaluation(envFor(l, Facts{}), time.Hour).run(p)
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		plain, err := expr.Compile(src, expr.Env(Env{}))
		if err != nil {
			t.Fatalf("%s: plain expr: %v", src, err)
		}
		want, err := expr.Run(plain, envFor(l, Facts{}))
		if err != nil {
			t.Fatalf("%s: plain expr: %v", src, err)
		}
		if !reflect.DeepEqual(got, want) && fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s = %#v, plain expr %#v", src, got, want)
		}
	}
}
