package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// messageArgs are the functions that take message ids, and which of their
// arguments (by index) are ids.
var messageArgs = map[string][]int{
	"T":              {1}, // i18n.T(lang, id, ...)
	"tr":             {1}, // console: tr(c, id, ...)
	"consolePage":    {1}, // console: consolePage(c, titleID, nav)
	"consoleMessage": {2, 3},
	"loginRefused":   {1},
	"trOr":           {1}, // console: trOr(c, id, def)
	"row":            {0}, // console: row(labelID, value), a job's or the dashboard's line
	"showPage":       {2, 4},
	"renderJobForm":  {2},
}

// TestCodeUsesCataloguedMessages fails when Go code passes a constant
// message id that either catalogue lacks.
func TestCodeUsesCataloguedMessages(t *testing.T) {
	fset := token.NewFileSet()
	used := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && d.Name() != ".." || d.Name() == "apiclient" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			var name string
			switch fn := call.Fun.(type) {
			case *ast.Ident:
				name = fn.Name
			case *ast.SelectorExpr:
				name = fn.Sel.Name
			}
			for _, i := range messageArgs[name] {
				if i >= len(call.Args) {
					continue
				}
				lit, ok := call.Args[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				id, _ := strconv.Unquote(lit.Value)
				if id == "" {
					continue // no message (an empty notice)
				}
				used++
				for _, lang := range Languages {
					if !Has(lang, id) {
						t.Errorf("%s: %s uses %q, which the %s catalogue lacks", fset.Position(lit.Pos()), name, id, lang)
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if used < 5 {
		t.Fatalf("found only %d message ids in the code: the walk is broken", used)
	}
}
