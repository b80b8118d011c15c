package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/leadflow/leadflow/api"
	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

const validationV2 = `{"rules":[
 {"name":"phone_invalid","when":"!phoneValid(lead.phone, lead.country)","message":"phone number is not valid for its country"},
 {"name":"company_too_short","when":"len(trim(lead.company)) <= 6","message":"company name must be longer than 6 characters"},
 {"name":"ip_many_companies","when":"ipCompanies(\"10m\") >= 2","message":"3 or more registrations from one IP with different company info within 10 minutes"}
]}`

// TestRuleChangeLifecycle is the rules issue's acceptance path: preview a
// stricter company-name rule, save it, see new leads judged by it with the
// version in their history, and roll back.
func TestRuleChangeLifecycle(t *testing.T) {
	s := apptest.NewStack(t)
	var mgr struct {
		Token string `json:"token"`
	}
	s.Expect(s.Do("POST", "/api/v1/users", s.Admin, `{"name":"Mia","email":"mia@example.com","role":"manager"}`), 201).JSON(t, &mgr)
	_, rep := s.CreateRep("Ravi", 5)

	for _, company := range []string{"Acmes", "Globex", "Initech Labs", "Umbrella Corporation"} {
		if l := s.CreateLead(fmt.Sprintf(`{"company":%q,"phone":"13800138000","country":"CN"}`, company)); l.Status != lead.StatusPooled {
			t.Fatalf("%s under v1: %+v", company, l)
		}
	}

	// A manager previews the draft: two of the four recent leads would have been rejected.
	var prev api.PreviewResult
	s.Expect(s.Do("POST", "/api/v1/rules/validation/preview", mgr.Token, `{"rules":`+validationV2+`}`), 200).JSON(t, &prev)
	if prev.Sample != 4 || prev.Changed != 2 || prev.RejectedBefore != 0 || prev.RejectedAfter != 2 || prev.ActiveVersion != 1 || len(prev.Examples) != 2 {
		t.Fatalf("preview: %+v", prev)
	}
	for _, e := range prev.Examples {
		if e.Company != "Acmes" && e.Company != "Globex" {
			t.Fatalf("unexpected example %+v", e)
		}
	}
	// Managers may not change rules; reps may not even read them.
	s.Expect(s.Do("PUT", "/api/v1/rules/validation", mgr.Token, validationV2), 403)
	s.Expect(s.Do("GET", "/api/v1/rules/validation", rep, ""), 403)

	var saved lead.RuleSet
	s.Expect(s.Do("PUT", "/api/v1/rules/validation", s.Admin, validationV2), 200).JSON(t, &saved)
	if saved.Version != 2 || !saved.Active {
		t.Fatalf("saved: %+v", saved)
	}
	// The next lead is judged by version 2, without a restart.
	l := s.CreateLead(`{"company":"Hooli","phone":"13800138000","country":"CN"}`)
	if l.Status != lead.StatusRejected || len(l.RejectReasons) != 1 || !strings.Contains(l.RejectReasons[0], "longer than 6") {
		t.Fatalf("lead under v2: %+v", l)
	}
	var hist struct {
		Items []lead.Event `json:"items"`
	}
	s.Expect(s.Do("GET", "/api/v1/leads/"+l.ID+"/history", s.Admin, ""), 200).JSON(t, &hist)
	last := hist.Items[len(hist.Items)-1]
	if last.Type != lead.EventRejected || last.RuleKind != "validation" || last.RuleVersion != 2 || !strings.Contains(last.Reason, "longer than 6") {
		t.Fatalf("rejection event: %+v", last)
	}
	var trace []map[string]any
	if err := json.Unmarshal(last.Trace, &trace); err != nil || len(trace) != 3 || trace[1]["rule"] != "company_too_short" || trace[1]["matched"] != true {
		t.Fatalf("trace: %s", last.Trace)
	}

	var versions struct {
		Items []lead.RuleSet `json:"items"`
	}
	s.Expect(s.Do("GET", "/api/v1/rules/validation/versions", mgr.Token, ""), 200).JSON(t, &versions)
	if len(versions.Items) != 2 || versions.Items[0].Version != 2 || !versions.Items[0].Active || versions.Items[1].Active {
		t.Fatalf("versions: %+v", versions.Items)
	}
	// Roll back to version 1: "Hooli" passes again.
	s.Expect(s.Do("POST", "/api/v1/rules/validation/versions/1/activate", s.Admin, ""), 200)
	if l := s.CreateLead(`{"company":"Hooli","phone":"13900139000","country":"CN"}`); l.Status != lead.StatusPooled {
		t.Fatalf("lead after rollback: %+v", l)
	}
	s.Expect(s.Do("POST", "/api/v1/rules/validation/versions/9/activate", s.Admin, ""), 404)
	s.Expect(s.Do("GET", "/api/v1/rules/nonsense", s.Admin, ""), 404)
}

func TestRuleCompileErrors(t *testing.T) {
	s := apptest.NewStack(t)
	r := s.Expect(s.Do("PUT", "/api/v1/rules/validation", s.Admin, `{"rules":[
		{"name":"ok","when":"lead.country == \"CN\"","message":"m"},
		{"name":"bad","when":"lead.country ==\n  lead.nope","message":"m"}]}`), 422)
	p := r.Problem(t)
	if len(p.CompileErrors) != 1 || p.CompileErrors[0].Rule != "bad" || p.CompileErrors[0].Line != 2 || p.CompileErrors[0].Field != "rules[1].when" {
		t.Fatalf("compile errors: %+v", p.CompileErrors)
	}
	if len(p.Errors) != 1 || p.Errors[0].Field != "rules[1].when" || !strings.Contains(p.Errors[0].Reason, "line 2") {
		t.Fatalf("field errors: %+v", p.Errors)
	}
	// A validation rule that is not boolean is refused.
	p = s.Expect(s.Do("PUT", "/api/v1/rules/validation", s.Admin, `{"rules":[{"name":"n","when":"lead.company","message":"m"}]}`), 422).Problem(t)
	if len(p.CompileErrors) != 1 || !strings.Contains(p.CompileErrors[0].Message, "bool") {
		t.Fatalf("non-boolean: %+v", p.CompileErrors)
	}
	// A routing rule to a pool that does not exist is refused.
	p = s.Expect(s.Do("PUT", "/api/v1/rules/routing", s.Admin, `{"rules":[{"name":"cn","when":"lead.country == \"CN\"","pool_id":"00000000-0000-0000-0000-0000000000ff"}],"default_pool_id":"`+lead.DefaultPoolID+`"}`), 422).Problem(t)
	if len(p.CompileErrors) != 1 || !strings.Contains(p.CompileErrors[0].Message, "no pool") {
		t.Fatalf("missing pool: %+v", p)
	}
	s.Expect(s.Do("PUT", "/api/v1/rules/validation", s.Admin, `{"rules":[`), 400)
	// Nothing was saved.
	var versions struct {
		Items []lead.RuleSet `json:"items"`
	}
	s.Expect(s.Do("GET", "/api/v1/rules/validation/versions", s.Admin, ""), 200).JSON(t, &versions)
	if len(versions.Items) != 1 {
		t.Fatalf("a refused rule set was stored: %+v", versions.Items)
	}
}

func TestRuleTestEndpoint(t *testing.T) {
	s := apptest.NewStack(t)
	var out struct {
		Rejected bool     `json:"rejected"`
		Reasons  []string `json:"reasons"`
		Version  int      `json:"version"`
		Trace    []struct {
			Rule    string `json:"rule"`
			Matched bool   `json:"matched"`
		} `json:"trace"`
	}
	s.Expect(s.Do("POST", "/api/v1/rules/validation/test", s.Admin,
		`{"lead":{"company":"Acme Trading","phone":"13800138000","country":"CN","ip":"203.0.113.9"},"facts":{"ip_companies":{"10m":2}}}`), 200).JSON(t, &out)
	if !out.Rejected || out.Version != 1 || len(out.Reasons) != 1 || !strings.Contains(out.Reasons[0], "same IP") && !strings.Contains(out.Reasons[0], "one IP") {
		t.Fatalf("test with facts: %+v", out)
	}
	if len(out.Trace) != 3 || !out.Trace[2].Matched || out.Trace[0].Matched {
		t.Fatalf("trace: %+v", out.Trace)
	}
	// A draft can be tested before it is saved; claim-style sets see rep and pool.
	var score struct {
		Score   int `json:"score"`
		Version int `json:"version"`
	}
	s.Expect(s.Do("POST", "/api/v1/rules/scoring/test", s.Admin,
		`{"lead":{"company":"Acme Trading","phone":"1","tags":["vip"],"custom":{"size":250}},
		  "rules":{"rules":[{"name":"vip","when":"hasTag(\"VIP\")","points":30},{"name":"big","when":"lead.custom.size > 100","points":20},{"name":"cn","when":"lead.country == \"CN\"","points":5}]}}`), 200).JSON(t, &score)
	if score.Score != 50 || score.Version != 0 {
		t.Fatalf("draft scoring: %+v", score)
	}
}

// TestRuntimeErrorGoesToReview: a rule that fails at run time neither
// rejects nor loses the lead; the lead is flagged and admins can list it.
func TestRuntimeErrorGoesToReview(t *testing.T) {
	s := apptest.NewStack(t)
	s.Expect(s.Do("PUT", "/api/v1/rules/validation", s.Admin,
		`{"rules":[{"name":"size","when":"int(lead.custom.size) > 1000","message":"too big"}]}`), 200)
	l := s.CreateLead(`{"company":"Acme Trading","phone":"13800138000","country":"CN","custom":{"size":"huge"}}`)
	if l.Status != lead.StatusPooled || len(l.ReviewReasons) != 1 || !strings.Contains(l.ReviewReasons[0], "size") {
		t.Fatalf("lead with a failing rule: %+v", l)
	}
	ok := s.CreateLead(`{"company":"Other Trading","phone":"13800138000","country":"CN","custom":{"size":5}}`)
	if len(ok.ReviewReasons) != 0 {
		t.Fatalf("lead without errors flagged: %+v", ok)
	}
	var list struct {
		Items []lead.Lead `json:"items"`
	}
	s.Expect(s.Do("GET", "/api/v1/leads?review=true", s.Admin, ""), 200).JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != l.ID {
		t.Fatalf("review list: %+v", list.Items)
	}
}
