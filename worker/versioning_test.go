package worker_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/server"
	"github.com/leadflow/leadflow/worker"
	"github.com/leadflow/leadflow/workflows"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// TestVersioningFromEnv: versioning is off unless asked for; on, it needs a
// build id (a test binary has none stamped) and takes the default deployment.
func TestVersioningFromEnv(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want worker.Versioning
		err  bool
	}{
		{env: map[string]string{}, want: worker.Versioning{}},
		{env: map[string]string{"LEADFLOW_WORKER_VERSIONING": "on", "LEADFLOW_BUILD_ID": "b1"},
			want: worker.Versioning{On: true, Deployment: worker.DefaultDeployment, BuildID: "b1"}},
		{env: map[string]string{"LEADFLOW_WORKER_VERSIONING": "on", "LEADFLOW_BUILD_ID": "b2", "LEADFLOW_DEPLOYMENT": "crm", "LEADFLOW_SET_CURRENT": "1"},
			want: worker.Versioning{On: true, Deployment: "crm", BuildID: "b2", SetCurrent: true}},
		{env: map[string]string{"LEADFLOW_WORKER_VERSIONING": "on"}, err: true},
		{env: map[string]string{"LEADFLOW_WORKER_VERSIONING": "yes", "LEADFLOW_BUILD_ID": "b1"}, err: true},
		{env: map[string]string{"LEADFLOW_SET_CURRENT": "1"}, err: true},
		{env: map[string]string{"LEADFLOW_WORKER_VERSIONING": "on", "LEADFLOW_BUILD_ID": "b1", "LEADFLOW_DEPLOYMENT": "a.b"}, err: true},
	} {
		for _, k := range []string{"LEADFLOW_WORKER_VERSIONING", "LEADFLOW_BUILD_ID", "LEADFLOW_DEPLOYMENT", "LEADFLOW_SET_CURRENT"} {
			t.Setenv(k, c.env[k])
		}
		got, err := worker.VersioningFromEnv()
		if (err != nil) != c.err || (err == nil && got != c.want) {
			t.Errorf("%v: got %+v, %v; want %+v (error %v)", c.env, got, err, c.want, c.err)
		}
	}
}

// TestUpgradeWithTimersPending performs one upgrade in process: build A is
// the current version when three leads are claimed in a pool whose
// no-follow-up reclaim fires 5 s later; A stops, build B starts and makes
// itself current, and every reclaim timer fires and is handled under B
// (the lead workflow auto-upgrades), none lost. The same holds when A is an
// unversioned worker (versioning turned on by the upgrade).
func TestUpgradeWithTimersPending(t *testing.T) {
	for _, from := range []string{"build-a", ""} {
		t.Run("from="+from, func(t *testing.T) { upgradeWithTimersPending(t, from) })
	}
}

func upgradeWithTimersPending(t *testing.T, from string) {
	db := testenv.Store(t)
	tc, ns := testenv.Temporal(t)
	ctx := context.Background()
	start := func(build string) sdkworker.Worker {
		t.Helper()
		cfg := worker.Config{Temporal: tc, Namespace: ns, Store: db, NoDigestSchedule: true,
			Webhooks: worker.Webhooks{Guard: apptest.LocalHooks}}
		if build != "" {
			cfg.Versioning = worker.Versioning{On: true, BuildID: build, SetCurrent: true}
		}
		w, err := worker.Start(ctx, cfg)
		if err != nil {
			t.Fatalf("worker %q: %v", build, err)
		}
		return w
	}
	a := start(from)
	s := apptest.StackOn(t, db, tc, server.Config{})
	repID, rep := s.CreateRep("Vera", 10)
	poolID := s.CreatePool(fmt.Sprintf(`{"name":"Upgrade pool","scope":"global","member_ids":[%q],"policy":{"distribution":"claim_only","no_follow_up_after":"5s"}}`, repID))
	ids := s.ClaimedLeads(poolID, rep, "Upgrade Works", "1380013900", 3)
	a.Stop()
	b := start("build-b")
	defer b.Stop()
	for _, id := range ids {
		s.WaitFor(30*time.Second, "the reclaim of "+id+" under build B", func() bool {
			return s.GetLead(id).Status == lead.StatusPooled
		})
		wait, cancel := context.WithTimeout(ctx, 10*time.Second)
		build, fired, err := apptest.AwaitBuildAfterTimer(wait, tc, workflows.WorkflowID(id))
		cancel()
		if err != nil || !fired || build != "build-b" {
			t.Fatalf("lead %s: timer fired %v, handled by build %q (%v); want build-b", id, fired, build, err)
		}
	}
	if from != "" {
		// A lead's history across an upgrade (claimed on A, reclaimed on B) for the replay test.
		apptest.RecordHistory(t, tc, workflows.WorkflowID(ids[0]), "lead_claim_upgrade_reclaim")
	}
	// The behaviours reach the server: a lead auto-upgrades, an export is pinned.
	e := s.RunExport(s.Admin, `{"format":"csv","filters":{"status":"pooled"}}`)
	for id, want := range map[string]enums.VersioningBehavior{
		workflows.WorkflowID(ids[0]):     enums.VERSIONING_BEHAVIOR_AUTO_UPGRADE,
		workflows.ExportWorkflowID(e.ID): enums.VERSIONING_BEHAVIOR_PINNED,
	} {
		tasks, err := apptest.CompletedTasks(ctx, tc, id)
		if err != nil || len(tasks) == 0 {
			t.Fatalf("%s: %v", id, err)
		}
		if last := tasks[len(tasks)-1]; last.Build != "build-b" || last.Behavior != want {
			t.Errorf("%s: last task by build %q as %v; want build-b, %v", id, last.Build, last.Behavior, want)
		}
	}
}
