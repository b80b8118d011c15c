package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.temporal.io/server/temporaltest"
)

// TestDeploySetCurrent: `leadflow deploy set-current` makes a build whose
// worker polls the deployment's current version, and `deploy describe`
// says so; a build no worker of which ever polled is refused once -wait
// has passed.
func TestDeploySetCurrent(t *testing.T) {
	ts := temporaltest.NewServer(temporaltest.WithT(t))
	tc := ts.GetDefaultClient()
	w := sdkworker.New(tc, "deploy-test", sdkworker.Options{DeploymentOptions: sdkworker.DeploymentOptions{
		UseVersioning: true, Version: sdkworker.WorkerDeploymentVersion{DeploymentName: "crm", BuildID: "b1"}}})
	w.RegisterWorkflowWithOptions(func(workflow.Context) error { return nil },
		workflow.RegisterOptions{Name: "Noop", VersioningBehavior: workflow.VersioningBehaviorPinned})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	ctx := context.Background()
	cfg := config{TemporalAddress: ts.GetFrontendHostPort(), TemporalNamespace: ts.GetDefaultNamespace(), LogFormat: "text"}
	if err := runDeploy(ctx, cfg, []string{"set-current", "-deployment", "crm", "-build-id", "b1"}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := describeDeployment(ctx, &out, tc, "crm"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "current    b1 ") || !strings.Contains(out.String(), "version    b1 ") {
		t.Fatalf("describe:\n%s", out.String())
	}
	if err := runDeploy(ctx, cfg, []string{"set-current", "-deployment", "crm", "-build-id", "nobody", "-wait", "1s"}); err == nil {
		t.Fatal("a build without workers was made current")
	}
	if err := runDeploy(ctx, cfg, []string{"set-current", "-deployment", "crm"}); err == nil {
		t.Fatal("set-current without -build-id")
	}
}
