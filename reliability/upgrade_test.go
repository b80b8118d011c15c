//go:build reliability

package reliability

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/workflows"
)

// TestUpgradeWithTimersPending performs one rolling upgrade of versioned
// workers (docs/upgrading.md) while leads wait on timers:
// RELIABILITY_UPGRADE_LEADS (40) leads are assigned in a pool with
// no_follow_up_after 40s under worker build A, the deployment's current
// version. The API is then replaced first (a new process; it has no build
// of its own to match) and assigns a quarter more leads while A still runs,
// and a bulk action (pinned) starts tagging half as many pooled leads, one
// a second. Build B is started beside A and made current with `leadflow
// deploy set-current`, as an operator would; the bulk action drains on A
// (every one of its workflow tasks completed by A, the last after B became
// current), then A is killed with SIGKILL. Every timer fires and is handled
// by B (the build id of the workflow task after the TimerFired event),
// every lead is reclaimed exactly once, and no workflow is left with a
// workflow task pending.
func TestUpgradeWithTimersPending(t *testing.T) {
	n := envInt(t, "RELIABILITY_UPGRADE_LEADS", 40)
	s := newStack(t, "LEADFLOW_MIN_POLICY_DURATION=1s", "LEADFLOW_WORKER_VERSIONING=on", "LEADFLOW_DEPLOYMENT=leadflow")
	s.startWorkerBuild("build-a", "LEADFLOW_SET_CURRENT=1", "LEADFLOW_BULK_RATE=1")
	s.startAPI()
	repID, _ := s.poolWithRep(`{"distribution":"claim_only","no_follow_up_after":"40s"}`)
	drain := s.createLeads("Drain", n/2, nil)

	begin := time.Now()
	ids := s.assignedLeads("Upgrade", n, repID)
	// The API of the new release goes out before the workers.
	s.api.stop()
	s.startAPI()
	ids = append(ids, s.assignedLeads("UpgradeLate", n/4+1, repID)...)
	lastAssigned := time.Now()
	pending := s.count(`SELECT count(*) FROM leads WHERE company LIKE 'Upgrade%' AND status = 'assigned' AND owner_id = $1`, repID)
	t.Logf("%d leads assigned under build A in %v (the API replaced after %d); %d hold a pending reclaim timer",
		len(ids), lastAssigned.Sub(begin).Round(time.Millisecond), n, pending)
	if pending != len(ids) {
		t.Fatalf("only %d of %d leads hold a timer before the upgrade (raise the timer)", pending, len(ids))
	}

	var job struct{ ID, Status string }
	s.must(http.StatusAccepted, &job, http.MethodPost, "/api/v1/bulk-actions", s.admin, map[string]any{
		"action": "add_tags", "filter": map[string]string{"status": "pooled", "company": "Drain Works"},
		"params": map[string][]string{"tags": {"drained"}}}, "Idempotency-Key", "upgrade-drain")

	a := s.worker
	s.startWorkerBuild("build-b")
	out := s.run("deploy", "set-current", "-build-id", "build-b")
	current := time.Now()
	t.Logf("build B current %v after the last assignment, beside A: %s", current.Sub(lastAssigned).Round(time.Millisecond), strings.TrimSpace(out))
	s.waitFor(5*time.Minute, "the bulk action to drain on build A", func() bool {
		s.must(http.StatusOK, &job, http.MethodGet, "/api/v1/bulk-actions/"+job.ID, s.admin, nil)
		return job.Status != "running"
	})
	drained := time.Now()
	a.kill()
	t.Logf("the bulk action of %d leads %s %v after B became current; build A killed then, %v after the last assignment; describe:\n%s",
		len(drain), job.Status, drained.Sub(current).Round(time.Millisecond), drained.Sub(lastAssigned).Round(time.Millisecond), s.run("deploy", "describe"))
	if tagged := s.count(`SELECT count(*) FROM leads WHERE company LIKE 'Drain Works %' AND 'drained' = ANY(tags)`); job.Status != "done" || tagged != len(drain) {
		t.Errorf("the bulk action ended %s with %d of %d leads tagged", job.Status, tagged, len(drain))
	}
	tasks, err := apptest.CompletedTasks(s.ctx, s.tc, workflows.BulkWorkflowID(job.ID))
	if err != nil || len(tasks) == 0 {
		t.Fatalf("bulk history: %v", err)
	}
	for _, task := range tasks {
		if task.Build != "build-a" || task.Behavior != enums.VERSIONING_BEHAVIOR_PINNED {
			t.Errorf("a task of the pinned bulk action ran on %q as %v", task.Build, task.Behavior)
		}
	}
	if last := tasks[len(tasks)-1].At; !last.After(current) {
		t.Errorf("the bulk action ended at %v, before B became current at %v: nothing drained (more leads)", last, current)
	}
	if drained.After(lastAssigned.Add(40 * time.Second)) {
		t.Logf("warning: build A was killed after the last timer was due")
	}

	took := s.waitFor(5*time.Minute, "every timer to fire after the upgrade", func() bool {
		return s.count(`SELECT count(*) FROM leads WHERE company LIKE 'Upgrade%' AND status = 'pooled'`) == len(ids)
	})
	t.Logf("all %d leads reclaimed %v after build A was killed", len(ids), took.Round(time.Millisecond))
	if bad := s.withoutOneEvent("Upgrade%", "reclaimed"); bad != 0 {
		t.Errorf("%d leads without exactly one reclaimed event", bad)
	}
	ctx, cancel := context.WithTimeout(s.ctx, 2*time.Minute)
	defer cancel()
	builds := map[string]int{}
	stuck := 0
	for _, id := range ids {
		build, fired, err := apptest.AwaitBuildAfterTimer(ctx, s.tc, workflows.WorkflowID(id))
		if err != nil {
			t.Fatalf("history of %s: %v", id, err)
		}
		if !fired {
			build = "(no timer fired)"
		}
		builds[build]++
		d, err := s.tc.DescribeWorkflowExecution(ctx, workflows.WorkflowID(id), "")
		if err != nil {
			t.Fatalf("describe %s: %v", id, err)
		}
		if d.GetPendingWorkflowTask() != nil {
			stuck++
		}
	}
	if builds["build-b"] != len(ids) {
		t.Errorf("the timers' workflow tasks were handled by %v; want all %d by build-b", builds, len(ids))
	}
	if stuck != 0 {
		t.Errorf("%d workflows still have a workflow task pending", stuck)
	}
	reclaimed := s.count(`SELECT count(*) FROM leads WHERE company LIKE 'Upgrade%' AND status = 'pooled'`)
	t.Logf("upgrade A→B: leads %d, timers pending at the upgrade %d, reclaimed %d, handled by %s, stuck %d, lost %d",
		len(ids), pending, reclaimed, fmt.Sprint(builds), stuck, len(ids)-reclaimed)
}

// startWorkerBuild starts `leadflow worker` as build id build (the same
// binary: LEADFLOW_BUILD_ID), with extra environment, and waits until it
// polls.
func (s *stack) startWorkerBuild(build string, extra ...string) {
	s.t.Helper()
	env := s.env
	defer func() { s.env = env }()
	s.env = append(append(append([]string{}, env...), "LEADFLOW_BUILD_ID="+build), extra...)
	s.startWorker()
}
