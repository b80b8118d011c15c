package worker

import (
	"fmt"
	"os"
	"strconv"

	sdkworker "go.temporal.io/sdk/worker"
)

// Tuning is how many tasks the worker polls for and runs at once. Zero
// fields take the defaults below, measured on a 2-core machine (see
// BENCHMARKS.md); a worker of a real cluster with more cores raises them.
type Tuning struct {
	// WorkflowPollers is the number of concurrent workflow-task long polls
	// (LEADFLOW_WORKFLOW_POLLERS, default 16; the SDK's own default of 2
	// leaves tasks waiting in the queue: p99 of seconds at 32 clients).
	WorkflowPollers int
	// ActivityPollers is the number of activity-task long polls
	// (LEADFLOW_ACTIVITY_POLLERS, default 4).
	ActivityPollers int
	// WorkflowTasks bounds the workflow tasks run at once
	// (LEADFLOW_WORKFLOW_TASKS, default the SDK's 1000).
	WorkflowTasks int
	// Activities bounds the activities, local ones included, run at once
	// (LEADFLOW_ACTIVITIES, default the SDK's 1000).
	Activities int
	// WorkflowCache is how many workflow executions the process keeps in
	// memory between their tasks (LEADFLOW_WORKFLOW_CACHE, default
	// DefaultWorkflowCache). The SDK's cache is process-wide: the first
	// worker of a process sets it.
	WorkflowCache int
}

// DefaultTuning is the tuning of a worker with nothing set.
var DefaultTuning = Tuning{WorkflowPollers: 16, ActivityPollers: 4}

// TuningFromEnv reads LEADFLOW_WORKFLOW_POLLERS, LEADFLOW_ACTIVITY_POLLERS,
// LEADFLOW_WORKFLOW_TASKS, LEADFLOW_ACTIVITIES and LEADFLOW_WORKFLOW_CACHE;
// unset ones stay zero (the default).
func TuningFromEnv() (Tuning, error) {
	var t Tuning
	for _, v := range []struct {
		name string
		dst  *int
	}{
		{"LEADFLOW_WORKFLOW_POLLERS", &t.WorkflowPollers},
		{"LEADFLOW_ACTIVITY_POLLERS", &t.ActivityPollers},
		{"LEADFLOW_WORKFLOW_TASKS", &t.WorkflowTasks},
		{"LEADFLOW_ACTIVITIES", &t.Activities},
		{"LEADFLOW_WORKFLOW_CACHE", &t.WorkflowCache},
	} {
		s := os.Getenv(v.name)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return t, fmt.Errorf("%s: %q is not a positive number", v.name, s)
		}
		*v.dst = n
	}
	return t, nil
}

// options are the SDK worker options of t, defaults filled in.
func (t Tuning) options() sdkworker.Options {
	if t.WorkflowPollers <= 0 {
		t.WorkflowPollers = DefaultTuning.WorkflowPollers
	}
	if t.ActivityPollers <= 0 {
		t.ActivityPollers = DefaultTuning.ActivityPollers
	}
	return sdkworker.Options{
		MaxConcurrentWorkflowTaskPollers:        t.WorkflowPollers,
		MaxConcurrentActivityTaskPollers:        t.ActivityPollers,
		MaxConcurrentWorkflowTaskExecutionSize:  t.WorkflowTasks,
		MaxConcurrentActivityExecutionSize:      t.Activities,
		MaxConcurrentLocalActivityExecutionSize: t.Activities,
	}
}
