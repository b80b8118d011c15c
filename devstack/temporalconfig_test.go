package devstack

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// schedulerGoroutines counts the goroutines of the history service's task
// schedulers in this process.
func schedulerGoroutines() (fifo, sequential int) {
	buf := make([]byte, 64<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		switch {
		case bytes.Contains(g, []byte("common/tasks.(*FIFOScheduler[")):
			fifo++
		case bytes.Contains(g, []byte("common/tasks.(*SequentialScheduler[")):
			sequential++
		}
	}
	return fifo, sequential
}

// TestTemporalSchedulerWorkers checks that the server applies the sizes of
// its task schedulers (temporalDynamicConfig): with the server's defaults,
// one server runs over 1,500 scheduler goroutines and 640 replication ones.
// Not parallel: it counts every goroutine of the process.
func TestTemporalSchedulerWorkers(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	fifo0, seq0 := schedulerGoroutines()
	srv, err := StartTemporal(ctx, TemporalOptions{DBPath: filepath.Join(t.TempDir(), "temporal.db"), Logger: testLogger(t, slog.LevelWarn)})
	if err != nil {
		t.Fatalf("StartTemporal: %v", err)
	}
	defer srv.Stop()
	c, w := dialAndWork(t, srv)
	defer c.Close()
	defer w.Stop()
	fifo, seq := schedulerGoroutines()
	fifo, seq = fifo-fifo0, seq-seq0
	t.Logf("scheduler goroutines: %d FIFO, %d sequential", fifo, seq)
	// Timers, transfers and visibility at schedulerWorkers each, the
	// in-memory timers at the server's 64, archival at replicationWorkers.
	if most := 3*schedulerWorkers + 64 + replicationWorkers; fifo > most || fifo < schedulerWorkers {
		t.Errorf("%d FIFO scheduler goroutines, want %d to %d", fifo, schedulerWorkers, most)
	}
	if most := 2 * replicationWorkers; seq > most {
		t.Errorf("%d replication scheduler goroutines, want at most %d", seq, most)
	}
}
