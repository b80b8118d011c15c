package api_test

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/leadflow/leadflow/server"
)

// TestOpenAPICoversRoutes checks that every route the app registers is in
// the OpenAPI document with its method, so the document cannot fall behind.
func TestOpenAPICoversRoutes(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	openAPIDoc, err := os.ReadFile("openapi.json") // the document api.OpenAPI embeds
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	app := server.New(server.Config{})
	param := regexp.MustCompile(`:([a-z_]+)`)
	routes := app.GetRoutes(true)
	if len(routes) < 40 {
		t.Fatalf("only %d routes registered", len(routes))
	}
	for _, r := range routes {
		// The HTML pages (the console, the registration page, the assets) are
		// not the API: TestAuthorizationMatrix checks the console's routes.
		html := !strings.HasPrefix(r.Path, "/api/") && r.Path != "/healthz" && r.Path != "/readyz" && r.Path != "/metrics"
		if r.Method == "HEAD" || r.Path == "/*" || html {
			continue
		}
		path := param.ReplaceAllString(r.Path, "{$1}")
		ops, ok := doc.Paths[path]
		if !ok {
			t.Errorf("%s %s is not in openapi.json", r.Method, path)
			continue
		}
		if _, ok := ops[strings.ToLower(r.Method)]; !ok {
			t.Errorf("%s %s: the method is not in openapi.json", r.Method, path)
		}
	}
}
