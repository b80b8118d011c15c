package rules

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"

	"github.com/leadflow/leadflow/lead"
)

// Kind names a rule set.
type Kind string

// The rule-set kinds.
const (
	KindValidation Kind = "validation"
	KindRouting    Kind = "routing"
	KindAutoAccept Kind = "auto_accept"
	KindScoring    Kind = "scoring"
	KindConversion Kind = "conversion"
	// KindRegistration decides which new or edited leads are registered
	// with the supplier's systems (seed 003).
	KindRegistration Kind = "registration"
	// KindEnrollWhen enrols new leads in sequences: every rule that
	// matches names one (issue 27).
	KindEnrollWhen Kind = "enroll_when"
)

// Kinds lists every rule-set kind.
var Kinds = []Kind{KindValidation, KindRouting, KindAutoAccept, KindScoring, KindConversion, KindRegistration, KindEnrollWhen}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, v := range Kinds {
		if v == k {
			return true
		}
	}
	return false
}

// CompileError is a rule that does not compile, with its position.
type CompileError struct {
	Rule    string `json:"rule"`
	Field   string `json:"field"` // JSON path of the expression, e.g. rules[2].when
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

// CompileErrors is every compile error of a rule set.
type CompileErrors []CompileError

func (e CompileErrors) Error() string {
	parts := make([]string, len(e))
	for i, c := range e {
		parts[i] = fmt.Sprintf("%s (%s) %d:%d: %s", c.Rule, c.Field, c.Line, c.Column, c.Message)
	}
	return strings.Join(parts, "; ")
}

// FactNeed is a fact a compiled rule set needs loaded before evaluation.
type FactNeed struct {
	Name   string        `json:"name"`   // e.g. "ipCompanies"
	Window string        `json:"window"` // as written, e.g. "10m"
	Span   time.Duration `json:"span"`
}

// TraceStep is one rule's part in a decision.
type TraceStep struct {
	Rule    string `json:"rule"`
	When    string `json:"when"`
	Matched bool   `json:"matched"`
	Value   any    `json:"value"`
	Error   string `json:"error,omitempty"`
}

func toCompileError(err error) *CompileError {
	var fe *file.Error
	if errors.As(err, &fe) {
		return &CompileError{Line: max(fe.Line, 1), Column: fe.Column + 1, Message: fe.Message}
	}
	return &CompileError{Line: 1, Column: 1, Message: err.Error()}
}

// factNeeds finds the windowed counters an expression calls; their window
// must be a constant duration string.
// The prefetched counters may also be read as facts.ip_companies["10m"];
// any other use of facts (or of $env) is refused, since the caller could not
// know what to load.
func factNeeds(src string, node ast.Node) ([]FactNeed, *CompileError) {
	v := &factVisitor{src: src}
	ast.Walk(&node, v)
	if v.err == nil && v.factRefs != v.factIndexed {
		v.err = positioned(src, v.factLoc, `facts.ip_companies must be indexed by a constant window such as facts.ip_companies["10m"]; or call ipCompanies("10m")`)
	}
	return v.needs, v.err
}

type factVisitor struct {
	src                   string
	needs                 []FactNeed
	err                   *CompileError
	factRefs, factIndexed int
	factLoc               file.Location
}

func (v *factVisitor) Visit(n *ast.Node) {
	if v.err != nil {
		return
	}
	switch node := (*n).(type) {
	case *ast.IdentifierNode:
		switch node.Value {
		case "$env":
			v.err = positioned(v.src, node.Location(), "$env is not available in rules; use the variables by name")
		case "facts":
			v.factRefs++
			v.factLoc = node.Location()
		}
	case *ast.MemberNode:
		inner, ok := node.Node.(*ast.MemberNode)
		if !ok {
			return
		}
		id, ok1 := inner.Node.(*ast.IdentifierNode)
		prop, ok2 := inner.Property.(*ast.StringNode)
		window, ok3 := node.Property.(*ast.StringNode)
		if ok1 && ok2 && ok3 && id.Value == "facts" && prop.Value == "ip_companies" {
			if v.need("ipCompanies", window.Value, node.Location()) {
				v.factIndexed++
			}
		}
	case *ast.CallNode:
		id, ok := node.Callee.(*ast.IdentifierNode)
		if !ok || id.Value != "ipCompanies" {
			return
		}
		if len(node.Arguments) != 1 {
			v.err = positioned(v.src, node.Location(), "ipCompanies takes one window such as \"10m\"")
			return
		}
		s, ok := node.Arguments[0].(*ast.StringNode)
		if !ok {
			v.err = positioned(v.src, node.Location(), "the window of ipCompanies must be a constant string such as \"10m\"")
			return
		}
		v.need(id.Value, s.Value, node.Location())
	}
}

// need records a windowed counter, refusing a window that is not a duration.
func (v *factVisitor) need(name, window string, loc file.Location) bool {
	d, err := lead.ParseDuration(window)
	if err != nil || d <= 0 || time.Duration(d) > 31*24*time.Hour {
		v.err = positioned(v.src, loc, fmt.Sprintf("window %q must be a duration between 1s and 31d", window))
		return false
	}
	v.needs = append(v.needs, FactNeed{Name: name, Window: window, Span: time.Duration(d)})
	return true
}

// positioned is a compile error at loc of src.
func positioned(src string, loc file.Location, msg string) *CompileError {
	fe := (&file.Error{Location: loc, Message: msg}).Bind(file.NewSource(src))
	return &CompileError{Line: fe.Line, Column: fe.Column + 1, Message: msg}
}
