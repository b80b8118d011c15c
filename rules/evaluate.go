package rules

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/expr-lang/expr/vm"

	"github.com/leadflow/leadflow/lead"
)

// Evaluate runs the set on env within DefaultTimeBudget.
func (s *Set) Evaluate(env *Env) Outcome { return s.EvaluateWithin(env, DefaultTimeBudget) }

// EvaluateWithin runs the set on env, in the calling goroutine, within the
// limits (see MaxSteps). A rule that fails at run time never panics: it is
// reported in Outcome.Errors and decides nothing. An evaluation that runs
// past budget stops at its next rule or loop step and decides nothing: its
// outcome is only the error.
func (s *Set) EvaluateWithin(env *Env, budget time.Duration) (out Outcome) {
	if s.observe != nil {
		start := time.Now()
		defer func() { s.observe(s.kind, time.Since(start), len(out.Errors) > 0) }()
	}
	if env == nil {
		return Outcome{Kind: s.kind, Version: s.version, Trace: []TraceStep{}, Errors: []string{"no environment to evaluate in"}}
	}
	defer func() {
		// Whatever escapes the per-expression recovery must not kill the process.
		if r := recover(); r != nil {
			out = Outcome{Kind: s.kind, Version: s.version, Trace: []TraceStep{}, Errors: []string{fmt.Sprintf("evaluation failed: %v", r)}}
		}
	}()
	ev := newEvaluation(env, budget)
	out = s.evaluate(ev)
	if ev.meter.expired {
		return Outcome{Kind: s.kind, Version: s.version, Trace: []TraceStep{}, Errors: []string{ev.meter.timeoutMessage()}}
	}
	return out
}

func (s *Set) evaluate(ev *evaluation) Outcome {
	env := &ev.env.Env
	out := Outcome{Kind: s.kind, Version: s.version, Trace: make([]TraceStep, 0, len(s.rules))}
	step := func(c compiled) TraceStep {
		st := TraceStep{Rule: c.name, When: c.src}
		val, err := ev.run(c.program)
		if err != nil {
			st.Error = err.Error()
			out.Errors = append(out.Errors, c.name+": "+err.Error())
			return st
		}
		st.Value = val
		st.Matched, _ = val.(bool)
		return st
	}
	switch s.kind {
	case KindValidation:
		for _, c := range s.rules {
			st := step(c)
			if st.Matched {
				out.Rejected = true
				out.Reasons = append(out.Reasons, c.rule.Message)
				if c.burst > 0 {
					out.Bursts = append(out.Bursts, lead.Burst{Rule: c.name, Reason: c.rule.Message, Window: lead.Duration(c.burst)})
				}
				if c.rule.Field != "" {
					out.Fields = append(out.Fields, lead.FieldError{Field: c.rule.Field, Reason: c.rule.Message})
				}
			}
			out.Trace = append(out.Trace, st)
		}
	case KindScoring:
		for _, c := range s.rules {
			st := step(c)
			if st.Matched {
				out.Score += c.rule.Points
			}
			out.Trace = append(out.Trace, st)
		}
	case KindEnrollWhen:
		for _, c := range s.rules {
			st := step(c)
			if st.Matched && !slices.Contains(out.Sequences, c.rule.SequenceID) {
				out.Sequences = append(out.Sequences, c.rule.SequenceID)
			}
			out.Trace = append(out.Trace, st)
		}
	case KindRouting:
		for _, c := range s.rules {
			st := step(c)
			out.Trace = append(out.Trace, st)
			if st.Matched {
				out.Rule, out.PoolID, out.ToInviter, out.Require = c.name, c.rule.PoolID, c.rule.To == InviterTarget, c.rule.Require
				return out
			}
		}
		out.PoolID = s.body.DefaultPoolID
	case KindAutoAccept:
		if s.ignored[lead.NormalizeCompany(env.Lead.Company)] {
			out.Ignored = true
			out.Trace = append(out.Trace, TraceStep{Rule: "ignored_companies", When: "company is ignored", Matched: true, Value: true})
			return out
		}
		out.Accept = s.matchGroup(&out, step) > 0
	case KindRegistration:
		out.Group = s.matchGroup(&out, step)
		out.Register = out.Group > 0
	case KindConversion:
		out.Customer, out.Order = map[string]any{}, map[string]any{}
		for _, c := range s.rules {
			st := step(c)
			st.Matched = st.Error == ""
			out.Trace = append(out.Trace, st)
			if st.Error != "" {
				continue
			}
			target, field, _ := strings.Cut(c.name, ".")
			if target == "customer" {
				out.Customer[field] = st.Value
			} else {
				out.Order[field] = st.Value
			}
		}
	}
	return out
}

// matchGroup runs the groups, AND inside a group and OR across, tracing
// each condition run into out, and returns the first group whose
// conditions all hold (1-based; 0 for none).
func (s *Set) matchGroup(out *Outcome, step func(compiled) TraceStep) int {
	for i, g := range s.groups {
		all := true
		for _, c := range g {
			st := step(c)
			out.Trace = append(out.Trace, st)
			if !st.Matched {
				all = false
				break // AND: the rest of the group cannot change it
			}
		}
		if all {
			return i + 1
		}
	}
	return 0
}

// Expr is one compiled boolean expression, such as a pool's claim_when.
type Expr struct {
	src     string
	program *vm.Program
	facts   []FactNeed
}

// CompileExpr compiles a boolean expression against the rule environment,
// under the same limits as the rules of a set.
func CompileExpr(src string) (*Expr, error) {
	p, needs, ce := compileExpr(src, true)
	if ce != nil {
		return nil, CompileErrors{*ce}
	}
	return &Expr{src: src, program: p, facts: needs}, nil
}

// Facts lists the facts the expression needs.
func (e *Expr) Facts() []FactNeed { return e.facts }

// Eval evaluates the expression within the limits and DefaultTimeBudget; a
// run-time error, or running out of time, is returned, never a panic.
func (e *Expr) Eval(env *Env) (TraceStep, error) {
	st := TraceStep{Rule: "expression", When: e.src}
	if env == nil {
		st.Error = "no environment to evaluate in"
		return st, errors.New(st.Error)
	}
	val, err := newEvaluation(env, DefaultTimeBudget).run(e.program)
	if err != nil {
		st.Error = err.Error()
		return st, err
	}
	st.Value = val
	st.Matched, _ = val.(bool)
	return st, nil
}
