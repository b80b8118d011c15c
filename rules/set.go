package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/expr-lang/expr/vm"

	"github.com/leadflow/leadflow/lead"
)

// Body is the JSON of a rule set; which fields apply depends on the kind
// (see DESIGN.md, "Rules"):
//
//	validation  {"rules":[{"name","when","message"}]}                  a rule rejects when `when` is true
//	routing     {"rules":[{"name","when","pool_id"|"to":"inviter","require"}], "default_pool_id"}  first match wins
//	scoring     {"rules":[{"name","when","points"}]}                   the points of every match add up
//	auto_accept {"groups":[["expr","expr"],["expr"]], "ignored_companies":[...]}  AND in a group, OR across
//	conversion  {"mapping":{"customer.name":"lead.company", "order.amount":"lead.custom.amount"}}
//	registration {"groups":[["expr","expr"],["expr"]]}                 AND in a group, OR across; a match registers
//	enroll_when {"rules":[{"name","when","sequence_id"}]}              every match enrols the lead in its sequence
//
// auto_accept's ignored_companies is a deprecated alias of the global
// ignore list (/api/v1/companies/ignored), which applies to both kinds.
type Body struct {
	Rules            []Rule            `json:"rules,omitempty"`
	DefaultPoolID    string            `json:"default_pool_id,omitempty"`
	Groups           [][]string        `json:"groups,omitempty"`
	IgnoredCompanies []string          `json:"ignored_companies,omitempty"`
	Mapping          map[string]string `json:"mapping,omitempty"`
	// CRMTarget (registration) names the CRM target registered leads are pushed to.
	CRMTarget string `json:"crm_target,omitempty"`
}

// Rule is one named rule of a validation, routing or scoring set.
type Rule struct {
	Name    string `json:"name"`
	When    string `json:"when"`
	Message string `json:"message,omitempty"` // validation: why the lead is rejected
	// Field, for a validation rule, is the input field the public
	// registration form names when the rule rejects, so the customer can
	// correct it; a rule without one (a fraud check) is answered generically.
	Field  string `json:"field,omitempty"`
	PoolID string `json:"pool_id,omitempty"` // routing: the pool a match sends the lead to
	To     string `json:"to,omitempty"`      // routing: "inviter" sends it to the inviting rep
	Points int    `json:"points,omitempty"`  // scoring: points a match adds
	// Require (routing) is what the rep a matched lead is distributed to
	// must bring: {"languages": ["ja"]}, {"skills": ["erp"]}, {"regions":
	// [...]}; the lead keeps it for every later distribution.
	Require *lead.Requirement `json:"require,omitempty"`
	// SequenceID (enroll_when) is the sequence a match enrols the lead in.
	SequenceID string `json:"sequence_id,omitempty"`
}

// FormFields are the input fields a validation rule may name.
var FormFields = []string{"company", "name", "phone", "email", "country", "address", "profession", "district", "division"}

// InviterTarget is the routing target "the inviting rep's private pool".
const InviterTarget = "inviter"

// Outcome is what evaluating a rule set decided, with the trace that explains it.
type Outcome struct {
	Kind    Kind `json:"kind"`
	Version int  `json:"version"`
	// validation
	Rejected bool     `json:"rejected,omitempty"`
	Reasons  []string `json:"reasons,omitempty"`
	// Fields are the rejecting rules that name an input field.
	Fields []lead.FieldError `json:"fields,omitempty"`
	// Bursts are the rejecting rules that count registrations from the
	// lead's IP: their earlier registrations go under review.
	Bursts []lead.Burst `json:"bursts,omitempty"`
	// routing: the matched rule ("" for the default), its pool or the
	// inviter, and what it requires of the rep
	Rule      string            `json:"rule,omitempty"`
	PoolID    string            `json:"pool_id,omitempty"`
	ToInviter bool              `json:"to_inviter,omitempty"`
	Require   *lead.Requirement `json:"require,omitempty"`
	// auto_accept
	Accept bool `json:"accept,omitempty"`
	// registration: the lead is registered; Group is the matching group (1-based)
	Register bool `json:"register,omitempty"`
	Group    int  `json:"group,omitempty"`
	Ignored  bool `json:"ignored,omitempty"` // the company is on the ignore list
	// scoring
	Score int `json:"score,omitempty"`
	// enroll_when: the sequences the matching rules name, in order
	Sequences []string `json:"sequences,omitempty"`
	// conversion: the mapped fields
	Customer map[string]any `json:"customer,omitempty"`
	Order    map[string]any `json:"order,omitempty"`

	Trace []TraceStep `json:"trace"`
	// Errors are expressions that failed at run time; a decision with errors
	// needs an admin's review.
	Errors []string `json:"errors,omitempty"`
}

type compiled struct {
	name, src string
	program   *vm.Program
	rule      Rule
	// burst is the widest window of the ipCompanies counters the rule
	// calls (0: none): a refusing validation rule reports it (lead.Burst).
	burst time.Duration
}

// Set is a compiled rule set of one kind and version, safe for concurrent use.
type Set struct {
	kind    Kind
	version int
	body    Body
	rules   []compiled   // validation, routing, scoring; conversion mapping in key order
	groups  [][]compiled // auto_accept, registration
	ignored map[string]bool
	facts   []FactNeed
	poolIDs []string
	// observe, when set, hears of every evaluation (Observe).
	observe Observer
}

// Observer hears how long an evaluation of a set of kind took and whether
// an expression failed in it (or it ran out of time).
type Observer func(kind Kind, took time.Duration, failed bool)

// Observe makes o hear of every evaluation of the set. Call it before the
// set is shared (right after Compile): it is not synchronised.
func (s *Set) Observe(o Observer) { s.observe = o }

// Kind is the kind of the set.
func (s *Set) Kind() Kind { return s.kind }

// Version is the rule-set version the set was compiled from.
func (s *Set) Version() int { return s.version }

// Facts lists the facts the set needs, found by walking its compiled expressions.
func (s *Set) Facts() []FactNeed { return s.facts }

// PoolIDs lists the pools a routing set refers to, so the caller can check they exist.
func (s *Set) PoolIDs() []string { return s.poolIDs }

// Body is the set's source.
func (s *Set) Body() Body { return s.body }

// Compile parses and type-checks a rule-set body of kind. Every problem is
// reported at once, each with its rule, JSON field, line and column.
func Compile(kind Kind, version int, body []byte) (*Set, error) {
	if !kind.Valid() {
		return nil, CompileErrors{{Field: "kind", Line: 1, Column: 1, Message: fmt.Sprintf("unknown rule-set kind %q", kind)}}
	}
	var b Body
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, CompileErrors{bodyError(body, err)}
	}
	if err := dec.Decode(&struct{}{}); err != io.EOF {
		return nil, CompileErrors{{Field: "body", Line: 1, Column: 1, Message: "invalid JSON: one object expected, found more"}}
	}
	if t := bytes.TrimSpace(body); len(t) == 0 || t[0] != '{' {
		return nil, CompileErrors{{Field: "body", Line: 1, Column: 1, Message: "a rule set is a JSON object"}}
	}
	c := &setCompiler{s: &Set{kind: kind, version: version, body: b}, needs: map[string]FactNeed{}}
	switch kind {
	case KindValidation, KindRouting, KindScoring, KindEnrollWhen:
		c.rules(b)
	case KindAutoAccept, KindRegistration:
		c.groups(b)
	case KindConversion:
		c.conversion(b)
	}
	c.misplaced(b)
	if len(c.errs) > 0 {
		return nil, c.errs
	}
	for _, n := range c.needs {
		c.s.facts = append(c.s.facts, n)
	}
	slices.SortFunc(c.s.facts, func(a, b FactNeed) int { return strings.Compare(a.Name+a.Window, b.Name+b.Window) })
	return c.s, nil
}

type setCompiler struct {
	s     *Set
	errs  CompileErrors
	needs map[string]FactNeed
	last  []FactNeed // the needs of the expression compiled last
}

func (c *setCompiler) fail(rule, field, msg string) {
	c.errs = append(c.errs, CompileError{Rule: rule, Field: field, Line: 1, Column: 1, Message: msg})
}

// expr compiles one expression; asBool requires a boolean result.
func (c *setCompiler) expr(rule, field, src string, asBool bool) *vm.Program {
	p, needs, ce := compileExpr(src, asBool)
	c.last = needs
	for _, n := range needs {
		c.needs[n.Name+"/"+n.Window] = n
	}
	if ce != nil {
		ce.Rule, ce.Field = rule, field
		c.errs = append(c.errs, *ce)
		return nil
	}
	return p
}

func (c *setCompiler) rules(b Body) {
	if len(b.Rules) > MaxRules {
		c.fail("", "rules", fmt.Sprintf("at most %d rules", MaxRules))
		return
	}
	seen := map[string]bool{}
	for i, r := range b.Rules {
		at := func(f string) string { return fmt.Sprintf("rules[%d].%s", i, f) }
		switch {
		case strings.TrimSpace(r.Name) == "":
			c.fail(r.Name, at("name"), "a rule needs a name")
			continue
		case seen[r.Name]:
			c.fail(r.Name, at("name"), "duplicate rule name")
			continue
		}
		seen[r.Name] = true
		switch c.s.kind {
		case KindValidation:
			if strings.TrimSpace(r.Message) == "" {
				c.fail(r.Name, at("message"), "a validation rule needs the message shown when it rejects")
			}
			if r.PoolID != "" || r.To != "" || r.Points != 0 || r.Require != nil {
				c.fail(r.Name, at("name"), "a validation rule has only name, when, message and field")
			}
			if r.Field != "" && !slices.Contains(FormFields, r.Field) {
				c.fail(r.Name, at("field"), "field must be one of "+strings.Join(FormFields, ", "))
			}
		case KindRouting:
			switch {
			case r.To != "" && r.To != InviterTarget:
				c.fail(r.Name, at("to"), `the only target besides a pool is "inviter"`)
			case (r.PoolID == "") == (r.To == ""):
				c.fail(r.Name, at("pool_id"), `a routing rule needs either pool_id or "to": "inviter"`)
			case r.PoolID != "" && !slices.Contains(c.s.poolIDs, r.PoolID):
				c.s.poolIDs = append(c.s.poolIDs, r.PoolID)
			}
			if r.Message != "" || r.Points != 0 || r.Field != "" {
				c.fail(r.Name, at("name"), "a routing rule has only name, when, pool_id or to, and require")
			}
			if r.Require != nil {
				var f lead.Fields
				r.Require.Clean(&f, at("require."))
				for _, e := range f {
					c.fail(r.Name, e.Field, e.Reason)
				}
				if r.Require.Empty() {
					r.Require = nil
				}
			}
		case KindEnrollWhen:
			if r.SequenceID == "" {
				c.fail(r.Name, at("sequence_id"), "an enroll_when rule names the sequence a match enrols the lead in")
			}
			if r.Message != "" || r.PoolID != "" || r.To != "" || r.Field != "" || r.Points != 0 {
				c.fail(r.Name, at("name"), "an enroll_when rule has only name, when and sequence_id")
			}
		case KindScoring:
			if r.Points == 0 {
				c.fail(r.Name, at("points"), "a scoring rule needs non-zero points")
			}
			if r.Message != "" || r.PoolID != "" || r.To != "" || r.Field != "" || r.Require != nil {
				c.fail(r.Name, at("name"), "a scoring rule has only name, when and points")
			}
		}
		if p := c.expr(r.Name, at("when"), r.When, true); p != nil {
			c.s.rules = append(c.s.rules, compiled{name: r.Name, src: r.When, program: p, rule: r, burst: burstWindow(c.last)})
		}
	}
	if c.s.kind == KindRouting {
		if b.DefaultPoolID == "" {
			c.fail("", "default_pool_id", "a routing set needs the pool that takes leads no rule matches")
		} else if !slices.Contains(c.s.poolIDs, b.DefaultPoolID) {
			c.s.poolIDs = append(c.s.poolIDs, b.DefaultPoolID)
		}
	}
}

// groups compiles the groups of an auto_accept or registration set.
func (c *setCompiler) groups(b Body) {
	// No groups at all accepts (registers) nothing: for auto_accept the pools' own flags decide.
	n := 0
	for i, g := range b.Groups {
		if len(g) == 0 {
			c.fail(fmt.Sprintf("group %d", i+1), fmt.Sprintf("groups[%d]", i), "a group needs at least one condition")
			continue
		}
		var group []compiled
		for j, src := range g {
			n++
			name := fmt.Sprintf("group %d, condition %d", i+1, j+1)
			if p := c.expr(name, fmt.Sprintf("groups[%d][%d]", i, j), src, true); p != nil {
				group = append(group, compiled{name: name, src: src, program: p})
			}
		}
		c.s.groups = append(c.s.groups, group)
	}
	if n > MaxRules {
		c.fail("", "groups", fmt.Sprintf("at most %d conditions", MaxRules))
	}
	c.s.ignored = map[string]bool{}
	for _, name := range b.IgnoredCompanies {
		if k := lead.NormalizeCompany(name); k != "" {
			c.s.ignored[k] = true
		}
	}
}

func (c *setCompiler) conversion(b Body) {
	if len(b.Mapping) == 0 {
		c.fail("", "mapping", "a conversion set needs a mapping such as {\"customer.name\": \"lead.company\"}")
	}
	if len(b.Mapping) > MaxRules {
		c.fail("", "mapping", fmt.Sprintf("at most %d mapped fields", MaxRules))
	}
	keys := make([]string, 0, len(b.Mapping))
	for k := range b.Mapping {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		target, field, ok := strings.Cut(k, ".")
		if !ok || (target != "customer" && target != "order") || field == "" {
			c.fail(k, "mapping."+k, `a mapped field is "customer.<field>" or "order.<field>"`)
			continue
		}
		if p := c.expr(k, "mapping."+k, b.Mapping[k], false); p != nil {
			c.s.rules = append(c.s.rules, compiled{name: k, src: b.Mapping[k], program: p})
		}
	}
}

// misplaced refuses fields that belong to another kind, so a typo is not silently ignored.
func (c *setCompiler) misplaced(b Body) {
	k := c.s.kind
	if len(b.Rules) > 0 && k != KindValidation && k != KindRouting && k != KindScoring && k != KindEnrollWhen {
		c.fail("", "rules", fmt.Sprintf("a %s set has no rules list", k))
	}
	if b.DefaultPoolID != "" && k != KindRouting {
		c.fail("", "default_pool_id", "only a routing set has a default pool")
	}
	if len(b.Groups) > 0 && k != KindAutoAccept && k != KindRegistration {
		c.fail("", "groups", "only an auto_accept or registration set has groups")
	}
	if len(b.IgnoredCompanies) > 0 && k != KindAutoAccept {
		c.fail("", "groups", "only an auto_accept set has ignored companies (deprecated: use /api/v1/companies/ignored)")
	}
	if b.CRMTarget != "" && k != KindRegistration {
		c.fail("", "crm_target", "only a registration set names a CRM target")
	}
	for i, r := range b.Rules {
		if r.SequenceID != "" && k != KindEnrollWhen {
			c.fail(r.Name, fmt.Sprintf("rules[%d].sequence_id", i), "only an enroll_when rule names a sequence")
		}
	}
	if len(b.Mapping) > 0 && k != KindConversion {
		c.fail("", "mapping", "only a conversion set has a mapping")
	}
}
