//go:build reliability

package reliability

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	sdkclient "go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/leadflow/leadflow/devstack"
	"github.com/leadflow/leadflow/workflows"
)

// TestClusterWorkerKilledDuringBurst: on the cluster layout (`leadflow dev
// -cluster`: PostgreSQL, the standalone Temporal server persisted in it,
// two workers, two APIs behind the round-robin proxy),
// RELIABILITY_CLUSTER_RECLAIMS (200) leads are claimed by a rep in a pool
// whose no_follow_up_after is RELIABILITY_CLUSTER_TIMER (60s), then
// RELIABILITY_CLUSTER_REGISTRATIONS (2,000) public registrations are sent
// through the proxy, 16 at a time; a third of the way in worker 1 is
// killed with SIGKILL and stays dead. Worker 2 finishes everything: every
// registration Temporal accepted has one lead with one intake decision
// (none lost, none duplicated, none still received), and every claimed
// lead's reclaim timer fires once (one reclaimed event in PostgreSQL, a
// TimerFired in its history, Temporal's visibility counting one
// LeadWorkflow per lead).
func TestClusterWorkerKilledDuringBurst(t *testing.T) {
	n := envInt(t, "RELIABILITY_CLUSTER_REGISTRATIONS", 2000)
	r := envInt(t, "RELIABILITY_CLUSTER_RECLAIMS", 200)
	timer := envDuration(t, "RELIABILITY_CLUSTER_TIMER", 60*time.Second)
	s, c := startCluster(t, "LEADFLOW_MIN_POLICY_DURATION=1s")

	repToken, repID := s.createUser("Cluster Rep", "rep@cluster.test", "rep")
	var pool created
	s.must(http.StatusCreated, &pool, http.MethodPost, "/api/v1/pools", s.admin, map[string]any{
		"name": "Cluster pool", "scope": "global", "member_ids": []string{repID},
		"policy": map[string]any{"distribution": "claim_only", "no_follow_up_after": fmt.Sprintf("%ds", int(timer.Seconds()))}})
	s.must(http.StatusOK, nil, http.MethodPut, "/api/v1/rules/routing", s.admin, map[string]any{
		"rules": []any{}, "default_pool_id": pool.ID})
	begin := time.Now()
	ids := s.createLeads("Reclaim", r, func(i int, id string) {
		s.must(http.StatusOK, nil, http.MethodPost, "/api/v1/leads/"+id+"/claim", repToken, nil,
			"Idempotency-Key", fmt.Sprintf("reclaim-claim-%d", i))
	})
	claimed := time.Now()
	t.Logf("%d leads created and claimed through the proxy in %v; their reclaims are due %v after each claim",
		r, claimed.Sub(begin).Round(time.Millisecond), timer)

	var killedAt time.Time
	var pendingAtKill int
	results := s.burst("Cluster", n, 16, 0, func() {
		pendingAtKill = s.count(`SELECT count(*) FROM leads WHERE company LIKE 'Reclaim Works %' AND status = 'assigned'`)
		killedAt = time.Now()
		if err := syscall.Kill(c.pid("WORKER_1_PID"), syscall.SIGKILL); err != nil {
			t.Errorf("kill worker 1: %v", err)
		}
	})
	burstDone := time.Now()
	t.Logf("worker 1 killed (SIGKILL) %v into the burst, %d reclaim timers pending then; the burst's answers came in %v",
		killedAt.Sub(claimed).Round(time.Millisecond), pendingAtKill, burstDone.Sub(claimed).Round(time.Millisecond))
	if pendingAtKill == 0 {
		t.Errorf("every reclaim was done before the kill: raise RELIABILITY_CLUSTER_TIMER")
	}
	before := c.intakes(t, "WORKER_2_METRICS")

	reclaimed := s.waitFor(5*time.Minute, "every reclaim timer to fire", func() bool {
		return s.count(`SELECT count(*) FROM leads WHERE company LIKE 'Reclaim Works %' AND status = 'pooled'`) == r
	})
	o := s.settle("Cluster", results, 5*time.Minute)
	t.Logf("cluster, worker 1 SIGKILLed: %v", o)
	for _, st := range []int{0, http.StatusServiceUnavailable, http.StatusInternalServerError, http.StatusBadGateway} {
		for _, e := range examples(results, st) {
			t.Logf("answered %d: %s", st, e)
		}
	}
	s.check(o)
	if bad := s.withoutOneEvent("Reclaim Works %", "reclaimed"); bad != 0 {
		t.Errorf("%d claimed leads without exactly one reclaimed event", bad)
	}
	fired := s.timersFired(ids)
	if fired != r {
		t.Errorf("%d of %d claimed leads' histories show a fired timer", fired, r)
	}
	stuck := 0
	for _, id := range ids {
		d, err := s.tc.DescribeWorkflowExecution(s.ctx, workflows.WorkflowID(id), "")
		if err != nil {
			t.Fatalf("describe the workflow of %s: %v", id, err)
		}
		if len(d.GetPendingActivities()) > 0 || d.GetPendingWorkflowTask() != nil {
			stuck++
		}
	}
	if stuck != 0 {
		t.Errorf("%d reclaimed leads' workflows still have an activity or a workflow task pending", stuck)
	}
	after := c.intakes(t, "WORKER_2_METRICS")
	t.Logf("reclaims: %d claimed, %d reclaimed once each (histories with TimerFired %d), the last %v after the burst's answers; "+
		"worker 2 decided %d intakes in all, %d of them after the burst's answers",
		r, r-s.withoutOneEvent("Reclaim Works %", "reclaimed"), fired, reclaimed.Round(time.Millisecond), after, after-before)
	if after == 0 {
		t.Errorf("worker 2 decided no intake")
	}
	c.logPeakRSS(t)
}

// cluster is a running `leadflow dev -cluster`.
type cluster struct {
	dir  string            // its data directory
	info map[string]string // its cluster.env
}

func (c *cluster) pid(key string) int {
	n, _ := strconv.Atoi(c.info[key])
	return n
}

// intakes is the intake decisions a worker counts on its /metrics.
func (c *cluster) intakes(t *testing.T, key string) int {
	res, err := http.Get(c.info[key])
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	defer res.Body.Close()
	total := 0.0
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if l := sc.Text(); strings.HasPrefix(l, `leadflow_lead_transitions_total{kind="intake"`) {
			f := strings.Fields(l)
			v, _ := strconv.ParseFloat(f[len(f)-1], 64)
			total += v
		}
	}
	return int(total)
}

// logPeakRSS logs the peak resident memory (VmHWM) of each process of the
// cluster still running, and of it the pages of the binary's file
// (RssFile), and fails the test when a leadflow api or worker process
// peaked over 300 MB. They run from the slim build (nodeBinary), about
// 36 MB of whose pages they hold; Temporal runs from the full build.
func (c *cluster) logPeakRSS(t *testing.T) {
	var parts []string
	for _, key := range []string{"TEMPORAL_PID", "WORKER_1_PID", "WORKER_2_PID", "API_1_PID", "API_2_PID"} {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.pid(key)))
		if err != nil {
			continue // killed
		}
		kb := map[string]int{}
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && (k == "VmHWM" || k == "RssFile") {
				kb[k], _ = strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			}
		}
		name := strings.ToLower(strings.TrimSuffix(key, "_PID"))
		parts = append(parts, fmt.Sprintf("%s %d MB (file %d MB)", name, kb["VmHWM"]/1024, kb["RssFile"]/1024))
		if key != "TEMPORAL_PID" && kb["VmHWM"] > 300*1024 {
			t.Errorf("%s's peak RSS is %d MB, over 300 MB", name, kb["VmHWM"]/1024)
		}
	}
	t.Logf("peak RSS: %s", strings.Join(parts, ", "))
}

// startCluster runs `leadflow dev -cluster` in a temporary directory (with
// extra environment) until its cluster.env is written, and returns a stack
// whose requests go through its proxy.
func startCluster(t *testing.T, extra ...string) (*stack, *cluster) {
	t.Helper()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, "cluster.log")
	lf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lf.Close() })
	cmd := exec.Command(binary, "dev", "-cluster", "-temporal-port", "0")
	cmd.Env = append(append(os.Environ(), "LEADFLOW_DATA_DIR="+data, "LEADFLOW_HTTP_ADDR=127.0.0.1:"+strconv.Itoa(port),
		"LEADFLOW_TRUSTED_PROXIES=127.0.0.1/32", "LEADFLOW_LOG_FORMAT=json", "DATABASE_URL=", "TEMPORAL_ADDRESS=",
		"LEADFLOW_NODE_BINARY="+nodeBinary), extra...)
	cmd.Stdout, cmd.Stderr = lf, lf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		if t.Failed() {
			for _, name := range []string{"temporal", "worker-1", "worker-2", "api-1", "api-2"} {
				t.Logf("tail of %s's log:\n%s", name, tail(filepath.Join(data, "logs", name+".log"), 3000))
			}
			t.Logf("tail of leadflow dev -cluster's log:\n%s", tail(logPath, 3000))
		}
		_ = cmd.Process.Signal(syscall.SIGTERM) // stops its children, then PostgreSQL
		select {
		case <-done:
		case <-time.After(90 * time.Second):
			_ = cmd.Process.Kill()
			<-done
			if pg, err := devstack.StartPostgres(context.Background(), filepath.Join(data, "pg"), nil); err == nil {
				_ = pg.Stop(context.Background())
			}
		}
	})

	c := &cluster{dir: data, info: map[string]string{}}
	begin := time.Now()
	for c.info["PROXY_ADDR"] == "" {
		select {
		case <-done:
			t.Fatalf("leadflow dev -cluster exited:\n%s", tail(logPath, 4000))
		default:
		}
		if time.Since(begin) > 4*time.Minute {
			t.Fatalf("leadflow dev -cluster did not start in 4 min:\n%s", tail(logPath, 4000))
		}
		time.Sleep(250 * time.Millisecond)
		if b, err := os.ReadFile(filepath.Join(data, "cluster.env")); err == nil {
			for _, l := range strings.Split(string(b), "\n") {
				if k, v, ok := strings.Cut(l, "="); ok {
					c.info[k] = v
				}
			}
		}
	}
	t.Logf("leadflow dev -cluster ready in %v: Temporal %s (pid %s), workers %s %s, APIs %s %s behind %s",
		time.Since(begin).Round(time.Millisecond), c.info["TEMPORAL_ADDRESS"], c.info["TEMPORAL_PID"], c.info["WORKER_1_PID"],
		c.info["WORKER_2_PID"], c.info["API_1_URL"], c.info["API_2_URL"], c.info["LEADFLOW_URL"])

	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	sl, err := os.Create(filepath.Join(dir, "test.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sl.Close() })
	s := &stack{t: t, ctx: ctx, dir: dir, log: slog.New(slog.NewTextHandler(sl, nil)), apiURL: c.info["LEADFLOW_URL"],
		http: &http.Client{Timeout: 2 * time.Minute},
		env:  []string{"DATABASE_URL=" + c.info["DATABASE_URL"], "TEMPORAL_ADDRESS=" + c.info["TEMPORAL_ADDRESS"], "LEADFLOW_DATA_DIR=" + data}}
	token, err := os.ReadFile(filepath.Join(data, "admin.token"))
	if err != nil {
		t.Fatal(err)
	}
	s.admin = strings.TrimSpace(string(token))
	if s.db, err = pgxpool.New(ctx, c.info["DATABASE_URL"]); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.db.Close)
	if s.tc, err = sdkclient.DialContext(ctx, sdkclient.Options{HostPort: c.info["TEMPORAL_ADDRESS"],
		Logger: sdklog.NewStructuredLogger(s.log)}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.tc.Close)
	return s, c
}
