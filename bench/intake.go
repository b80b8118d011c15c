package bench

import (
	"context"
	"fmt"
	"math/rand/v2"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// leadBody is the body of POST /api/v1/leads for lead i of a run: a
// company and a CN mobile number unique to the run, so none is a duplicate.
func leadBody(run uint32, i int) map[string]any {
	return map[string]any{
		"company": fmt.Sprintf("Bench Trading %d-%d Co., Ltd.", run, i),
		"name":    fmt.Sprintf("Contact %d", i),
		"phone":   fmt.Sprintf("139%02d%06d", 10+run%90, i%1_000_000),
		"country": "CN",
	}
}

// benchIntake posts o.Leads leads at o.Concurrency, then runs the floors
// on the same server: o.Leads update-with-start workflows whose update
// returns at once, and o.Leads empty workflows, on a worker with 16
// workflow-task pollers.
func benchIntake(ctx context.Context, st *stack, o Options) ([]Row, error) {
	run := rand.Uint32()
	var lat latencies
	wall, failed, err := tolerant(ctx, o.Leads, o.Concurrency, &lat, func(ctx context.Context, i int) error {
		return st.call(ctx, st.admin, "POST", "/api/v1/leads", leadBody(run, i), 201, nil)
	})
	if failed == o.Leads {
		return nil, err
	}
	size := fmt.Sprintf("-leads %d -concurrency %d", o.Leads, o.Concurrency)
	rows := []Row{{fmt.Sprintf("intake: POST /api/v1/leads x%d, %d clients", o.Leads, o.Concurrency),
		rate(o.Leads-failed, wall) + ", " + lat.pcts() + failures(failed, err), o.command("intake", size)}}

	queue := fmt.Sprintf("bench-floor-%d", run)
	w, err := floorWorker(st.tc, queue, o.WorkflowPollers, func(w sdkworker.Worker) {
		w.RegisterWorkflowWithOptions(floorUpdateWorkflow, workflow.RegisterOptions{Name: "BenchFloorUpdate"})
		w.RegisterWorkflowWithOptions(floorEmptyWorkflow, workflow.RegisterOptions{Name: "BenchFloorEmpty"})
	})
	if err != nil {
		return nil, err
	}
	defer w.Stop()
	var ulat latencies
	wall, failed, err = tolerant(ctx, o.Leads, o.Concurrency, &ulat, func(ctx context.Context, i int) error {
		op := st.tc.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
			ID: fmt.Sprintf("%s-u-%d", queue, i), TaskQueue: queue,
			WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		}, "BenchFloorUpdate")
		h, err := st.tc.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
			StartWorkflowOperation: op,
			UpdateOptions:          client.UpdateWorkflowOptions{UpdateName: "intake", WaitForStage: client.WorkflowUpdateStageCompleted},
		})
		if err != nil {
			return err
		}
		return h.Get(ctx, nil)
	})
	if failed == o.Leads {
		return nil, fmt.Errorf("floor update-with-start: %w", err)
	}
	rows = append(rows, Row{fmt.Sprintf("floor: update-with-start x%d, same server, %d pollers", o.Leads, o.WorkflowPollers),
		rate(o.Leads-failed, wall) + ", " + ulat.pcts() + failures(failed, err), o.command("intake", size)})
	var elat latencies
	wall, failed, err = tolerant(ctx, o.Leads, o.Concurrency, &elat, func(ctx context.Context, i int) error {
		r, err := st.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: fmt.Sprintf("%s-e-%d", queue, i), TaskQueue: queue},
			"BenchFloorEmpty")
		if err != nil {
			return err
		}
		return r.Get(ctx, nil)
	})
	if failed == o.Leads {
		return nil, fmt.Errorf("floor empty: %w", err)
	}
	rows = append(rows, Row{fmt.Sprintf("floor: empty workflow x%d, same server, %d pollers", o.Leads, o.WorkflowPollers),
		rate(o.Leads-failed, wall) + ", " + elat.pcts() + failures(failed, err), o.command("intake", size)})
	return rows, nil
}

// failures says how many operations failed and the first error, when any did.
func failures(n int, first error) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("; %d FAILED (first: %.160s)", n, first.Error())
}

// floorUpdateWorkflow answers its "intake" update at once and ends.
func floorUpdateWorkflow(ctx workflow.Context) error {
	done := false
	if err := workflow.SetUpdateHandler(ctx, "intake", func(ctx workflow.Context) (string, error) {
		done = true
		return "ok", nil
	}); err != nil {
		return err
	}
	return workflow.Await(ctx, func() bool { return done && workflow.AllHandlersFinished(ctx) })
}

// floorEmptyWorkflow does nothing.
func floorEmptyWorkflow(workflow.Context) error { return nil }
