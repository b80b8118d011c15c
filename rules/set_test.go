package rules

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/lead"
)

func TestProbe(t *testing.T) {
	s, err := Compile(KindValidation, 1, []byte(`{"rules":[{"name":"a","when":"lead.custom.flag","message":"m"}]}`))
	fmt.Println(err)
	env := NewEnv(NewLeadEnv(lead.Lead{Company: strings.Repeat("Acme Trading ", 20000), Custom: map[string]any{"flag": 5}}), Facts{}, time.Now())
	fmt.Printf("%+v\n", s.Evaluate(env))
	s, err = Compile(KindValidation, 1, []byte(`{"rules":[{"name":"a","when":"any(1..20, normalizeCompany(lead.company) == \"x\")","message":"m"}]}`))
	fmt.Println(err)
	t0 := time.Now()
	fmt.Printf("%+v %v\n", s.Evaluate(env), time.Since(t0))
	t0 = time.Now()
	fmt.Printf("%+v %v\n", s.EvaluateWithin(env, time.Nanosecond), time.Since(t0))
}
