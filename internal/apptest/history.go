package apptest

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"
)

var recordHistory = flag.Bool("record-history", false,
	"write the workflow histories tests name with RecordHistory to workflows/testdata/<type>/ for the replay test")

// Recording says whether the tests run with -record-history.
func Recording() bool { return *recordHistory }

// RecordHistory, with -record-history, writes the history of workflow id
// (its latest run) to workflows/testdata/<workflow type>/<name>.json, the
// file workflows.TestReplay replays against the current code. Without the
// flag it does nothing. Call it when the workflow is in the state worth
// keeping (closed, or waiting where a long-lived one waits).
func RecordHistory(t testing.TB, tc client.Client, id, name string) {
	t.Helper()
	if !*recordHistory {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	it := tc.GetWorkflowHistory(ctx, id, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var h historypb.History
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatalf("record history of %s: %v", id, err)
		}
		h.Events = append(h.Events, e)
	}
	if len(h.Events) == 0 {
		t.Fatalf("record history of %s: no events", id)
	}
	typ := h.Events[0].GetWorkflowExecutionStartedEventAttributes().GetWorkflowType().GetName()
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(&h)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(testdataDir(t), typ, name+".json")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d events of %s to %s", len(h.Events), id, path)
}

// RecordHistoryOfType is RecordHistory of the latest workflow of type typ
// the test started, once one of them has completed (up to 30 s; then the
// latest one, still running). For workflows a test does not name.
func RecordHistoryOfType(t testing.TB, tc client.Client, typ, name string) {
	t.Helper()
	if !*recordHistory {
		return
	}
	id, err := latestOfType(tc, typ)
	if err != nil {
		t.Fatalf("record history of a %s: %v", typ, err)
	}
	RecordHistory(t, tc, id, name)
}

// latestOfType is the id of the latest completed workflow of type typ,
// else of the latest one.
func latestOfType(tc client.Client, typ string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	list := func(query string) (string, error) {
		r, err := tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query, PageSize: 1})
		if err != nil || len(r.GetExecutions()) == 0 {
			return "", err
		}
		return r.GetExecutions()[0].GetExecution().GetWorkflowId(), nil
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		id, err := list(fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Completed'", typ))
		if err != nil || id != "" {
			return id, err
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	id, err := list(fmt.Sprintf("WorkflowType = '%s'", typ))
	if err == nil && id == "" {
		err = fmt.Errorf("the test started none")
	}
	return id, err
}

// testdataDir is the module's workflows/testdata, found from the test's
// working directory (its package's directory).
func testdataDir(t testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "workflows", "testdata")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("record history: no go.mod above the working directory")
		}
		dir = parent
	}
}

// CompletedTask is one WorkflowTaskCompleted event of a history: the
// build that completed it and the versioning behaviour it reported (Worker
// Versioning records both), and whether a timer had fired before it.
type CompletedTask struct {
	// Build is the build id of the worker that completed it ("" unversioned).
	Build string
	// Behavior is the versioning behaviour that worker reported.
	Behavior enums.VersioningBehavior
	// AfterTimer says a timer had fired earlier in the history.
	AfterTimer bool
	// At is when the task was completed.
	At time.Time
}

// CompletedTasks lists the completed workflow tasks of workflow id.
func CompletedTasks(ctx context.Context, tc client.Client, id string) ([]CompletedTask, error) {
	var tasks []CompletedTask
	fired := false
	it := tc.GetWorkflowHistory(ctx, id, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return tasks, err
		}
		switch e.GetEventType() {
		case enums.EVENT_TYPE_TIMER_FIRED:
			fired = true
		case enums.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
			a := e.GetWorkflowTaskCompletedEventAttributes()
			tasks = append(tasks, CompletedTask{Build: a.GetDeploymentVersion().GetBuildId(), Behavior: a.GetVersioningBehavior(),
				AfterTimer: fired, At: e.GetEventTime().AsTime()})
		}
	}
	return tasks, nil
}

// BuildAfterTimer is the build id of the worker that completed the first
// workflow task after the first timer of workflow id fired, and whether a
// timer fired at all. An unversioned worker's build id is "".
func BuildAfterTimer(ctx context.Context, tc client.Client, id string) (build string, fired bool, err error) {
	tasks, err := CompletedTasks(ctx, tc, id)
	for _, t := range tasks {
		if t.AfterTimer {
			return t.Build, true, err
		}
	}
	return "", false, err
}

// AwaitBuildAfterTimer is BuildAfterTimer once the timer's workflow task has
// completed, polling until it has or ctx ends (then fired is false). A lead
// workflow writes its reclaim in a local activity inside that task, so the
// lead's row reads reclaimed a moment before the task's completion is in the
// history: a test that waited for the row waits here for the history too.
func AwaitBuildAfterTimer(ctx context.Context, tc client.Client, id string) (build string, fired bool, err error) {
	for {
		build, fired, err = BuildAfterTimer(ctx, tc, id)
		if fired || err != nil {
			return build, fired, err
		}
		select {
		case <-ctx.Done():
			return build, fired, err
		case <-time.After(100 * time.Millisecond):
		}
	}
}
