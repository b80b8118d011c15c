// Package k8s holds leadflow's Kubernetes manifests; its test checks them
// against the Kubernetes API's schemas with kubeconform, offline.
package k8s

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yannh/kubeconform/pkg/validator"
	"sigs.k8s.io/yaml"
)

// schemaLocation is where kubeconform finds each kind's schema: the files
// deploy/k8s/schemagen writes from Kubernetes' OpenAPI documents.
const schemaLocation = "schemas/{{ .ResourceKind }}{{ .KindSuffix }}.json"

func newValidator(t *testing.T) validator.Validator {
	t.Helper()
	v, err := validator.New([]string{schemaLocation}, validator.Opts{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func manifests(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	return files
}

// TestManifestsValidate checks every manifest against its kind's schema:
// an unknown field, a wrong type or a kind without a schema fails.
func TestManifestsValidate(t *testing.T) {
	v := newValidator(t)
	n := 0
	for _, f := range manifests(t) {
		r, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, res := range v.Validate(f, r) {
			if res.Status == validator.Empty {
				continue
			}
			sig, _ := res.Resource.Signature()
			if res.Status != validator.Valid {
				t.Errorf("%s: %v %s: %v %v", f, res.Status, sig.QualifiedName(), res.Err, res.ValidationErrors)
				continue
			}
			n++
		}
	}
	if n < 8 {
		t.Fatalf("validated %d resources, want every one of the 8 or more in deploy/k8s", n)
	}
}

// TestValidatorRefusesATypo shows the check can fail: a misspelt field and
// a number where a string belongs are refused.
func TestValidatorRefusesATypo(t *testing.T) {
	v := newValidator(t)
	for name, doc := range map[string]string{
		"unknown field": `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: x}
spec: {minAvailabel: 1}
`,
		"wrong type": `apiVersion: v1
kind: Service
metadata: {name: x}
spec: {ports: [{port: "eighty"}]}
`,
	} {
		res := v.Validate(name, ioNop(doc))
		if len(res) != 1 || res[0].Status != validator.Invalid {
			t.Errorf("%s: got %+v, want one Invalid result", name, res)
		}
	}
}

// TestWorkloadsAreRunnable checks what a schema cannot: each Deployment's
// containers have memory limits (leadflow keeps RSS under 300 MB) and
// probes, a PodDisruptionBudget selects its pods, and the autoscaler scales
// the worker.
func TestWorkloadsAreRunnable(t *testing.T) {
	type obj = map[string]any
	var deployments, pdbs, hpas []obj
	for _, f := range manifests(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range bytes.Split(b, []byte("\n---\n")) {
			var o obj
			if err := yaml.Unmarshal(doc, &o); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			switch o["kind"] {
			case "Deployment":
				deployments = append(deployments, o)
			case "PodDisruptionBudget":
				pdbs = append(pdbs, o)
			case "HorizontalPodAutoscaler":
				hpas = append(hpas, o)
			}
		}
	}
	get := func(o any, path ...string) any {
		for _, p := range path {
			m, _ := o.(obj)
			o = m[p]
		}
		return o
	}
	if len(deployments) != 2 {
		t.Fatalf("%d Deployments, want the api and the worker", len(deployments))
	}
	for _, d := range deployments {
		name := get(d, "metadata", "name").(string)
		labels := get(d, "spec", "template", "metadata", "labels").(obj)
		for _, c := range get(d, "spec", "template", "spec", "containers").([]any) {
			if get(c, "resources", "limits", "memory") == nil || get(c, "resources", "requests", "cpu") == nil {
				t.Errorf("%s: container %v without a memory limit and a CPU request", name, get(c, "name"))
			}
			if get(c, "readinessProbe") == nil || get(c, "livenessProbe") == nil {
				t.Errorf("%s: container %v without readiness and liveness probes", name, get(c, "name"))
			}
		}
		covered := false
		for _, p := range pdbs {
			if matches(get(p, "spec", "selector", "matchLabels").(obj), labels) {
				covered = true
			}
		}
		if !covered {
			t.Errorf("%s: no PodDisruptionBudget selects its pods", name)
		}
		if !matches(get(d, "spec", "selector", "matchLabels").(obj), labels) {
			t.Errorf("%s: its selector does not select its own pods", name)
		}
	}
	scaled := false
	for _, h := range hpas {
		if get(h, "spec", "scaleTargetRef", "name") == "leadflow-worker" {
			for _, m := range get(h, "spec", "metrics").([]any) {
				if strings.Contains(toString(get(m, "external", "metric", "name")), "backlog") {
					scaled = true
				}
			}
		}
	}
	if !scaled {
		t.Error("no autoscaler scales leadflow-worker on the task queue's backlog")
	}
}

func matches(selector, labels map[string]any) bool {
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return len(selector) > 0
}

func toString(v any) string { s, _ := v.(string); return s }
