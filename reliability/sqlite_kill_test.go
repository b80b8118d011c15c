//go:build reliability

package reliability

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	sdkclient "go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/leadflow/leadflow/devstack"
)

// TestDevKilledWhileTemporalWrites: `leadflow dev`, the process that holds
// the embedded Temporal's SQLite file (WAL, synchronous=NORMAL since the
// tuning of issue 16), is killed with SIGKILL while 16 clients start
// workflows as fast as they can; it dies after a third of
// RELIABILITY_SQLITE_STARTS (3000) have been sent.
// Started again on the same data directory, it knows every workflow whose
// start it had acknowledged, and it keeps the history shard count the file
// was created with.
func TestDevKilledWhileTemporalWrites(t *testing.T) {
	n := envInt(t, "RELIABILITY_SQLITE_STARTS", 3000)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	t.Cleanup(func() {
		// dev started PostgreSQL in data/pg; a killed dev leaves it running.
		if pg, err := devstack.StartPostgres(context.Background(), filepath.Join(data, "pg"), nil); err == nil {
			_ = pg.Stop(context.Background())
		}
	})

	dev := startDev(t, dir, data, "first")
	tc := dialDev(t, data)
	var (
		mu    sync.Mutex
		acked []string
		wg    sync.WaitGroup
		next  = make(chan int)
	)
	for range 16 {
		wg.Go(func() {
			for i := range next {
				id := fmt.Sprintf("sqlite-kill-%d", i)
				// No worker polls this queue: a start only writes to persistence.
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				_, err := tc.ExecuteWorkflow(ctx, sdkclient.StartWorkflowOptions{ID: id, TaskQueue: "sqlite-kill"}, "Nothing")
				cancel()
				if err == nil {
					mu.Lock()
					acked = append(acked, id)
					mu.Unlock()
				}
			}
		})
	}
	// Killed a third of the way in, with 16 starts in flight.
	for i := range n / 3 {
		next <- i
	}
	_ = dev.Process.Signal(syscall.SIGKILL)
	close(next)
	wg.Wait()
	_ = dev.Wait()
	tc.Close()
	mu.Lock()
	got := append([]string(nil), acked...)
	mu.Unlock()
	t.Logf("dev killed (SIGKILL) after %d acknowledged workflow starts", len(got))
	if len(got) == 0 {
		t.Fatal("no start was acknowledged before the kill")
	}

	shards, err := os.ReadFile(filepath.Join(data, "temporal.db.shards"))
	if err != nil {
		t.Fatal(err)
	}
	dev = startDev(t, dir, data, "second")
	defer func() { _ = dev.Process.Signal(syscall.SIGTERM); _ = dev.Wait() }()
	tc = dialDev(t, data)
	defer tc.Close()
	missing := 0
	for _, id := range got {
		if _, err := tc.DescribeWorkflowExecution(context.Background(), id, ""); err != nil {
			missing++
			if missing <= 5 {
				t.Errorf("acknowledged workflow %s is gone after the SIGKILL: %v", id, err)
			}
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged workflow starts lost", missing, len(got))
	}
	log, _ := os.ReadFile(filepath.Join(dir, "dev-second.log"))
	want := "history_shards=" + strings.TrimSpace(string(shards))
	if !strings.Contains(string(log), want) {
		t.Errorf("the restarted dev does not log %q:\n%s", want, tail(filepath.Join(dir, "dev-second.log"), 3000))
	}
	t.Logf("all %d acknowledged starts survived; the database kept its %s history shards", len(got), strings.TrimSpace(string(shards)))
}

// startDev runs `leadflow dev` on data and waits for its banner.
func startDev(t *testing.T, dir, data, name string) *exec.Cmd {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, "dev-"+name+".log")
	lf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lf.Close() })
	cmd := exec.Command(binary, "dev", "-temporal-port", "0")
	cmd.Env = append(os.Environ(), "LEADFLOW_DATA_DIR="+data, "LEADFLOW_HTTP_ADDR=127.0.0.1:"+strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = lf, lf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	begin := time.Now()
	for {
		b, _ := os.ReadFile(logPath)
		if strings.Contains(string(b), "leadflow is running") {
			return cmd
		}
		if time.Since(begin) > 2*time.Minute {
			t.Fatalf("leadflow dev (%s) did not start:\n%s", name, tail(logPath, 4000))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// dialDev connects to the Temporal server of the dev stack on data.
func dialDev(t *testing.T, data string) sdkclient.Client {
	t.Helper()
	f, err := os.Open(filepath.Join(data, "dev.env"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var address string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "TEMPORAL_ADDRESS="); ok {
			address = v
		}
	}
	c, err := sdkclient.DialContext(context.Background(), sdkclient.Options{HostPort: address,
		Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
