package worker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
)

// DefaultDeployment is the Worker Deployment name of a versioned worker
// that names none.
const DefaultDeployment = "leadflow"

// buildID is the build id stamped into the binary by the linker:
// go build -ldflags "-X github.com/leadflow/leadflow/worker.buildID=v1.2.3".
var buildID string

// Versioning says whether the worker runs as a version of a Temporal Worker
// Deployment (Worker Versioning), and which one. Off (the zero value), the
// worker is unversioned, as every worker was before: any build picks up
// any task. On, it is version Deployment:BuildID: new workflows go to the
// deployment's current version, an auto-upgrade workflow moves to the
// current version at its next task, a pinned one stays on the version it
// started on (workflows.Definitions says which is which).
type Versioning struct {
	// On makes the worker a versioned one (LEADFLOW_WORKER_VERSIONING=on).
	On bool
	// Deployment is the Worker Deployment's name (LEADFLOW_DEPLOYMENT,
	// default DefaultDeployment).
	Deployment string
	// BuildID identifies this build (LEADFLOW_BUILD_ID, default the one
	// stamped into the binary, see BinaryBuildID).
	BuildID string
	// SetCurrent makes the worker set its own version as the deployment's
	// current one once it polls (LEADFLOW_SET_CURRENT=1): the last worker
	// started wins. Otherwise an operator does it (leadflow deploy
	// set-current, or the temporal CLI).
	SetCurrent bool
}

// VersioningFromEnv reads LEADFLOW_WORKER_VERSIONING (on|off, default
// off), LEADFLOW_DEPLOYMENT, LEADFLOW_BUILD_ID and LEADFLOW_SET_CURRENT.
func VersioningFromEnv() (Versioning, error) {
	v := Versioning{Deployment: os.Getenv("LEADFLOW_DEPLOYMENT"), BuildID: os.Getenv("LEADFLOW_BUILD_ID")}
	var err error
	if v.On, err = envSwitch("LEADFLOW_WORKER_VERSIONING", "on", "off"); err != nil {
		return v, err
	}
	if v.SetCurrent, err = envSwitch("LEADFLOW_SET_CURRENT", "1", "0"); err != nil {
		return v, err
	}
	return v.withDefaults()
}

// envSwitch reads a two-valued variable: true when it is on, false when it
// is off or unset.
func envSwitch(name, on, off string) (bool, error) {
	switch s := os.Getenv(name); s {
	case "", off:
		return false, nil
	case on:
		return true, nil
	default:
		return false, fmt.Errorf("%s=%q: want %s or %s", name, s, on, off)
	}
}

// withDefaults fills in the deployment and build id of a versioning that is
// on, and checks them.
func (v Versioning) withDefaults() (Versioning, error) {
	if !v.On {
		if v.SetCurrent {
			return v, errors.New("LEADFLOW_SET_CURRENT needs LEADFLOW_WORKER_VERSIONING=on")
		}
		return v, nil
	}
	if v.Deployment == "" {
		v.Deployment = DefaultDeployment
	}
	if v.BuildID == "" {
		v.BuildID = BinaryBuildID()
	}
	if v.BuildID == "" {
		return v, errors.New("LEADFLOW_WORKER_VERSIONING=on: this binary has no build id (built outside git, without -ldflags -X): set LEADFLOW_BUILD_ID")
	}
	if strings.Contains(v.Deployment, ".") {
		return v, fmt.Errorf("LEADFLOW_DEPLOYMENT=%q: a deployment name may not contain '.'", v.Deployment)
	}
	return v, nil
}

// BinaryBuildID is the build id of this binary: the one stamped with
// -ldflags -X, else its VCS revision (with "-dirty" when built from a
// modified tree), else "" (go run or go test outside a checkout).
func BinaryBuildID() string {
	if buildID != "" {
		return buildID
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	var rev string
	dirty := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return ""
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return rev
}

// apply sets the SDK's deployment options of v on o. Workflows registered
// without a behaviour would fail registration; Register gives each one
// from workflows.Definitions.
func (v Versioning) apply(o *sdkworker.Options) {
	if !v.On {
		return
	}
	o.DeploymentOptions = sdkworker.DeploymentOptions{
		UseVersioning: true,
		Version:       sdkworker.WorkerDeploymentVersion{DeploymentName: v.Deployment, BuildID: v.BuildID},
	}
	o.Identity = fmt.Sprintf("%d@%s@%s:%s", os.Getpid(), hostname(), v.Deployment, v.BuildID)
}

func hostname() string {
	h, _ := os.Hostname()
	return h
}

// SetCurrentVersion makes build buildID of deployment the current version:
// new workflows and the auto-upgrade ones' next tasks go to its workers.
// The version exists once one of its workers has polled; until then (up to
// wait) it retries. It returns the build id that was current before ("" for
// none: the unversioned workers).
func SetCurrentVersion(ctx context.Context, c client.Client, deployment, buildID string, wait time.Duration) (previous string, err error) {
	h := c.WorkerDeploymentClient().GetHandle(deployment)
	deadline := time.Now().Add(wait)
	for {
		err = setCurrent(ctx, h, buildID, &previous)
		if err == nil {
			return previous, nil
		}
		var notFound *serviceerror.NotFound
		var precondition *serviceerror.FailedPrecondition
		if !(errors.As(err, &notFound) || errors.As(err, &precondition)) || time.Now().After(deadline) {
			return "", fmt.Errorf("set %s:%s current: %w", deployment, buildID, err)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// setCurrent sets buildID current under the conflict token of a Describe,
// so two operators cannot overwrite each other's change unseen.
func setCurrent(ctx context.Context, h client.WorkerDeploymentHandle, buildID string, previous *string) error {
	d, err := h.Describe(ctx, client.WorkerDeploymentDescribeOptions{})
	if err != nil {
		return err
	}
	*previous = ""
	if cur := d.Info.RoutingConfig.CurrentVersion; cur != nil {
		*previous = cur.BuildID
	}
	if *previous == buildID {
		return nil
	}
	_, err = h.SetCurrentVersion(ctx, client.WorkerDeploymentSetCurrentVersionOptions{BuildID: buildID, ConflictToken: d.ConflictToken})
	return err
}
