package rules

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/lead"
)

const defaults = `{"rules":[
 {"name":"phone_invalid","when":"!phoneValid(lead.phone, lead.country)","message":"phone number is not valid for its country"},
 {"name":"company_too_short","when":"len(trim(lead.company)) <= 4","message":"company name must be longer than 4 characters"},
 {"name":"ip_fraud","when":"ipCompanies(\"10m\") >= 2","message":"3 or more registrations from one IP with different company info within 10 minutes"}
]}`

func TestValidationDefaults(t *testing.T) {
	v, err := Compile(KindValidation, 1, []byte(defaults))
	if err != nil {
		t.Fatal(err)
	}
	if f := v.Facts(); len(f) != 1 || f[0].Name != "ipCompanies" || f[0].Span != 10*time.Minute {
		t.Fatalf("facts: %+v", f)
	}
	now := time.Now()
	cases := []struct {
		name    string
		l       lead.Lead
		facts   Facts
		reasons int
	}{
		{"good", lead.Lead{Contact: lead.Contact{Company: "Acme Trading", Phone: "13800138000", Country: "CN"}}, Facts{}, 0},
		{"bad phone", lead.Lead{Contact: lead.Contact{Company: "Acme Trading", Phone: "123", Country: "CN"}}, Facts{}, 1},
		{"short company", lead.Lead{Contact: lead.Contact{Company: "Acme", Phone: "13800138000", Country: "CN"}}, Facts{}, 1},
		{"short cjk company", lead.Lead{Contact: lead.Contact{Company: "腾达电子", Phone: "13800138000", Country: "CN"}}, Facts{}, 1},
		{"fraud ip", lead.Lead{Contact: lead.Contact{Company: "Acme Trading", Phone: "13800138000", Country: "CN"}, IP: "10.0.0.1"}, Facts{IPCompanies: map[string]int{"10m": 2}}, 1},
		{"ip without counter", lead.Lead{Contact: lead.Contact{Company: "Acme Trading", Phone: "13800138000", Country: "CN"}, IP: "10.0.0.1"}, Facts{IPCompanies: map[string]int{"10m": 1}}, 0},
		{"all bad", lead.Lead{Contact: lead.Contact{Company: "A", Phone: "1", Country: "CN"}, IP: "10.0.0.1"}, Facts{IPCompanies: map[string]int{"10m": 5}}, 3},
	}
	for _, c := range cases {
		out := v.Evaluate(NewEnv(NewLeadEnv(c.l), c.facts, now))
		if len(out.Reasons) != c.reasons || out.Rejected != (c.reasons > 0) || len(out.Trace) != 3 || len(out.Errors) != 0 {
			t.Errorf("%s: %+v", c.name, out)
		}
		if out.Version != 1 {
			t.Errorf("%s: version %d", c.name, out.Version)
		}
	}
}

func TestValidationCompileErrors(t *testing.T) {
	cases := map[string]string{
		"not boolean":   `{"rules":[{"name":"a","when":"lead.company","message":"m"}]}`,
		"unknown field": `{"rules":[{"name":"a","when":"lead.nope == 1","message":"m"}]}`,
		"syntax":        `{"rules":[{"name":"a","when":"lead.company ==","message":"m"}]}`,
		"window var":    `{"rules":[{"name":"a","when":"ipCompanies(lead.company) > 1","message":"m"}]}`,
		"bad window":    `{"rules":[{"name":"a","when":"ipCompanies(\"soon\") > 1","message":"m"}]}`,
		"no message":    `{"rules":[{"name":"a","when":"true"}]}`,
		"dup name":      `{"rules":[{"name":"a","when":"true","message":"m"},{"name":"a","when":"true","message":"m"}]}`,
		"bad json":      `{"rules":[`,
	}
	for name, body := range cases {
		_, err := Compile(KindValidation, 2, []byte(body))
		var ce CompileErrors
		if !errors.As(err, &ce) || len(ce) == 0 {
			t.Errorf("%s: want compile errors, got %v", name, err)
			continue
		}
		if ce[0].Line < 1 || ce[0].Column < 1 || ce[0].Message == "" {
			t.Errorf("%s: incomplete position: %+v", name, ce[0])
		}
	}
	_, err := Compile(KindValidation, 2, []byte(`{"rules":[{"name":"a","when":"true &&\n  lead.nope","message":"m"}]}`))
	var ce CompileErrors
	if !errors.As(err, &ce) || ce[0].Line != 2 || ce[0].Rule != "a" || ce[0].Field != "rules[0].when" {
		t.Fatalf("want line 2 of rule a, got %+v", err)
	}
}

func TestRuntimeErrorDoesNotReject(t *testing.T) {
	v, err := Compile(KindValidation, 3, []byte(`{"rules":[{"name":"div","when":"1 / len(lead.tags) > int(lead.custom.x)","message":"m"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	out := v.Evaluate(NewEnv(NewLeadEnv(lead.Lead{Contact: lead.Contact{Company: "Acme Trading"}}), Facts{}, time.Now()))
	if out.Rejected || len(out.Errors) != 1 || out.Trace[0].Error == "" {
		t.Fatalf("%+v", out)
	}
}

func TestFactsReadDirectlyAreLoadedToo(t *testing.T) {
	s, err := Compile(KindValidation, 1, []byte(`{"rules":[{"name":"a","when":"facts.ip_companies[\"15m\"] > 2","message":"m"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if f := s.Facts(); len(f) != 1 || f[0].Window != "15m" || f[0].Span != 15*time.Minute {
		t.Fatalf("facts: %+v", f)
	}
	for _, bad := range []string{
		`{"rules":[{"name":"a","when":"len(facts.ip_companies) > 0","message":"m"}]}`,
		`{"rules":[{"name":"a","when":"facts.ip_companies[lead.country] > 0","message":"m"}]}`,
		`{"rules":[{"name":"a","when":"$env.ipCompanies(\"10m\") > 2","message":"m"}]}`,
	} {
		if _, err := Compile(KindValidation, 1, []byte(bad)); err == nil {
			t.Errorf("%s compiled, but its facts cannot be prefetched", bad)
		}
	}
}

func TestBodyShapeAndLength(t *testing.T) {
	for _, bad := range []string{`{"rules":[]} {"mapping":{}}`, `null`, `[]`} {
		if _, err := Compile(KindValidation, 1, []byte(bad)); err == nil {
			t.Errorf("%s compiled", bad)
		}
	}
	// The length limit counts characters, not bytes.
	long := strings.Repeat("中", 1500)
	body := `{"rules":[{"name":"a","when":"lead.company != \"` + long + `\"","message":"m"}]}`
	if _, err := Compile(KindValidation, 1, []byte(body)); err != nil {
		t.Fatalf("1,500 characters refused: %v", err)
	}
	var nilEnv *Env
	s, _ := Compile(KindAutoAccept, 1, []byte(`{"groups":[["true"]]}`))
	if out := s.Evaluate(nilEnv); len(out.Errors) != 1 {
		t.Fatalf("nil env: %+v", out)
	}
}
