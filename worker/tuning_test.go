package worker_test

import (
	"testing"

	"github.com/leadflow/leadflow/worker"
)

// TestTuningFromEnv: every worker setting is read from the environment in
// one place, and a value that is not a positive number is refused.
func TestTuningFromEnv(t *testing.T) {
	t.Setenv("LEADFLOW_WORKFLOW_POLLERS", "8")
	t.Setenv("LEADFLOW_ACTIVITY_POLLERS", "2")
	t.Setenv("LEADFLOW_WORKFLOW_TASKS", "100")
	t.Setenv("LEADFLOW_ACTIVITIES", "50")
	t.Setenv("LEADFLOW_WORKFLOW_CACHE", "500")
	got, err := worker.TuningFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if want := (worker.Tuning{WorkflowPollers: 8, ActivityPollers: 2, WorkflowTasks: 100, Activities: 50, WorkflowCache: 500}); got != want {
		t.Fatalf("tuning %+v, want %+v", got, want)
	}
	t.Setenv("LEADFLOW_WORKFLOW_CACHE", "lots")
	if _, err := worker.TuningFromEnv(); err == nil {
		t.Fatal("LEADFLOW_WORKFLOW_CACHE=lots was taken")
	}
}
