// Package layout holds the tests of the repository's package structure.
package layout

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/leadflow/leadflow/"

// imports lists the packages the Go files of dir import (tests included),
// nil when dir has none.
func imports(t *testing.T, dir string) map[string][]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, f := range files {
		parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range parsed.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			out[p] = append(out[p], filepath.Base(f))
		}
	}
	return out
}

// TestFacesAndService: the service knows no web framework and no HTTP
// (it serves both faces, and anything else that calls it); the two faces,
// api/ (JSON) and console/ (HTML), never import each other, and neither
// does the service import a face.
func TestFacesAndService(t *testing.T) {
	if _, err := os.Stat(filepath.Join("..", "..", "service")); err != nil {
		t.Fatalf("no service/ package: %v", err)
	}
	forbidden := map[string][]string{
		"service": {"github.com/gofiber/", "net/http", "github.com/valyala/fasthttp", module + "api", module + "console", module + "web"},
		"api":     {module + "console"},
		"console": {module + "api"},
	}
	for dir, bad := range forbidden {
		for p, files := range imports(t, dir) {
			for _, b := range bad {
				if p == b || strings.HasPrefix(p, b) && (strings.HasSuffix(b, "/") || strings.HasPrefix(p, b+"/")) {
					t.Errorf("%s/ imports %s (in %s)", dir, p, strings.Join(files, ", "))
				}
			}
		}
	}
}
