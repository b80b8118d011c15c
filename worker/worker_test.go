package worker_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/leadflow/leadflow/activities"
	"github.com/leadflow/leadflow/workflows"
)

// TestActivityNamesRegistered fails when a workflow calls an activity name
// the worker does not register: every name of workflows.ActivityNames must
// be a method of the structs the worker registers, and the workflows must
// call activities by those constants, never by a string literal.
func TestActivityNamesRegistered(t *testing.T) {
	registered := map[string]bool{}
	for _, v := range []any{&activities.Activities{}, &activities.Bulk{}} {
		typ := reflect.TypeOf(v)
		for i := range typ.NumMethod() {
			registered[typ.Method(i).Name] = true
		}
	}
	for _, name := range workflows.ActivityNames {
		if !registered[name] {
			t.Errorf("the workflows call activity %q, which the worker does not register", name)
		}
	}
	files, err := filepath.Glob("../workflows/*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	declared := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for _, id := range n.Names {
					if strings.HasPrefix(id.Name, "Activity") && id.Name != "ActivityNames" {
						declared++
					}
				}
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok || (sel.Sel.Name != "ExecuteActivity" && sel.Sel.Name != "ExecuteLocalActivity" && sel.Sel.Name != "local") || len(n.Args) < 2 {
					return true
				}
				if lit, ok := n.Args[1].(*ast.BasicLit); ok {
					t.Errorf("%s: an activity called by the literal %s; use a workflows.Activity constant", fset.Position(n.Pos()), lit.Value)
				}
			}
			return true
		})
	}
	if declared != len(workflows.ActivityNames) {
		t.Errorf("%d Activity constants are declared, %d are in workflows.ActivityNames", declared, len(workflows.ActivityNames))
	}
}
