package devstack

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// testLogger returns a slog.Logger writing to t.Log at level and above.
func testLogger(t *testing.T, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: level}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	log := testLogger(t, slog.LevelInfo)
	dir := filepath.Join(t.TempDir(), "data", "pg")

	begin := time.Now()
	pg, err := StartPostgres(ctx, dir, log)
	if err != nil {
		t.Fatalf("StartPostgres: %v", err)
	}
	t.Cleanup(func() { _ = pg.Stop(context.Background()) })
	t.Logf("first start (initdb included) took %v, url %s", time.Since(begin), pg.URL())

	if !strings.HasPrefix(pg.URL(), "postgres://leadflow:") || !strings.HasSuffix(pg.URL(), "/leadflow?sslmode=disable") {
		t.Fatalf("unexpected URL %q", pg.URL())
	}
	// The cluster takes password logins only; the password is kept 0600.
	if fi, err := os.Stat(dir + ".password"); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("password file: %v %v", fi, err)
	}
	noPassword := strings.Replace(pg.URL(), ":"+pg.password+"@", "@", 1)
	if conn, err := pgx.Connect(ctx, noPassword); err == nil {
		conn.Close(ctx)
		t.Fatal("a login without the password was let in")
	}
	pgExec(t, ctx, pg.URL(), "CREATE TABLE leads (id int PRIMARY KEY, name text)")
	pgExec(t, ctx, pg.URL(), "INSERT INTO leads VALUES (1, 'Ada')")

	// A second start while the first server still runs (as after a killed
	// `leadflow dev`) reuses the running server.
	again, err := StartPostgres(ctx, dir, log)
	if err != nil {
		t.Fatalf("StartPostgres on a running cluster: %v", err)
	}
	if again.URL() != pg.URL() {
		t.Fatalf("reuse of running cluster: URL %q, want %q", again.URL(), pg.URL())
	}

	begin = time.Now()
	if err := pg.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	t.Logf("stop took %v", time.Since(begin))
	if err := pg.Stop(ctx); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if err := again.Stop(ctx); err != nil {
		t.Fatalf("Stop of the already stopped server: %v", err)
	}

	begin = time.Now()
	pg2, err := StartPostgres(ctx, dir, log)
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	t.Cleanup(func() { _ = pg2.Stop(context.Background()) })
	t.Logf("restart took %v", time.Since(begin))

	conn, err := pgx.Connect(ctx, pg2.URL())
	if err != nil {
		t.Fatalf("connect after restart: %v", err)
	}
	defer conn.Close(ctx)
	var name string
	if err := conn.QueryRow(ctx, "SELECT name FROM leads WHERE id = 1").Scan(&name); err != nil {
		t.Fatalf("query after restart: %v", err)
	}
	if name != "Ada" {
		t.Fatalf("name = %q, want Ada", name)
	}

	// Per-test databases through AdminURL.
	pgExec(t, ctx, pg2.AdminURL("postgres"), "CREATE DATABASE harness_one")
	pgExec(t, ctx, pg2.AdminURL("harness_one"), "CREATE TABLE t (x int)")

	if err := pg2.Stop(ctx); err != nil {
		t.Fatalf("final Stop: %v", err)
	}
}

func pgExec(t *testing.T, ctx context.Context, url, sql string) {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

const (
	testTaskQueue = "devstack-test"
	statusUpdate  = "set-status"
	finishSignal  = "finish"
)

var leadStatusKey = temporal.NewSearchAttributeKeyKeyword("LeadStatus")

// greetWorkflow completes at once.
func greetWorkflow(ctx workflow.Context, name string) (string, error) {
	return "hello " + name, nil
}

// leadWorkflow keeps a status, changed by an update that also upserts the
// LeadStatus search attribute, until it is signalled to finish.
func leadWorkflow(ctx workflow.Context) (string, error) {
	status := "new"
	err := workflow.SetUpdateHandlerWithOptions(ctx, statusUpdate,
		func(ctx workflow.Context, s string) (string, error) {
			prev := status
			status = s
			return prev, workflow.UpsertTypedSearchAttributes(ctx, leadStatusKey.ValueSet(s))
		},
		workflow.UpdateHandlerOptions{
			Validator: func(ctx workflow.Context, s string) error {
				if s == "" {
					return errors.New("empty status")
				}
				return nil
			},
		})
	if err != nil {
		return "", err
	}
	var by string
	workflow.GetSignalChannel(ctx, finishSignal).Receive(ctx, &by)
	return status + " by " + by, nil
}

func dialAndWork(t *testing.T, srv *Temporal) (client.Client, worker.Worker) {
	t.Helper()
	c, err := client.Dial(client.Options{
		HostPort:  srv.Address(),
		Namespace: srv.Namespace(),
		Logger:    sdklog.NewStructuredLogger(testLogger(t, slog.LevelWarn)),
	})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	w := worker.New(c, testTaskQueue, worker.Options{})
	w.RegisterWorkflow(greetWorkflow)
	w.RegisterWorkflow(leadWorkflow)
	if err := w.Start(); err != nil {
		c.Close()
		t.Fatalf("worker start: %v", err)
	}
	return c, w
}

func TestTemporal(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	log := testLogger(t, slog.LevelInfo)
	dbPath := filepath.Join(t.TempDir(), "state", "temporal.db")

	begin := time.Now()
	srv, err := StartTemporal(ctx, TemporalOptions{DBPath: dbPath, Namespace: "leadflow-test", Logger: log})
	if err != nil {
		t.Fatalf("StartTemporal: %v", err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	t.Logf("start took %v, address %s", time.Since(begin), srv.Address())
	if srv.Namespace() != "leadflow-test" {
		t.Fatalf("Namespace() = %q", srv.Namespace())
	}

	c, w := dialAndWork(t, srv)

	// Custom search attributes through the operator service.
	_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: srv.Namespace(),
		SearchAttributes: map[string]enumspb.IndexedValueType{
			"LeadStatus": enumspb.INDEXED_VALUE_TYPE_KEYWORD,
			"OwnerId":    enumspb.INDEXED_VALUE_TYPE_KEYWORD,
			"PoolId":     enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		},
	})
	if err != nil {
		t.Fatalf("AddSearchAttributes: %v", err)
	}
	// Registering again is how a worker behaves on every start.
	_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace:        srv.Namespace(),
		SearchAttributes: map[string]enumspb.IndexedValueType{"LeadStatus": enumspb.INDEXED_VALUE_TYPE_KEYWORD},
	})
	var exists *serviceerror.AlreadyExists
	if err != nil && !errors.As(err, &exists) {
		t.Fatalf("AddSearchAttributes again: %v", err)
	}
	requireSearchAttribute(t, ctx, c, srv.Namespace(), "LeadStatus")

	// A workflow that completes.
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "greet-1", TaskQueue: testTaskQueue}, greetWorkflow, "Ada")
	if err != nil {
		t.Fatalf("ExecuteWorkflow: %v", err)
	}
	var greeting string
	if err := run.Get(ctx, &greeting); err != nil || greeting != "hello Ada" {
		t.Fatalf("greet result %q, %v", greeting, err)
	}

	// A waiting workflow started with UpdateWithStart and a search attribute.
	startOp := c.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       "lead-1",
		TaskQueue:                testTaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		TypedSearchAttributes:    temporal.NewSearchAttributes(leadStatusKey.ValueSet("new")),
	}, leadWorkflow)
	handle, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: startOp,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateName:   statusUpdate,
			Args:         []any{"contacted"},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	if err != nil {
		t.Fatalf("UpdateWithStartWorkflow: %v", err)
	}
	var prev string
	if err := handle.Get(ctx, &prev); err != nil || prev != "new" {
		t.Fatalf("update result %q, %v", prev, err)
	}
	waitVisible(t, ctx, c, `WorkflowId = "lead-1" AND LeadStatus = "contacted"`)

	// Stop everything with the workflow still waiting.
	w.Stop()
	c.Close()
	begin = time.Now()
	if err := srv.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	t.Logf("stop took %v", time.Since(begin))
	if err := srv.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}

	// Restart on the same file and finish the waiting workflow.
	begin = time.Now()
	srv2, err := StartTemporal(ctx, TemporalOptions{DBPath: dbPath, Namespace: "leadflow-test", Logger: log})
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	t.Cleanup(func() { _ = srv2.Stop() })
	t.Logf("restart took %v", time.Since(begin))

	c2, w2 := dialAndWork(t, srv2)
	defer c2.Close()
	defer w2.Stop()
	requireSearchAttribute(t, ctx, c2, srv2.Namespace(), "OwnerId")

	if err := c2.SignalWorkflow(ctx, "lead-1", "", finishSignal, "Bob"); err != nil {
		t.Fatalf("signal after restart: %v", err)
	}
	var result string
	if err := c2.GetWorkflow(ctx, "lead-1", "").Get(ctx, &result); err != nil {
		t.Fatalf("waiting workflow after restart: %v", err)
	}
	if result != "contacted by Bob" {
		t.Fatalf("result = %q, want %q", result, "contacted by Bob")
	}
	waitVisible(t, ctx, c2, `WorkflowId = "lead-1" AND ExecutionStatus = "Completed" AND LeadStatus = "contacted"`)
}

func requireSearchAttribute(t *testing.T, ctx context.Context, c client.Client, ns, name string) {
	t.Helper()
	resp, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
	if err != nil {
		t.Fatalf("ListSearchAttributes: %v", err)
	}
	if typ := resp.GetCustomAttributes()[name]; typ != enumspb.INDEXED_VALUE_TYPE_KEYWORD {
		t.Fatalf("search attribute %s: type %v, attributes %v", name, typ, resp.GetCustomAttributes())
	}
}

// waitVisible polls the (eventually consistent) visibility store until query
// matches a workflow.
func waitVisible(t *testing.T, ctx context.Context, c client.Client, query string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		n, err := c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: query})
		if err == nil && n.GetCount() > 0 {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no workflow visible for %q: last error %v", query, err)
		case <-tick.C:
		}
	}
}

func TestTemporalInMemoryFixedPort(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	port, err := freePort("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := StartTemporal(ctx, TemporalOptions{Port: port, Logger: testLogger(t, slog.LevelInfo)})
	if err != nil {
		t.Fatalf("StartTemporal in memory: %v", err)
	}
	defer srv.Stop()
	if want := "127.0.0.1:" + strconv.Itoa(port); srv.Address() != want {
		t.Fatalf("Address() = %q, want %q", srv.Address(), want)
	}
	if srv.Namespace() != "default" {
		t.Fatalf("Namespace() = %q, want default", srv.Namespace())
	}
	// The port is taken now: a second server must fail fast and clearly.
	if _, err := StartTemporal(ctx, TemporalOptions{Port: port}); err == nil || !strings.Contains(err.Error(), "not free") {
		t.Fatalf("StartTemporal on a used port: %v", err)
	}
	c, w := dialAndWork(t, srv)
	defer c.Close()
	defer w.Stop()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: testTaskQueue}, greetWorkflow, "mem")
	if err != nil {
		t.Fatalf("ExecuteWorkflow: %v", err)
	}
	var got string
	if err := run.Get(ctx, &got); err != nil || got != "hello mem" {
		t.Fatalf("result %q, %v", got, err)
	}
}

func TestFindPostgresBinaries(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	initdb, pgCtl, err := findPostgresBinaries()
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	if len(dirs) == 0 {
		if err == nil {
			t.Fatalf("found %s, %s without PATH or /usr/lib/postgresql", initdb, pgCtl)
		}
		return
	}
	if err != nil {
		t.Fatalf("findPostgresBinaries without PATH: %v", err)
	}
	if filepath.Dir(initdb) != filepath.Dir(pgCtl) || !strings.HasPrefix(initdb, "/usr/lib/postgresql/") {
		t.Fatalf("initdb %s, pg_ctl %s", initdb, pgCtl)
	}
	for _, d := range dirs {
		if versionLess(filepath.Base(filepath.Dir(filepath.Dir(initdb))), filepath.Base(filepath.Dir(d))) && isExecutable(filepath.Join(d, "pg_ctl")) {
			t.Fatalf("picked %s although %s is newer", initdb, d)
		}
	}
}

func TestVersionLess(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{{"9.6", "10", true}, {"15", "9.6", false}, {"14", "16", true}, {"16", "16", false}} {
		if got := versionLess(c.a, c.b); got != c.want {
			t.Errorf("versionLess(%q, %q) = %v", c.a, c.b, got)
		}
	}
}
