package rules

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/checker"
	"github.com/expr-lang/expr/compiler"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/optimizer"
	"github.com/expr-lang/expr/vm"
)

// The sandbox compiles an expression in the steps of expr.Compile, with two
// of its own between them:
//
//  1. parse and type-check the source as written, so that errors are
//     reported against what the admin wrote;
//  2. refuse what cannot be bounded (refused builtins, facts that cannot be
//     prefetched);
//  3. patch the tree so that it pays for what it does: every predicate body
//     (the predicate of all, map, filter, reduce...) first calls
//     rules.tick, and every operation that builds a string or a list of
//     a size not known in advance (+ on anything that may be a string,
//     repeat, replace, join, upper, lower, string, split, splitAfter, keys,
//     values) calls a rules.* twin that charges the meter before building;
//     `matches` calls rules.matches, which refuses a text and pattern whose
//     product is over MaxMatchWork (a regular expression takes time in
//     proportion to both) and a pattern from data over MaxExpressionLength;
//  4. type-check again, optimise, refuse constant ranges over the memory
//     budget (after optimisation, since `x in 1..1000000000` becomes two
//     comparisons), and compile.
//
// The rules.* names contain a dot, so no source can call them or read the
// meter directly.

// refused are the builtins a rule may not call: each copies or multiplies
// data by an amount the meter cannot know before the copy is made, and none
// is needed to decide about a lead.
var refused = map[string]bool{
	"concat": true, "flatten": true, "uniq": true, "toPairs": true, "fromPairs": true,
	"toJSON": true, "fromJSON": true, "toBase64": true, "fromBase64": true,
}

// meteredBuiltins are the builtins replaced by a metered twin rules.<name>.
var meteredBuiltins = map[string]bool{
	"repeat": true, "replace": true, "join": true, "upper": true, "lower": true,
	"string": true, "split": true, "splitAfter": true, "keys": true, "values": true,
}

const (
	meterName   = "rules.meter"
	tickName    = "rules.tick"
	addName     = "rules.add"
	matchesName = "rules.matches"
)

// sandboxOptions are the expr options every expression compiles with.
func sandboxOptions(asBool bool) []expr.Option {
	opts := []expr.Option{expr.Env(runEnv{}), expr.MaxNodes(MaxNodes)}
	if asBool {
		opts = append(opts, expr.AsBool())
	}
	return append(opts, meteredFunctions...)
}

// compileExpr compiles one expression under the sandbox; asBool requires a
// boolean result. It returns the facts the expression needs.
func compileExpr(src string, asBool bool) (*vm.Program, []FactNeed, *CompileError) {
	if strings.TrimSpace(src) == "" {
		return nil, nil, &CompileError{Line: 1, Column: 1, Message: "the expression is empty"}
	}
	if utf8.RuneCountInString(src) > MaxExpressionLength {
		return nil, nil, &CompileError{Line: 1, Column: 1, Message: fmt.Sprintf("the expression is longer than %d characters", MaxExpressionLength)}
	}
	config := conf.CreateNew()
	for _, op := range sandboxOptions(asBool) {
		op(config)
	}
	config.Check()
	tree, err := checker.ParseCheck(src, config)
	if err != nil {
		return nil, nil, toCompileError(err)
	}
	needs, ce := factNeeds(src, tree.Node)
	if ce != nil {
		return nil, nil, ce
	}
	if ce := refuseUnbounded(src, tree.Node); ce != nil {
		return nil, nil, ce
	}
	ast.Walk(&tree.Node, meterPatcher{})
	if _, err := checker.Check(tree, config); err != nil {
		return nil, nil, toCompileError(err)
	}
	if err := optimizer.Optimize(&tree.Node, config); err != nil {
		return nil, nil, toCompileError(err)
	}
	if ce := refuseBigRanges(src, tree.Node); ce != nil {
		return nil, nil, ce
	}
	p, err := compiler.Compile(tree, config)
	if err != nil {
		return nil, nil, toCompileError(err)
	}
	return p, needs, nil
}

// refuseUnbounded refuses the builtins of refused.
func refuseUnbounded(src string, node ast.Node) *CompileError {
	var ce *CompileError
	ast.Find(node, func(n ast.Node) bool {
		if b, ok := n.(*ast.BuiltinNode); ok && refused[b.Name] && ce == nil {
			ce = positioned(src, b.Location(), fmt.Sprintf("%s is not available in rules: its result has no size limit", b.Name))
		}
		return ce != nil
	})
	return ce
}

// refuseBigRanges refuses a constant range of more than MemoryBudget
// elements, which could never be built.
func refuseBigRanges(src string, node ast.Node) *CompileError {
	var ce *CompileError
	ast.Find(node, func(n ast.Node) bool {
		b, ok := n.(*ast.BinaryNode)
		if !ok || b.Operator != ".." {
			return false
		}
		from, ok1 := b.Left.(*ast.IntegerNode)
		to, ok2 := b.Right.(*ast.IntegerNode)
		if ok1 && ok2 && to.Value >= from.Value && uint64(to.Value)-uint64(from.Value) >= MemoryBudget {
			ce = positioned(src, b.Location(), fmt.Sprintf("the range %d..%d is too large: a rule may build at most %d elements", from.Value, to.Value, MemoryBudget))
		}
		return ce != nil
	})
	return ce
}

// meterPatcher rewrites a checked tree so that it charges the meter; see
// the steps above.
type meterPatcher struct{}

// Visit patches one node; ast.Walk visits children first.
func (meterPatcher) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.PredicateNode:
		loc := n.Node.Location()
		n.Node = located(&ast.SequenceNode{Nodes: []ast.Node{
			located(&ast.CallNode{Callee: located(&ast.IdentifierNode{Value: tickName}, loc), Arguments: []ast.Node{meterIdent(loc)}}, loc),
			n.Node,
		}}, loc)
	case *ast.BuiltinNode:
		if meteredBuiltins[n.Name] {
			patchCall(node, "rules."+n.Name, n.Arguments)
		}
	case *ast.BinaryNode:
		switch {
		case n.Operator == "+" && (mayBeString(n.Left) || mayBeString(n.Right)):
			patchCall(node, addName, []ast.Node{n.Left, n.Right})
		case n.Operator == "matches":
			pattern := n.Right
			if c, ok := pattern.(*ast.StringNode); ok {
				// Compiled once here, as expr would (the checker has compiled it already).
				if re, err := regexp.Compile(c.Value); err == nil {
					pattern = located(&ast.ConstantNode{Value: re}, c.Location())
				}
			}
			patchCall(node, matchesName, []ast.Node{n.Left, pattern})
		}
	}
}

// patchCall replaces node by a call of the metered function name on the
// meter and args.
func patchCall(node *ast.Node, name string, args []ast.Node) {
	loc := (*node).Location()
	ast.Patch(node, &ast.CallNode{
		Callee:    located(&ast.IdentifierNode{Value: name}, loc),
		Arguments: append([]ast.Node{meterIdent(loc)}, args...),
	})
}

func meterIdent(loc file.Location) ast.Node {
	return located(&ast.IdentifierNode{Value: meterName}, loc)
}

func located(n ast.Node, loc file.Location) ast.Node {
	n.SetLocation(loc)
	return n
}

// mayBeString reports whether n may be a string at run time.
func mayBeString(n ast.Node) bool {
	k := n.Type().Kind()
	return k == reflect.String || k == reflect.Interface
}
