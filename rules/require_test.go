package rules

import (
	"slices"
	"testing"

	"github.com/leadflow/leadflow/lead"
)

// TestRoutingRequire: a routing rule's require travels with its match,
// cleaned (canonical language tags); rules see the rep's languages and the
// lead's (decayed) score.
func TestRoutingRequire(t *testing.T) {
	s := mustCompile(t, KindRouting, `{"rules":[
		{"name":"japanese","when":"lead.custom.language == \"ja\"","pool_id":"p-jp","require":{"languages":["JA"],"skills":[" erp "]}},
		{"name":"hot","when":"lead.score >= 50","pool_id":"p-hot"}],"default_pool_id":"d"}`)
	out := s.Evaluate(envFor(lead.Lead{Custom: map[string]any{"language": "ja"}}, Facts{}))
	if out.PoolID != "p-jp" || out.Require == nil || !slices.Equal(out.Require.Languages, []string{"ja"}) || !slices.Equal(out.Require.Skills, []string{"erp"}) {
		t.Fatalf("japanese: %+v", out)
	}
	if out = s.Evaluate(envFor(lead.Lead{Score: 60}, Facts{})); out.PoolID != "p-hot" || out.Require != nil {
		t.Fatalf("hot: %+v", out)
	}
	if out = s.Evaluate(envFor(lead.Lead{}, Facts{})); out.PoolID != "d" || out.Require != nil {
		t.Fatalf("default: %+v", out)
	}
	e, err := CompileExpr(`"ja" in rep.languages && len(rep.skills) > 0`)
	if err != nil {
		t.Fatal(err)
	}
	env := envFor(lead.Lead{}, Facts{})
	env.Rep = RepEnv{Languages: []string{"ja"}, Skills: []string{"erp"}}
	if st, err := e.Eval(env); err != nil || !st.Matched {
		t.Fatalf("rep.languages: %+v %v", st, err)
	}
}

func TestRoutingRequireErrors(t *testing.T) {
	for _, c := range []struct {
		name, kind, body, field string
	}{
		{"bad language", "routing", `{"rules":[{"name":"a","when":"true","pool_id":"p","require":{"languages":["not a tag!"]}}],"default_pool_id":"d"}`, "rules[0].require.languages"},
		{"empty skill", "routing", `{"rules":[{"name":"a","when":"true","pool_id":"p","require":{"skills":[""]}}],"default_pool_id":"d"}`, "rules[0].require.skills"},
		{"scoring", "scoring", `{"rules":[{"name":"a","when":"true","points":3,"require":{"languages":["ja"]}}]}`, "rules[0].name"},
	} {
		if errs := compileErrors(t, Kind(c.kind), c.body); !hasError(errs, c.field, "") {
			t.Errorf("%s: want an error on %s, got %+v", c.name, c.field, errs)
		}
	}
}
