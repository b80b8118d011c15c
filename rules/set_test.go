package rules

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/lead"
)

// testNow is the fixed "now" of every evaluation in these tests.
var testNow = time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)

func mustCompile(t testing.TB, kind Kind, body string) *Set {
	t.Helper()
	s, err := Compile(kind, 7, []byte(body))
	if err != nil {
		t.Fatalf("compile %s: %v", kind, err)
	}
	if s.Kind() != kind || s.Version() != 7 {
		t.Fatalf("compiled set is %s v%d, want %s v7", s.Kind(), s.Version(), kind)
	}
	return s
}

// compileErrors compiles body and returns its compile errors, failing the
// test when it compiles.
func compileErrors(t testing.TB, kind Kind, body string) CompileErrors {
	t.Helper()
	s, err := Compile(kind, 1, []byte(body))
	var ce CompileErrors
	if !errors.As(err, &ce) || len(ce) == 0 {
		t.Fatalf("%s %s: want compile errors, got set %v, err %v", kind, body, s != nil, err)
	}
	if s != nil {
		t.Fatalf("%s: a set is returned together with errors", kind)
	}
	return ce
}

// hasError reports whether errs has an error on field whose message contains msg.
func hasError(errs CompileErrors, field, msg string) bool {
	for _, e := range errs {
		if e.Field == field && strings.Contains(e.Message, msg) {
			return true
		}
	}
	return false
}

func envFor(l lead.Lead, f Facts) *Env { return NewEnv(NewLeadEnv(l), f, testNow) }

// body marshals v as a rule-set body, so expressions need no hand escaping.
func body(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func traceRules(tr []TraceStep) []string {
	names := make([]string, len(tr))
	for i, st := range tr {
		names[i] = st.Rule
	}
	return names
}

func TestValidationRejectionsInOrder(t *testing.T) {
	s := mustCompile(t, KindValidation, body(t, Body{Rules: []Rule{
		{Name: "cn", When: `lead.country == "CN"`, Message: "first"},
		{Name: "never", When: `false`, Message: "second"},
		{Name: "spam", When: `hasTag("spam")`, Message: "third"},
		{Name: "short", When: `len(lead.company) < 3`, Message: "fourth"},
	}}))
	cases := []struct {
		name    string
		l       lead.Lead
		reasons []string
	}{
		{"none", lead.Lead{Contact: lead.Contact{Company: "Acme Trading", Country: "DE"}}, nil},
		{"one", lead.Lead{Contact: lead.Contact{Company: "Acme Trading", Country: "DE"}, Tags: []string{"SPAM"}}, []string{"third"}},
		{"three in rule order", lead.Lead{Contact: lead.Contact{Company: "Ac", Country: "CN"}, Tags: []string{"spam"}}, []string{"first", "third", "fourth"}},
	}
	for _, c := range cases {
		out := s.Evaluate(envFor(c.l, Facts{}))
		if !slices.Equal(out.Reasons, c.reasons) || out.Rejected != (len(c.reasons) > 0) || len(out.Errors) != 0 {
			t.Errorf("%s: rejected %v reasons %q errors %q, want reasons %q", c.name, out.Rejected, out.Reasons, out.Errors, c.reasons)
		}
		if got := traceRules(out.Trace); !slices.Equal(got, []string{"cn", "never", "spam", "short"}) {
			t.Errorf("%s: every validation rule is traced in order, got %q", c.name, got)
		}
		if out.Kind != KindValidation || out.Version != 7 {
			t.Errorf("%s: outcome of %s v%d", c.name, out.Kind, out.Version)
		}
	}
}

func TestValidationWhenMustBeBoolean(t *testing.T) {
	for _, when := range []string{`len(lead.company)`, `lead.tags`, `daysSince(lead.created_at)`, `lead.company + "x"`} {
		errs := compileErrors(t, KindValidation, body(t, Body{Rules: []Rule{
			{Name: "ok", When: "true", Message: "m"},
			{Name: "nb", When: when, Message: "m"},
		}}))
		if len(errs) != 1 || errs[0].Rule != "nb" || errs[0].Field != "rules[1].when" || !strings.Contains(errs[0].Message, "bool") {
			t.Errorf("%s: %+v", when, errs)
		}
	}
	// A custom field is untyped: it compiles, and a non-boolean value is a
	// run-time error, never a silent rejection.
	s := mustCompile(t, KindValidation, `{"rules":[{"name":"flag","when":"lead.custom.flag","message":"m"}]}`)
	out := s.Evaluate(envFor(lead.Lead{Custom: map[string]any{"flag": 5}}, Facts{}))
	if out.Rejected || len(out.Errors) != 1 || !strings.HasPrefix(out.Errors[0], "flag: ") || out.Trace[0].Error == "" {
		t.Errorf("non-boolean custom flag: %+v", out)
	}
	out = s.Evaluate(envFor(lead.Lead{Custom: map[string]any{"flag": true}}, Facts{}))
	if !out.Rejected || len(out.Errors) != 0 {
		t.Errorf("boolean custom flag: %+v", out)
	}
}

func TestRouting(t *testing.T) {
	s := mustCompile(t, KindRouting, body(t, Body{DefaultPoolID: "pool-default", Rules: []Rule{
		{Name: "germany", When: `lead.country == "DE"`, PoolID: "pool-de"},
		{Name: "web", When: `lead.source == "web"`, PoolID: "pool-web"},
		{Name: "web-again", When: `lead.source == "web" || lead.country == "CN"`, PoolID: "pool-de"},
		{Name: "invited", When: `lead.source == "invite"`, To: InviterTarget},
	}}))
	if got := s.PoolIDs(); !slices.Equal(got, []string{"pool-de", "pool-web", "pool-default"}) {
		t.Errorf("PoolIDs %q: each referenced pool once, the inviter is no pool", got)
	}
	cases := []struct {
		name      string
		l         lead.Lead
		rule      string
		pool      string
		toInviter bool
		trace     []string
	}{
		{"first of two matches wins", lead.Lead{Contact: lead.Contact{Country: "CN"}, Source: "web"}, "web", "pool-web", false, []string{"germany", "web"}},
		{"first rule", lead.Lead{Contact: lead.Contact{Country: "DE"}, Source: "web"}, "germany", "pool-de", false, []string{"germany"}},
		{"later rule", lead.Lead{Contact: lead.Contact{Country: "CN"}, Source: "manual"}, "web-again", "pool-de", false, []string{"germany", "web", "web-again"}},
		{"inviter", lead.Lead{Contact: lead.Contact{Country: "US"}, Source: "invite"}, "invited", "", true, []string{"germany", "web", "web-again", "invited"}},
		{"default", lead.Lead{Contact: lead.Contact{Country: "US"}, Source: "manual"}, "", "pool-default", false, []string{"germany", "web", "web-again", "invited"}},
	}
	for _, c := range cases {
		out := s.Evaluate(envFor(c.l, Facts{}))
		if out.Rule != c.rule || out.PoolID != c.pool || out.ToInviter != c.toInviter || len(out.Errors) != 0 {
			t.Errorf("%s: rule %q pool %q inviter %v errors %q", c.name, out.Rule, out.PoolID, out.ToInviter, out.Errors)
		}
		if got := traceRules(out.Trace); !slices.Equal(got, c.trace) {
			t.Errorf("%s: trace %q, want %q", c.name, got, c.trace)
		}
		for i, st := range out.Trace {
			if st.Matched != (i == len(out.Trace)-1 && c.rule != "") {
				t.Errorf("%s: step %d matched %v", c.name, i, st.Matched)
			}
		}
	}
}

func TestRoutingCompileErrors(t *testing.T) {
	cases := []struct {
		name, body, field, msg string
	}{
		{"missing default", `{"rules":[{"name":"a","when":"true","pool_id":"p"}]}`, "default_pool_id", "pool"},
		{"pool and inviter", `{"rules":[{"name":"a","when":"true","pool_id":"p","to":"inviter"}],"default_pool_id":"d"}`, "rules[0].pool_id", "either"},
		{"neither pool nor inviter", `{"rules":[{"name":"a","when":"true"}],"default_pool_id":"d"}`, "rules[0].pool_id", "either"},
		{"unknown target", `{"rules":[{"name":"a","when":"true","to":"manager"}],"default_pool_id":"d"}`, "rules[0].to", "inviter"},
		{"points", `{"rules":[{"name":"a","when":"true","pool_id":"p","points":3}],"default_pool_id":"d"}`, "rules[0].name", "only"},
		{"message", `{"rules":[{"name":"a","when":"true","pool_id":"p","message":"m"}],"default_pool_id":"d"}`, "rules[0].name", "only"},
		{"bad when", `{"rules":[{"name":"a","when":"lead.pool","pool_id":"p"}],"default_pool_id":"d"}`, "rules[0].when", ""},
	}
	for _, c := range cases {
		errs := compileErrors(t, KindRouting, c.body)
		if !hasError(errs, c.field, c.msg) {
			t.Errorf("%s: want an error on %s containing %q, got %+v", c.name, c.field, c.msg, errs)
		}
	}
}

func TestScoring(t *testing.T) {
	s := mustCompile(t, KindScoring, body(t, Body{Rules: []Rule{
		{Name: "cn", When: `lead.country == "CN"`, Points: 10},
		{Name: "vip", When: `hasTag("vip")`, Points: 25},
		{Name: "big", When: `lead.custom.size > 100`, Points: 5},
		{Name: "burst", When: `ipCompanies("10m") >= 3`, Points: -40},
	}}))
	cases := []struct {
		name  string
		l     lead.Lead
		facts Facts
		score int
	}{
		{"none", lead.Lead{Contact: lead.Contact{Country: "DE"}, Custom: map[string]any{"size": 1}}, Facts{}, 0},
		{"one", lead.Lead{Contact: lead.Contact{Country: "CN"}, Custom: map[string]any{"size": 1}}, Facts{}, 10},
		{"three add up", lead.Lead{Contact: lead.Contact{Country: "CN"}, Tags: []string{"VIP"}, Custom: map[string]any{"size": 500}}, Facts{}, 40},
		{"negative points", lead.Lead{Contact: lead.Contact{Country: "CN"}, IP: "10.0.0.1", Custom: map[string]any{"size": 1}}, Facts{IPCompanies: map[string]int{"10m": 3}}, -30},
		{"all", lead.Lead{Contact: lead.Contact{Country: "CN"}, Tags: []string{"vip"}, IP: "10.0.0.1", Custom: map[string]any{"size": 101}}, Facts{IPCompanies: map[string]int{"10m": 9}}, 0},
	}
	for _, c := range cases {
		out := s.Evaluate(envFor(c.l, c.facts))
		if out.Score != c.score || len(out.Trace) != 4 || len(out.Errors) != 0 {
			t.Errorf("%s: score %d (want %d), trace %d steps, errors %q", c.name, out.Score, c.score, len(out.Trace), out.Errors)
		}
	}
	errs := compileErrors(t, KindScoring, `{"rules":[{"name":"a","when":"true","points":1},{"name":"zero","when":"true","points":0}]}`)
	if len(errs) != 1 || errs[0].Rule != "zero" || errs[0].Field != "rules[1].points" {
		t.Errorf("zero points: %+v", errs)
	}
	errs = compileErrors(t, KindScoring, `{"rules":[{"name":"a","when":"true","points":1,"pool_id":"p"}]}`)
	if !hasError(errs, "rules[0].name", "only") {
		t.Errorf("pool_id in scoring: %+v", errs)
	}
}

func TestAutoAccept(t *testing.T) {
	s := mustCompile(t, KindAutoAccept, body(t, Body{
		Groups: [][]string{
			{`lead.country == "CN"`, `hasTag("vip")`},
			{`lead.source == "invite"`},
		},
		IgnoredCompanies: []string{"ACME Trading Co., Ltd.", "  "},
	}))
	cases := []struct {
		name            string
		l               lead.Lead
		accept, ignored bool
		trace           []string
	}{
		{"first group", lead.Lead{Contact: lead.Contact{Company: "Beta Labs", Country: "CN"}, Tags: []string{"VIP"}}, true, false,
			[]string{"group 1, condition 1", "group 1, condition 2"}},
		{"first group fails on its 2nd condition, second matches", lead.Lead{Contact: lead.Contact{Company: "Beta Labs", Country: "CN"}, Source: "invite"}, true, false,
			[]string{"group 1, condition 1", "group 1, condition 2", "group 2, condition 1"}},
		{"AND stops at the first false condition", lead.Lead{Contact: lead.Contact{Company: "Beta Labs", Country: "DE"}, Tags: []string{"vip"}, Source: "invite"}, true, false,
			[]string{"group 1, condition 1", "group 2, condition 1"}},
		{"none match", lead.Lead{Contact: lead.Contact{Company: "Beta Labs", Country: "CN"}, Source: "web"}, false, false,
			[]string{"group 1, condition 1", "group 1, condition 2", "group 2, condition 1"}},
		{"ignored although a group matches", lead.Lead{Contact: lead.Contact{Company: "Acme Trading", Country: "CN"}, Tags: []string{"vip"}, Source: "invite"}, false, true,
			[]string{"ignored_companies"}},
		{"ignored in another spelling", lead.Lead{Contact: lead.Contact{Company: "acme  trading limited"}, Source: "invite"}, false, true,
			[]string{"ignored_companies"}},
		{"a longer name is not ignored", lead.Lead{Contact: lead.Contact{Company: "Acme Trading Europe"}, Source: "invite"}, true, false,
			[]string{"group 1, condition 1", "group 2, condition 1"}},
		{"a blank ignore entry ignores no blank company", lead.Lead{Contact: lead.Contact{Company: ""}, Source: "invite"}, true, false,
			[]string{"group 1, condition 1", "group 2, condition 1"}},
	}
	for _, c := range cases {
		out := s.Evaluate(envFor(c.l, Facts{}))
		if out.Accept != c.accept || out.Ignored != c.ignored || len(out.Errors) != 0 {
			t.Errorf("%s: accept %v ignored %v errors %q, want accept %v ignored %v", c.name, out.Accept, out.Ignored, out.Errors, c.accept, c.ignored)
		}
		if got := traceRules(out.Trace); !slices.Equal(got, c.trace) {
			t.Errorf("%s: trace %q, want %q", c.name, got, c.trace)
		}
	}

	cases2 := []struct {
		name, body, field string
	}{
		{"empty group", `{"groups":[["true"],[]]}`, "groups[1]"},
		{"bad condition", `{"groups":[["true","lead.company"]]}`, "groups[0][1]"},
	}
	for _, c := range cases2 {
		if errs := compileErrors(t, KindAutoAccept, c.body); !hasError(errs, c.field, "") {
			t.Errorf("%s: want an error on %s, got %+v", c.name, c.field, errs)
		}
	}

	// No groups at all accepts nothing (the pools' own flags decide), but
	// the ignore list still applies.
	s = mustCompile(t, KindAutoAccept, `{"ignored_companies":["Acme Trading Ltd"]}`)
	for _, company := range []string{"Beta Labs", "ACME trading co."} {
		out := s.Evaluate(envFor(lead.Lead{Contact: lead.Contact{Company: company}, Source: "invite"}, Facts{}))
		if out.Accept || out.Ignored != (company != "Beta Labs") || len(out.Errors) != 0 {
			t.Errorf("no groups, %s: %+v", company, out)
		}
	}
}

func TestConversion(t *testing.T) {
	s := mustCompile(t, KindConversion, body(t, Body{Mapping: map[string]string{
		"customer.name":    "lead.company",
		"customer.size":    "lead.custom.size",
		"customer.country": `lead.country ?? "unknown"`,
		"order.amount":     "lead.custom.amount",
		"order.total":      "lead.custom.amount * 2",
	}}))
	out := s.Evaluate(envFor(lead.Lead{Contact: lead.Contact{Company: "Acme Trading", Country: "CN"}, Custom: map[string]any{"size": 12, "amount": 99.5}}, Facts{}))
	wantCustomer := map[string]any{"name": "Acme Trading", "size": 12, "country": "CN"}
	wantOrder := map[string]any{"amount": 99.5, "total": 199.0}
	if !reflect.DeepEqual(out.Customer, wantCustomer) || !reflect.DeepEqual(out.Order, wantOrder) || len(out.Errors) != 0 {
		t.Errorf("customer %v order %v errors %q", out.Customer, out.Order, out.Errors)
	}
	if got := traceRules(out.Trace); !slices.Equal(got, []string{"customer.country", "customer.name", "customer.size", "order.amount", "order.total"}) {
		t.Errorf("trace in key order: %q", got)
	}

	// A run-time error in one mapping is reported; the others are still mapped.
	s = mustCompile(t, KindConversion, body(t, Body{Mapping: map[string]string{
		"customer.age":  "int(lead.custom.missing) + 1", // first in key order
		"customer.name": "lead.company",
		"order.amount":  "lead.custom.amount",
	}}))
	out = s.Evaluate(envFor(lead.Lead{Contact: lead.Contact{Company: "Acme Trading"}, Custom: map[string]any{"amount": 10}}, Facts{}))
	if len(out.Errors) != 1 || !strings.HasPrefix(out.Errors[0], "customer.age: ") {
		t.Errorf("errors %q", out.Errors)
	}
	if !reflect.DeepEqual(out.Customer, map[string]any{"name": "Acme Trading"}) || !reflect.DeepEqual(out.Order, map[string]any{"amount": 10}) {
		t.Errorf("customer %v order %v", out.Customer, out.Order)
	}
	if len(out.Trace) != 3 {
		t.Errorf("trace %+v", out.Trace)
	}
	for _, st := range out.Trace {
		if st.Matched != (st.Rule != "customer.age") || (st.Error != "") != (st.Rule == "customer.age") {
			t.Errorf("trace step %+v", st)
		}
	}

	for _, key := range []string{"lead.name", "customer", "customer.", "order", "invoice.total", ".name"} {
		errs := compileErrors(t, KindConversion, body(t, Body{Mapping: map[string]string{key: "lead.company", "customer.ok": "lead.name"}}))
		if len(errs) != 1 || errs[0].Rule != key || errs[0].Field != "mapping."+key {
			t.Errorf("key %q: %+v", key, errs)
		}
	}
	if errs := compileErrors(t, KindConversion, `{"mapping":{"customer.name":"lead.nope"}}`); !hasError(errs, "mapping.customer.name", "nope") {
		t.Errorf("bad mapping expression: %+v", errs)
	}
	if errs := compileErrors(t, KindConversion, `{"mapping":{}}`); !hasError(errs, "mapping", "") {
		t.Errorf("empty mapping: %+v", errs)
	}
}

func TestFieldsOfAnotherKindRefused(t *testing.T) {
	cases := []struct {
		kind        Kind
		body, field string
	}{
		{KindValidation, `{"rules":[{"name":"a","when":"true","message":"m"}],"mapping":{"customer.name":"lead.company"}}`, "mapping"},
		{KindValidation, `{"rules":[{"name":"a","when":"true","message":"m"}],"default_pool_id":"p"}`, "default_pool_id"},
		{KindValidation, `{"rules":[{"name":"a","when":"true","message":"m","pool_id":"p"}]}`, "rules[0].name"},
		{KindRouting, `{"rules":[{"name":"a","when":"true","pool_id":"p"}],"default_pool_id":"d","groups":[["true"]]}`, "groups"},
		{KindRouting, `{"rules":[{"name":"a","when":"true","pool_id":"p"}],"default_pool_id":"d","ignored_companies":["x"]}`, "groups"},
		{KindScoring, `{"rules":[{"name":"a","when":"true","points":1}],"default_pool_id":"d"}`, "default_pool_id"},
		{KindAutoAccept, `{"groups":[["true"]],"rules":[{"name":"a","when":"true"}]}`, "rules"},
		{KindConversion, `{"mapping":{"customer.name":"lead.company"},"ignored_companies":["x"]}`, "groups"},
		{KindConversion, `{"mapping":{"customer.name":"lead.company"},"rules":[{"name":"a","when":"true"}]}`, "rules"},
	}
	for _, c := range cases {
		if errs := compileErrors(t, c.kind, c.body); !hasError(errs, c.field, "") {
			t.Errorf("%s %s: want an error on %s, got %+v", c.kind, c.body, c.field, errs)
		}
	}
	// A field no kind knows is refused too.
	if errs := compileErrors(t, KindValidation, `{"rules":[],"rulez":[]}`); errs[0].Field != "body" {
		t.Errorf("unknown field: %+v", errs)
	}
	if errs := compileErrors(t, Kind("nope"), `{}`); errs[0].Field != "kind" {
		t.Errorf("unknown kind: %+v", errs)
	}
}

func TestCompileErrorPositions(t *testing.T) {
	long := strings.Repeat("true && ", MaxExpressionLength/8) + "true"
	cases := []struct {
		name, when   string
		line, column int // 0: any column from 1
		msg          string
	}{
		{"error on line 2", "lead.country == \"CN\" &&\n  lead.nope == 1", 2, 8, "nope"},
		{"error on line 3", "true &&\n true &&\n\tnobody", 3, 2, "unknown name nobody"},
		{"unknown variable", "nobody > 1", 1, 1, "unknown name nobody"},
		{"unknown function", `lead.country == "CN" && isSpam(lead.company)`, 1, 25, "isSpam"},
		{"syntax", `lead.company == "x" )`, 1, 21, "unexpected token"},
		{"unfinished", `lead.company ==`, 1, 0, "unexpected token EOF"},
		{"window on line 2", "true &&\n  ipCompanies(lead.ip) > 1", 2, 3, "constant string"},
		{"too long", long, 1, 1, "longer than 4000"},
		{"empty", "  ", 1, 1, "empty"},
	}
	for _, c := range cases {
		errs := compileErrors(t, KindValidation, body(t, Body{Rules: []Rule{
			{Name: "fine", When: "true", Message: "m"},
			{Name: "broken", When: c.when, Message: "m"},
		}}))
		e := errs[0]
		if len(errs) != 1 || e.Rule != "broken" || e.Field != "rules[1].when" || e.Line != c.line || !strings.Contains(e.Message, c.msg) {
			t.Errorf("%s: %+v", c.name, errs)
			continue
		}
		if c.column != 0 && e.Column != c.column || e.Column < 1 {
			t.Errorf("%s: column %d, want %d", c.name, e.Column, c.column)
		}
		if strings.Contains(e.Message, "\n") {
			t.Errorf("%s: the message carries a snippet: %q", c.name, e.Message)
		}
	}
	if len(long) <= MaxExpressionLength {
		t.Fatal("the long expression is not long")
	}
	if _, err := CompileExpr(strings.Repeat(" ", MaxExpressionLength-4) + "true"); err != nil {
		t.Errorf("an expression of exactly MaxExpressionLength: %v", err)
	}

	// Every error is reported at once, in rule order.
	errs := compileErrors(t, KindValidation, `{"rules":[
		{"name":"a","when":"nope","message":"m"},
		{"name":"b","when":"true","message":"m"},
		{"name":"c","when":"true"},
		{"name":"","when":"true","message":"m"},
		{"name":"a","when":"true","message":"m"}]}`)
	got := make([]string, len(errs))
	for i, e := range errs {
		got[i] = e.Field
	}
	if want := []string{"rules[0].when", "rules[2].message", "rules[3].name", "rules[4].name"}; !slices.Equal(got, want) {
		t.Errorf("fields %q, want %q (%v)", got, want, errs)
	}
	if !strings.Contains(errs.Error(), "a (rules[0].when) 1:1: unknown name nope") {
		t.Errorf("Error(): %s", errs.Error())
	}

	// A body that does not decode is placed where the decoder stopped.
	for bad, col := range map[string]int{`{"rules":[`: 11, `[]`: 1, `{"rules":{}}`: 10, ``: 1, `{"rules":[{"name":"a","when":true,"message":"m"}]}`: 33} {
		errs := compileErrors(t, KindValidation, bad)
		if len(errs) != 1 || errs[0].Field != "body" || !strings.HasPrefix(errs[0].Message, "invalid JSON") || errs[0].Line != 1 || errs[0].Column != col {
			t.Errorf("%q: %+v, want column %d", bad, errs, col)
		}
	}
}

func TestIPCompaniesFacts(t *testing.T) {
	s := mustCompile(t, KindValidation, body(t, Body{Rules: []Rule{
		{Name: "burst", When: `ipCompanies("10m") >= 2`, Message: "burst"},
		{Name: "day", When: `ipCompanies("1h") > 5 || ipCompanies("10m") > 9`, Message: "hour"},
		{Name: "plain", When: `lead.country == "CN"`, Message: "cn"},
	}}))
	want := []FactNeed{
		{Name: "ipCompanies", Window: "10m", Span: 10 * time.Minute},
		{Name: "ipCompanies", Window: "1h", Span: time.Hour},
	}
	if got := s.Facts(); !slices.Equal(got, want) {
		t.Errorf("facts %+v, want %+v", got, want)
	}
	cases := []struct {
		name    string
		ip      string
		facts   map[string]int
		reasons []string
	}{
		{"below", "10.0.0.1", map[string]int{"10m": 1, "1h": 5}, nil},
		{"10m window", "10.0.0.1", map[string]int{"10m": 2, "1h": 2}, []string{"burst"}},
		{"1h window", "10.0.0.1", map[string]int{"10m": 0, "1h": 6}, []string{"hour"}},
		{"both", "10.0.0.1", map[string]int{"10m": 10}, []string{"burst", "hour"}},
		{"no ip counts zero", "", map[string]int{"10m": 10, "1h": 10}, nil},
	}
	for _, c := range cases {
		out := s.Evaluate(envFor(lead.Lead{IP: c.ip, Contact: lead.Contact{Country: "DE"}}, Facts{IPCompanies: c.facts}))
		if !slices.Equal(out.Reasons, c.reasons) || len(out.Errors) != 0 {
			t.Errorf("%s: reasons %q errors %q, want %q", c.name, out.Reasons, out.Errors, c.reasons)
		}
	}

	e, err := CompileExpr(`ipCompanies("1d12h") < 3`)
	if err != nil {
		t.Fatal(err)
	}
	if f := e.Facts(); len(f) != 1 || f[0].Window != "1d12h" || f[0].Span != 36*time.Hour {
		t.Errorf("expression facts %+v", f)
	}

	for _, when := range []string{
		`ipCompanies(lead.ip) > 1`,
		`ipCompanies("10" + lead.country) > 1`,
		`let w = "10m"; ipCompanies(w) > 1`,
		`ipCompanies("soon") > 1`,
		`ipCompanies("0s") > 1`,
		`ipCompanies("32d") > 1`,
		`lead.country == "CN" && ipCompanies("-5m") > 1`,
	} {
		errs := compileErrors(t, KindValidation, body(t, Body{Rules: []Rule{{Name: "w", When: when, Message: "m"}}}))
		if len(errs) != 1 || errs[0].Field != "rules[0].when" || !strings.Contains(errs[0].Message, "ipCompanies") && !strings.Contains(errs[0].Message, "window") {
			t.Errorf("%s: %+v", when, errs)
		}
	}
}

func TestFunctions(t *testing.T) {
	created := testNow.Add(-72 * time.Hour)
	l := lead.Lead{Contact: lead.Contact{Company: "ACME Trading Co., Ltd.", Phone: "13800138000", Country: "CN"}, Tags: []string{"VIP", "trade-show"}, CreatedAt: created}
	cases := []struct {
		name, src string
		l         lead.Lead
		want      bool
	}{
		{"hasTag is case-insensitive", `hasTag("vip") && hasTag("Trade-Show")`, l, true},
		{"hasTag missing", `hasTag("spam")`, l, false},
		{"hasTag without tags", `hasTag("vip")`, lead.Lead{}, false},
		{"daysSince", `daysSince(lead.created_at) == 3`, l, true},
		{"daysSince fractional", `daysSince(lead.created_at) == 0.25`, lead.Lead{CreatedAt: testNow.Add(-6 * time.Hour)}, true},
		{"hoursSince", `hoursSince(lead.created_at) == 72`, l, true},
		{"since a zero time is very long", `daysSince(lead.created_at) > 36500`, lead.Lead{}, true},
		{"phoneValid", `phoneValid(lead.phone, lead.country)`, l, true},
		{"phoneValid wrong country", `phoneValid(lead.phone, "US")`, l, false},
		{"phoneValid short", `phoneValid("123", "CN")`, l, false},
		{"normalizeCompany", `normalizeCompany(lead.company) == "acme trading"`, l, true},
		{"normalizeCompany cjk", `normalizeCompany("腾达电子有限公司") == "腾达电子"`, l, true},
		{"now", `now.Year() == 2025`, l, true},
	}
	for _, c := range cases {
		e, err := CompileExpr(c.src)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		st, err := e.Eval(envFor(c.l, Facts{}))
		if err != nil || st.Matched != c.want || st.Value != c.want || st.When != c.src {
			t.Errorf("%s: %+v %v, want %v", c.name, st, err, c.want)
		}
	}

	// claim_when and reclaim_exempt_when see rep and pool.
	claim, err := CompileExpr(`rep.active && rep.held < rep.capacity && pool.scope == "country" && pool.country == lead.country`)
	if err != nil {
		t.Fatal(err)
	}
	reps := []struct {
		name      string
		rep       RepEnv
		pool      PoolEnv
		claimable bool
	}{
		{"room left", RepEnv{Active: true, Held: 3, Capacity: 5}, PoolEnv{Scope: "country", Country: "CN"}, true},
		{"full", RepEnv{Active: true, Held: 5, Capacity: 5}, PoolEnv{Scope: "country", Country: "CN"}, false},
		{"inactive", RepEnv{Held: 0, Capacity: 5}, PoolEnv{Scope: "country", Country: "CN"}, false},
		{"team pool", RepEnv{Active: true, Held: 0, Capacity: 5}, PoolEnv{Scope: "team", Country: "CN"}, false},
		{"other country", RepEnv{Active: true, Held: 0, Capacity: 5}, PoolEnv{Scope: "country", Country: "DE"}, false},
	}
	for _, c := range reps {
		env := envFor(l, Facts{})
		env.Rep, env.Pool = c.rep, c.pool
		st, err := claim.Eval(env)
		if err != nil || st.Matched != c.claimable {
			t.Errorf("%s: %+v %v", c.name, st, err)
		}
	}
	if _, err := CompileExpr(`rep.capacity - rep.held`); err == nil {
		t.Error("a non-boolean claim_when compiled")
	}
	var ce CompileErrors
	if _, err := CompileExpr(`rep.nope > 1`); !errors.As(err, &ce) || len(ce) != 1 || ce[0].Line != 1 || ce[0].Column != 5 {
		t.Errorf("unknown rep field: %v", err)
	}
}

func TestMemoryBudget(t *testing.T) {
	huge := []string{
		`len(map(1..100000, # * 2)) > 0`,
		`len(map(1..60000, # * 2)) > 0`,
		`sum(1..200, len(map(1..1000, #))) > 0`,
		`len(repeat("x", 2000000)) > 0`,
	}
	for _, when := range huge {
		s := mustCompile(t, KindValidation, body(t, Body{Rules: []Rule{
			{Name: "huge", When: when, Message: "huge"},
			{Name: "small", When: `len(map(1..1000, # * 2)) == 1000`, Message: "small"},
		}}))
		var out Outcome
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panic %v", when, r)
				}
			}()
			// A generous clock: on a busy machine the default time budget may end the
			// evaluation first, and this test is about the memory budget.
			out = s.EvaluateWithin(envFor(lead.Lead{}, Facts{}), time.Minute)
		}()
		if len(out.Errors) != 1 || !strings.HasPrefix(out.Errors[0], "huge: ") || !strings.Contains(out.Errors[0], "memory budget") {
			t.Errorf("%s: errors %q", when, out.Errors)
		}
		if !slices.Equal(out.Reasons, []string{"small"}) {
			t.Errorf("%s: a failed rule decides nothing, the next still runs: %q", when, out.Reasons)
		}
		e, err := CompileExpr(when)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := newEvaluation(envFor(lead.Lead{}, Facts{}), time.Minute).run(e.program); err == nil || !strings.Contains(err.Error(), "memory budget") {
			t.Errorf("%s: Eval: %v", when, err)
		}
	}
}

func TestTimeBudget(t *testing.T) {
	// normalizeCompany on a ~130 kB name a few times: milliseconds, no memory budget.
	s := mustCompile(t, KindValidation, `{"rules":[{"name":"slow","when":"any(1..5, normalizeCompany(lead.company) == \"x\")","message":"m"}]}`)
	env := envFor(lead.Lead{Contact: lead.Contact{Company: strings.Repeat("Acme Trading ", 10000)}}, Facts{})
	start := time.Now()
	out := s.EvaluateWithin(env, time.Nanosecond)
	took := time.Since(start)
	if len(out.Errors) != 1 || !strings.Contains(out.Errors[0], "longer than 1ns") || out.Rejected || out.Trace == nil || len(out.Trace) != 0 {
		t.Errorf("%+v", out)
	}
	if out.Kind != KindValidation || out.Version != 7 {
		t.Errorf("timed-out outcome of %s v%d", out.Kind, out.Version)
	}
	full := s.EvaluateWithin(env, time.Minute)
	if len(full.Errors) != 0 || len(full.Trace) != 1 || full.Trace[0].Value != false {
		t.Errorf("within a generous budget: %+v", full)
	}
	t.Logf("timed out after %v; the full evaluation takes %v", took, time.Since(start)-took)
}

func TestPanicInFunctionIsAnError(t *testing.T) {
	s := mustCompile(t, KindValidation, `{"rules":[
		{"name":"tag","when":"hasTag(\"spam\")","message":"spam"},
		{"name":"phone","when":"!phoneValid(lead.phone, lead.country)","message":"phone"}]}`)
	env := envFor(lead.Lead{Contact: lead.Contact{Phone: "123", Country: "CN"}}, Facts{})
	env.HasTag = func(string) bool { panic("boom") }
	out := s.Evaluate(env)
	if len(out.Errors) != 1 || !strings.HasPrefix(out.Errors[0], "tag: ") || !strings.Contains(out.Errors[0], "boom") || out.Trace[0].Error == "" {
		t.Errorf("panicking function: %+v", out)
	}
	if !slices.Equal(out.Reasons, []string{"phone"}) {
		t.Errorf("the other rule still decides: %q", out.Reasons)
	}

	// An environment built without NewEnv has nil functions.
	out = s.Evaluate(&Env{Lead: NewLeadEnv(lead.Lead{Contact: lead.Contact{Phone: "123"}})})
	if len(out.Errors) != 2 || out.Rejected {
		t.Errorf("nil functions: %+v", out)
	}
	e, err := CompileExpr(`lead.custom.a.b == 1`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Eval(envFor(lead.Lead{}, Facts{})); err == nil {
		t.Error("fetching from a missing custom map succeeded")
	}
}

func TestConcurrentEvaluate(t *testing.T) {
	s := mustCompile(t, KindScoring, `{"rules":[{"name":"cn","when":"lead.country == \"CN\"","points":3},{"name":"vip","when":"hasTag(\"vip\")","points":4}]}`)
	done := make(chan int)
	for i := range 8 {
		go func() {
			l := lead.Lead{Contact: lead.Contact{Country: "CN"}}
			if i%2 == 0 {
				l.Tags = []string{"vip"}
			}
			sum := 0
			for range 50 {
				sum += s.Evaluate(envFor(l, Facts{})).Score
			}
			done <- sum
		}()
	}
	total := 0
	for range 8 {
		total += <-done
	}
	if total != 4*50*3+4*50*7 {
		t.Errorf("total score %d", total)
	}
}

func TestValidationFormFields(t *testing.T) {
	s := mustCompile(t, KindValidation, body(t, Body{Rules: []Rule{
		{Name: "short", When: `len(lead.company) < 5`, Message: "company name too short", Field: "company"},
		{Name: "fraud", When: `hasTag("bot")`, Message: "looks automated"},
	}}))
	out := s.Evaluate(envFor(lead.Lead{Contact: lead.Contact{Company: "Ac"}, Tags: []string{"bot"}}, Facts{}))
	if len(out.Reasons) != 2 || len(out.Fields) != 1 || out.Fields[0] != (lead.FieldError{Field: "company", Reason: "company name too short"}) {
		t.Fatalf("fields %+v reasons %q", out.Fields, out.Reasons)
	}
	errs := compileErrors(t, KindValidation, `{"rules":[{"name":"x","when":"true","message":"m","field":"owner_id"}]}`)
	if !hasError(errs, "rules[0].field", "must be one of") {
		t.Fatalf("errors: %v", errs)
	}
	errs = compileErrors(t, KindScoring, `{"rules":[{"name":"x","when":"true","points":1,"field":"company"}]}`)
	if len(errs) != 1 {
		t.Fatalf("errors: %v", errs)
	}
}
