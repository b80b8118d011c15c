// Command schemagen writes the JSON schemas that deploy/k8s's test checks
// the manifests against (kubeconform's "standalone-strict" layout: one file
// per kind, every reference inside it, no field the API does not know).
// It reads Kubernetes' own OpenAPI v3 documents, which the k8s.io/kubernetes
// module carries; nothing is downloaded at test time:
//
//	(cd /tmp && go mod download k8s.io/kubernetes@v1.37.2)
//	go run ./deploy/k8s/schemagen -spec "$(go env GOMODCACHE)/k8s.io/kubernetes@v1.37.2/api/openapi-spec/v3" -out deploy/k8s/schemas
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// kinds are the kinds deploy/k8s uses: the document each is in, its schema's
// name there, and its apiVersion.
var kinds = []struct{ doc, schema, apiVersion, kind string }{
	{"api__v1_openapi.json", "io.k8s.api.core.v1.ConfigMap", "v1", "ConfigMap"},
	{"api__v1_openapi.json", "io.k8s.api.core.v1.Service", "v1", "Service"},
	{"api__v1_openapi.json", "io.k8s.api.core.v1.ServiceAccount", "v1", "ServiceAccount"},
	{"apis__apps__v1_openapi.json", "io.k8s.api.apps.v1.Deployment", "apps/v1", "Deployment"},
	{"apis__policy__v1_openapi.json", "io.k8s.api.policy.v1.PodDisruptionBudget", "policy/v1", "PodDisruptionBudget"},
	{"apis__autoscaling__v2_openapi.json", "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler", "autoscaling/v2", "HorizontalPodAutoscaler"},
}

const refPrefix = "#/components/schemas/"

func main() {
	spec := flag.String("spec", "", "directory of Kubernetes' OpenAPI v3 documents (api/openapi-spec/v3 of k8s.io/kubernetes)")
	out := flag.String("out", "deploy/k8s/schemas", "where to write the schemas")
	flag.Parse()
	if err := run(*spec, *out); err != nil {
		fmt.Fprintln(os.Stderr, "schemagen:", err)
		os.Exit(1)
	}
}

func run(spec, out string) error {
	if spec == "" {
		return fmt.Errorf("-spec is required")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, k := range kinds {
		raw, err := os.ReadFile(filepath.Join(spec, k.doc))
		if err != nil {
			return err
		}
		var doc struct {
			Components struct {
				Schemas map[string]any `json:"schemas"`
			} `json:"components"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			return fmt.Errorf("%s: %w", k.doc, err)
		}
		all := doc.Components.Schemas
		root, ok := all[k.schema].(map[string]any)
		if !ok {
			return fmt.Errorf("%s: no schema %s", k.doc, k.schema)
		}
		defs := map[string]any{}
		var collect func(v any)
		collect = func(v any) {
			switch t := v.(type) {
			case map[string]any:
				if r, ok := t["$ref"].(string); ok && strings.HasPrefix(r, refPrefix) {
					name := strings.TrimPrefix(r, refPrefix)
					if _, seen := defs[name]; !seen {
						defs[name] = nil
						collect(all[name])
						defs[name] = strip(all[name])
					}
				}
				for _, c := range t {
					collect(c)
				}
			case []any:
				for _, c := range t {
					collect(c)
				}
			}
		}
		collect(root)
		s := strip(root).(map[string]any)
		props := s["properties"].(map[string]any)
		props["apiVersion"] = map[string]any{"type": "string", "enum": []any{k.apiVersion}}
		props["kind"] = map[string]any{"type": "string", "enum": []any{k.kind}}
		s["required"] = []any{"apiVersion", "kind", "metadata"}
		if len(defs) > 0 {
			s["$defs"] = defs
		}
		b, err := json.MarshalIndent(s, "", " ")
		if err != nil {
			return err
		}
		name := strings.ToLower(k.kind) + kindSuffix(k.apiVersion) + ".json"
		if err := os.WriteFile(filepath.Join(out, name), append(b, '\n'), 0o644); err != nil {
			return err
		}
		fmt.Println(name, len(defs), "definitions")
	}
	return nil
}

// kindSuffix is kubeconform's {{ .KindSuffix }}: "-apps-v1", or "-v1" for the core group.
func kindSuffix(apiVersion string) string {
	g, v, ok := strings.Cut(apiVersion, "/")
	if !ok {
		return "-" + strings.ToLower(g)
	}
	return "-" + strings.ToLower(strings.Split(g, ".")[0]) + "-" + strings.ToLower(v)
}

// strip copies a schema without descriptions, defaults and extensions,
// points its references at $defs, and makes every object with properties
// strict (no field the API does not know).
func strip(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if k == "description" || k == "default" || k == "example" || strings.HasPrefix(k, "x-") {
				continue
			}
			if k == "$ref" {
				m[k] = "#/$defs/" + strings.TrimPrefix(t[k].(string), refPrefix)
				continue
			}
			if k == "properties" {
				// A property's schema, never a keyword: copy names as they are.
				props := map[string]any{}
				for name, p := range t[k].(map[string]any) {
					props[name] = strip(p)
				}
				m[k] = props
				continue
			}
			m[k] = strip(t[k])
		}
		if _, ok := m["properties"]; ok {
			if _, set := m["additionalProperties"]; !set {
				m["additionalProperties"] = false
			}
		}
		return m
	case []any:
		c := make([]any, len(t))
		for i, e := range t {
			c[i] = strip(e)
		}
		return c
	}
	return v
}
