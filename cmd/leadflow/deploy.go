package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/leadflow/leadflow/worker"
)

// deployUsage is `leadflow deploy`'s help.
const deployUsage = `leadflow deploy — the workers' Worker Deployment (see docs/upgrading.md)

  leadflow deploy describe [-deployment NAME]
      the current and ramping versions and each version's drainage
  leadflow deploy set-current -build-id ID [-deployment NAME] [-wait 1m]
      send new workflows, and the auto-upgrade ones' next tasks, to build ID's workers
      (it waits up to -wait for one of them to poll)
  leadflow deploy set-ramping -build-id ID -percentage P [-deployment NAME]
      send P% of new workflows and auto-upgrade tasks to build ID first (-percentage 0 and
      no -build-id: stop ramping)

NAME defaults to LEADFLOW_DEPLOYMENT, else "leadflow". Needs TEMPORAL_ADDRESS.
`

// runDeploy runs `leadflow deploy describe|set-current`.
func runDeploy(ctx context.Context, cfg config, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "help" {
		fmt.Print(deployUsage)
		return nil
	}
	fs := flag.NewFlagSet("deploy "+args[0], flag.ContinueOnError)
	name := fs.String("deployment", envOr("LEADFLOW_DEPLOYMENT", worker.DefaultDeployment), "the Worker Deployment's name")
	build := fs.String("build-id", "", "set-current: the build id to make current")
	wait := fs.Duration("wait", time.Minute, "set-current: how long to wait for the version's first poller")
	percent := fs.Float64("percentage", 0, "set-ramping: the share of traffic, 0 to 100")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if err := cfg.require("TEMPORAL_ADDRESS"); err != nil {
		return err
	}
	tc, err := dialTemporal(ctx, cfg, cfg.logger(false), nil)
	if err != nil {
		return err
	}
	defer tc.Close()
	switch args[0] {
	case "describe":
		return describeDeployment(ctx, os.Stdout, tc, *name)
	case "set-current":
		if *build == "" {
			return errors.New("deploy set-current: -build-id is required")
		}
		prev, err := worker.SetCurrentVersion(ctx, tc, *name, *build, *wait)
		if err != nil {
			return err
		}
		if prev == "" {
			prev = "(unversioned workers)"
		}
		fmt.Printf("%s: current version %s (was %s)\n", *name, *build, prev)
		return nil
	case "set-ramping":
		if *percent < 0 || *percent > 100 || (*build == "") != (*percent == 0) {
			return errors.New("deploy set-ramping: -build-id and a -percentage from 0 to 100 (none and 0 to stop ramping)")
		}
		_, err := tc.WorkerDeploymentClient().GetHandle(*name).SetRampingVersion(ctx,
			client.WorkerDeploymentSetRampingVersionOptions{BuildID: *build, Percentage: float32(*percent)})
		if err != nil {
			return fmt.Errorf("ramp %s:%s: %w", *name, *build, err)
		}
		fmt.Printf("%s: ramping %q at %.0f%%\n", *name, *build, *percent)
		return nil
	}
	return fmt.Errorf("deploy: unknown command %q\n\n%s", args[0], deployUsage)
}

// describeDeployment prints deployment's routing and versions to w.
func describeDeployment(ctx context.Context, w io.Writer, tc client.Client, deployment string) error {
	d, err := tc.WorkerDeploymentClient().GetHandle(deployment).Describe(ctx, client.WorkerDeploymentDescribeOptions{})
	if err != nil {
		return fmt.Errorf("describe deployment %s: %w", deployment, err)
	}
	rc := d.Info.RoutingConfig
	current := "(unversioned workers)"
	if rc.CurrentVersion != nil {
		current = rc.CurrentVersion.BuildID
	}
	fmt.Fprintf(w, "deployment %s\ncurrent    %s (since %s)\n", deployment, current, rc.CurrentVersionChangedTime.Format(time.RFC3339))
	if rc.RampingVersion != nil {
		fmt.Fprintf(w, "ramping    %s at %.0f%%\n", rc.RampingVersion.BuildID, rc.RampingVersionPercentage)
	}
	for _, v := range d.Info.VersionSummaries {
		fmt.Fprintf(w, "version    %s created %s drainage %s\n", v.Version.BuildID, v.CreateTime.Format(time.RFC3339), drainage(v.DrainageStatus))
	}
	return nil
}

// drainage names a version's drainage status as the temporal CLI does.
func drainage(s client.WorkerDeploymentVersionDrainageStatus) string {
	switch s {
	case client.WorkerDeploymentVersionDrainageStatusDraining:
		return "draining (no longer current; pinned workflows may still run on it)"
	case client.WorkerDeploymentVersionDrainageStatusDrained:
		return "drained (safe to stop its workers)"
	}
	return "-"
}
