package devstack

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
)

// TestTemporalPostgres: the Temporal server persisted in PostgreSQL creates
// its two databases and their schemas, registers the namespace, runs
// workflows and custom search attributes on SQL visibility; started again
// it applies nothing twice, keeps the shard count its database was created
// with whatever it is asked, and carries on a waiting workflow.
func TestTemporalPostgres(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	log := testLogger(t, slog.LevelInfo)
	pg, err := StartPostgres(ctx, filepath.Join(t.TempDir(), "pg"), log)
	if err != nil {
		t.Fatalf("StartPostgres: %v", err)
	}
	t.Cleanup(func() { _ = pg.Stop(context.Background()) })
	opts := PostgresTemporalOptions{TemporalOptions: TemporalOptions{Namespace: "leadflow-test", Logger: log, Shards: 3},
		PostgresURL: pg.URL(), MaxConns: 4}

	begin := time.Now()
	srv, err := StartTemporalPostgres(ctx, opts)
	if err != nil {
		t.Fatalf("StartTemporalPostgres: %v", err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	t.Logf("first start (databases, schemas, namespace) took %v", time.Since(begin))
	if srv.HistoryShards() != 3 {
		t.Fatalf("HistoryShards() = %d, want 3", srv.HistoryShards())
	}
	c, w := dialAndWork(t, srv)
	if _, err := c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: srv.Namespace(), SearchAttributes: map[string]enumspb.IndexedValueType{"LeadStatus": enumspb.INDEXED_VALUE_TYPE_KEYWORD},
	}); err != nil {
		t.Fatalf("AddSearchAttributes: %v", err)
	}
	requireSearchAttribute(t, ctx, c, srv.Namespace(), "LeadStatus")
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "lead-pg", TaskQueue: testTaskQueue}, leadWorkflow)
	if err != nil {
		t.Fatalf("ExecuteWorkflow: %v", err)
	}
	if _, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: run.GetID(), UpdateName: statusUpdate,
		Args: []any{"contacted"}, WaitForStage: client.WorkflowUpdateStageCompleted}); err != nil {
		t.Fatalf("update: %v", err)
	}
	waitVisible(t, ctx, c, `WorkflowId = "lead-pg" AND LeadStatus = "contacted"`)
	w.Stop()
	c.Close()
	if err := srv.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}

	opts.Shards = 8 // ignored: the database has 3
	begin = time.Now()
	srv2, err := StartTemporalPostgres(ctx, opts)
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	t.Cleanup(func() { _ = srv2.Stop() })
	t.Logf("restart took %v", time.Since(begin))
	if srv2.HistoryShards() != 3 {
		t.Fatalf("after a restart asking for 8, HistoryShards() = %d, want the database's 3", srv2.HistoryShards())
	}
	c2, w2 := dialAndWork(t, srv2)
	defer c2.Close()
	defer w2.Stop()
	if err := c2.SignalWorkflow(ctx, "lead-pg", "", finishSignal, "Bob"); err != nil {
		t.Fatalf("signal after restart: %v", err)
	}
	var result string
	if err := c2.GetWorkflow(ctx, "lead-pg", "").Get(ctx, &result); err != nil || result != "contacted by Bob" {
		t.Fatalf("waiting workflow after restart: %q, %v", result, err)
	}
	waitVisible(t, ctx, c2, `WorkflowId = "lead-pg" AND ExecutionStatus = "Completed"`)
}
