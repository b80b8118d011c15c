package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"text/template/parse"

	"github.com/leadflow/leadflow/i18n"
)

// TestTemplatesUseCataloguedMessages fails when a console template calls
// {{t "id"}} with an id missing from either catalogue.
func TestTemplatesUseCataloguedMessages(t *testing.T) {
	names, err := fs.Glob(consoleFiles, "templates/console/*.html")
	if err != nil {
		t.Fatal(err)
	}
	used := 0
	for _, n := range names {
		b, err := consoleFiles.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		trees, err := parse.Parse(n, string(b), "{{", "}}", placeholders, builtinNames)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		for _, tree := range trees {
			for _, id := range messageIDs(tree.Root) {
				used++
				for _, lang := range i18n.Languages {
					if !i18n.Has(lang, id) {
						t.Errorf("%s uses %q, which the %s catalogue lacks", n, id, lang)
					}
				}
			}
		}
	}
	if used < 10 {
		t.Fatalf("found only %d message ids in the templates: the walk is broken", used)
	}
}

// builtinNames are text/template's functions, for the parser.
var builtinNames = map[string]any{"and": 0, "or": 0, "not": 0, "len": 0, "index": 0, "print": 0, "printf": 0,
	"println": 0, "eq": 0, "ne": 0, "lt": 0, "le": 0, "gt": 0, "ge": 0, "html": 0, "js": 0, "urlquery": 0, "call": 0, "slice": 0}

// messageIDs lists the constant ids of every t call under n.
func messageIDs(n parse.Node) []string {
	var out []string
	var walk func(parse.Node)
	walk = func(n parse.Node) {
		switch x := n.(type) {
		case *parse.ListNode:
			if x == nil {
				return
			}
			for _, c := range x.Nodes {
				walk(c)
			}
		case *parse.ActionNode:
			walk(x.Pipe)
		case *parse.PipeNode:
			if x == nil {
				return
			}
			for _, c := range x.Cmds {
				walk(c)
			}
		case *parse.CommandNode:
			if len(x.Args) >= 2 {
				if id, ok := x.Args[0].(*parse.IdentifierNode); ok && id.Ident == "t" {
					if s, ok := x.Args[1].(*parse.StringNode); ok {
						out = append(out, s.Text)
					}
				}
			}
			for _, a := range x.Args {
				walk(a)
			}
		case *parse.IfNode:
			walk(x.Pipe)
			walk(x.List)
			walk(x.ElseList)
		case *parse.RangeNode:
			walk(x.Pipe)
			walk(x.List)
			walk(x.ElseList)
		case *parse.WithNode:
			walk(x.Pipe)
			walk(x.List)
			walk(x.ElseList)
		case *parse.TemplateNode:
			walk(x.Pipe)
		}
	}
	walk(n)
	return out
}

// TestCataloguesHoldTheSameIDs fails when one language has a message the
// other lacks.
func TestCataloguesHoldTheSameIDs(t *testing.T) {
	en, zh := i18n.IDs(i18n.EN), i18n.IDs(i18n.ZH)
	if strings.Join(en, "\n") != strings.Join(zh, "\n") {
		for _, id := range en {
			if !i18n.Has(i18n.ZH, id) {
				t.Errorf("zh-CN lacks %q", id)
			}
		}
		for _, id := range zh {
			if !i18n.Has(i18n.EN, id) {
				t.Errorf("en lacks %q", id)
			}
		}
	}
}

// TestEveryEventTypeHasItsWords: the lead page's history names each
// event by the id "lead.event." + its type, built at run time, which
// TestTemplatesUseCataloguedMessages cannot see (it checks constant ids
// only): every lead.EventType constant declared in package lead, those
// added later included, must have its id in both catalogues.
func TestEveryEventTypeHasItsWords(t *testing.T) {
	page, err := consoleFiles.ReadFile("templates/console/lead.html")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), `t (print "lead.event." .Type)`) {
		t.Fatal(`lead.html no longer names events by "lead.event." + the type: update this test`)
	}
	types := eventTypes(t)
	if len(types) < 30 {
		t.Fatalf("found only %d event types in package lead: the walk is broken", len(types))
	}
	for name, typ := range types {
		for _, lang := range i18n.Languages {
			if !i18n.Has(lang, "lead.event."+typ) {
				t.Errorf("the %s catalogue lacks lead.event.%s (lead.%s)", lang, typ, name)
			}
		}
	}
}

// eventTypes are the constants of type EventType that package lead
// declares (EventX EventType = "x" or EventX = EventType("x")), by name.
func eventTypes(t *testing.T) map[string]string {
	files, err := filepath.Glob("../lead/*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, sp := range g.Specs {
				v := sp.(*ast.ValueSpec)
				id, ok := v.Type.(*ast.Ident)
				typedSpec := ok && id.Name == "EventType"
				for i, name := range v.Names {
					if i >= len(v.Values) {
						continue
					}
					val, typed := v.Values[i], typedSpec
					if call, ok := val.(*ast.CallExpr); ok && len(call.Args) == 1 {
						if fn, ok := call.Fun.(*ast.Ident); ok && fn.Name == "EventType" {
							val, typed = call.Args[0], true
						}
					}
					lit, ok := val.(*ast.BasicLit)
					if !typed || !ok || lit.Kind != token.STRING {
						continue
					}
					out[name.Name], _ = strconv.Unquote(lit.Value)
				}
			}
		}
	}
	return out
}
