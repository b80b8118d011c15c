package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.temporal.io/server/temporaltest"
)

// TestDeploySetCurrent: `leadflow deploy set-current` makes a build whose
// worker polls the deployment's current version, `set-ramping` ramps
// another and stops, and `deploy describe` says so; a build no worker of
// which ever polled is refused once -wait has passed.
func TestDeploySetCurrent(t *testing.T) {
	ts := temporaltest.NewServer(temporaltest.WithT(t))
	tc := ts.GetDefaultClient()
	startVersion(t, tc, "b1")
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
	// A second build ramps to 25%, then stops ramping.
	startVersion(t, tc, "b2")
	ramp := []string{"set-ramping", "-deployment", "crm", "-build-id", "b2", "-percentage", "25"}
	deadline := time.Now().Add(30 * time.Second)
	for err := runDeploy(ctx, cfg, ramp); err != nil; err = runDeploy(ctx, cfg, ramp) {
		if time.Now().After(deadline) { // the version exists once its worker has polled
			t.Fatal(err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	out.Reset()
	if err := describeDeployment(ctx, &out, tc, "crm"); err != nil || !strings.Contains(out.String(), "ramping    b2 at 25%") {
		t.Fatalf("describe after the ramp (%v):\n%s", err, out.String())
	}
	if err := runDeploy(ctx, cfg, []string{"set-ramping", "-deployment", "crm", "-percentage", "0"}); err != nil {
		t.Fatal(err)
	}
	if err := runDeploy(ctx, cfg, []string{"set-ramping", "-deployment", "crm", "-build-id", "b2"}); err == nil {
		t.Fatal("a ramp without a percentage")
	}
	if err := runDeploy(ctx, cfg, []string{"set-current", "-deployment", "crm", "-build-id", "nobody", "-wait", "1s"}); err == nil {
		t.Fatal("a build without workers was made current")
	}
	if err := runDeploy(ctx, cfg, []string{"set-current", "-deployment", "crm"}); err == nil {
		t.Fatal("set-current without -build-id")
	}
}

// startVersion starts a worker of build of the deployment "crm" until the
// test ends.
func startVersion(t *testing.T, tc client.Client, build string) {
	t.Helper()
	w := sdkworker.New(tc, "deploy-test", sdkworker.Options{DeploymentOptions: sdkworker.DeploymentOptions{
		UseVersioning: true, Version: sdkworker.WorkerDeploymentVersion{DeploymentName: "crm", BuildID: build}}})
	w.RegisterWorkflowWithOptions(func(workflow.Context) error { return nil },
		workflow.RegisterOptions{Name: "Noop", VersioningBehavior: workflow.VersioningBehaviorPinned})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
}
