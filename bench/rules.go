package bench

import (
	"fmt"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/benchdata"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/rules"
)

// benchRules evaluates a 50-rule validation set on a typical web lead with
// testing.Benchmark: the three default rules and 47 that do not reject it,
// so all 50 run.
func benchRules(o Options) []Row {
	set, err := rules.Compile(rules.KindValidation, 1, benchdata.Validation50())
	if err != nil {
		return []Row{{"rules: 50-rule validation set", "compile: " + err.Error(), o.command("rules")}}
	}
	l := lead.Lead{ID: "lead-1", Contact: lead.Contact{Company: "Shenzhen Tengda Electronics Co., Ltd.", Name: "Li Wei",
		Phone: "13800138000", Email: "li.wei@tengda.example", Country: "CN", Channel: "google"}, Source: "web",
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
