package apiclient

import (
	"bytes"
	"os"
	"os/exec"
	"testing"
)

// TestGeneratedClientIsCurrent regenerates the client from api/openapi.json
// with the configured oapi-codegen and fails when client.gen.go differs:
// run `make generate` after changing the document.
func TestGeneratedClientIsCurrent(t *testing.T) {
	cmd := exec.Command("go", "tool", "oapi-codegen", "-config", "oapi-codegen.yaml", "../api/openapi.json")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	want, err := cmd.Output()
	if err != nil {
		t.Fatalf("oapi-codegen: %v\n%s", err, stderr.Bytes())
	}
	got, err := os.ReadFile("client.gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("client.gen.go is stale: run `make generate` and commit the result")
	}
}
