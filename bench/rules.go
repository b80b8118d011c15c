package bench

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/rules"
)

// benchRules evaluates a 50-rule validation set on a typical web lead with
// testing.Benchmark: the three default rules and 47 that do not reject it,
// so all 50 run.
func benchRules(o Options) []Row {
	set, err := rules.Compile(rules.KindValidation, 1, validation50())
	if err != nil {
		return []Row{{"rules: 50-rule validation set", "compile: " + err.Error(), o.command("rules")}}
	}
	l := lead.Lead{ID: "lead-1", Company: "Shenzhen Tengda Electronics Co., Ltd.", Name: "Li Wei",
		Phone: "13800138000", Email: "li.wei@tengda.example", Country: "CN", Source: "web", Channel: "google",
		Tags: []string{"trade-show", "electronics"}, Custom: map[string]any{"size": 120},
		IP: "203.0.113.7", CreatedAt: time.Now().Add(-2 * time.Hour)}
	facts := rules.Facts{IPCompanies: map[string]int{"10m": 1, "1h": 2}}
	var out rules.Outcome
	r := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out = set.Evaluate(rules.NewEnv(rules.NewLeadEnv(l), facts, time.Now()))
		}
	})
	figure := fmt.Sprintf("%d ns/op, %d allocs/op, %d B/op", r.NsPerOp(), r.AllocsPerOp(), r.AllocedBytesPerOp())
	if out.Rejected || len(out.Errors) > 0 {
		figure += fmt.Sprintf(" (not the intended path: rejected %v, errors %v)", out.Rejected, out.Errors)
	}
	return []Row{{"rules: 50-rule validation set, one lead (env + evaluate)", figure, o.command("rules")}}
}

// validation50 is the body of the three default validation rules and 47
// more that do not reject a CN web lead.
func validation50() []byte {
	type rule struct {
		Name    string `json:"name"`
		When    string `json:"when"`
		Message string `json:"message"`
	}
	rs := []rule{
		{"phone_invalid", `!phoneValid(lead.phone, lead.country)`, "phone number is not valid for its country"},
		{"company_too_short", `len(trim(lead.company)) <= 4`, "company name must be longer than 4 characters"},
		{"ip_fraud", `ipCompanies("10m") >= 2`, "3 or more registrations from one IP"},
	}
	for i := 3; i < 50; i++ {
		var when string
		switch i % 5 {
		case 0:
			when = fmt.Sprintf(`lead.country == "Q%c" && lead.source == "web"`, 'A'+i%26)
		case 1:
			when = fmt.Sprintf(`hasTag("blocked-%d")`, i)
		case 2:
			when = fmt.Sprintf(`len(lead.company) > %d`, 200+i)
		case 3:
			when = fmt.Sprintf(`lead.custom.size > %d`, 10000+i)
		case 4:
			when = fmt.Sprintf(`ipCompanies("1h") >= %d && lead.source != "import"`, 10+i)
		}
		rs = append(rs, rule{fmt.Sprintf("v%02d", i), when, fmt.Sprintf("rejected by rule %d", i)})
	}
	b, _ := json.Marshal(map[string]any{"rules": rs})
	return b
}
