package api_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"github.com/leadflow/leadflow/devstack"
	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/internal/testenv"
)

// BenchmarkImport imports 10,000 rows (LEADFLOW_BENCH_IMPORT_ROWS sets
// other sizes, e.g. 100000) through POST /api/v1/imports on the stack
// `leadflow dev` runs: PostgreSQL, the embedded Temporal server on a
// SQLite file, the worker and the API in this process. It checks the
// import as TestImportRows does and reports rows/s and the process's peak
// resident memory during the import (VmHWM, reset before it starts).
//
//	go test ./api -run '^$' -bench Import -benchtime 1x
func BenchmarkImport(b *testing.B) {
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("LEADFLOW_BENCH_IMPORT_ROWS")); err == nil && v > 0 && v%50 == 0 {
		n = v
	}
	b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
		for range b.N {
			s := benchStack(b)
			resetPeakRSS(b)
			before := procStatus(b, "VmRSS:")
			var peak int64
			took := checkBulkImport(s, n, func() { peak = procStatus(b, "VmHWM:") })
			b.ReportMetric(float64(n)/took.Seconds(), "rows/s")
			b.ReportMetric(float64(before)/(1<<20), "startRSS-MB")
			b.ReportMetric(float64(peak)/(1<<20), "peakRSS-MB")
		}
	})
}

// benchStack is a stack on an embedded Temporal server persisted in a
// SQLite file, as `leadflow dev` runs it (tests use an in-memory one).
func benchStack(b *testing.B) *apptest.Stack {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db := testenv.Store(b)
	ts, err := devstack.StartTemporal(ctx, devstack.TemporalOptions{DBPath: filepath.Join(b.TempDir(), "temporal.db")})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = ts.Stop() })
	tc, err := client.Dial(client.Options{HostPort: ts.Address(), Namespace: ts.Namespace(),
		Logger: tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(tc.Close)
	return apptest.StackWithWorker(b, db, tc, ts.Namespace())
}

// resetPeakRSS resets the process's VmHWM to its current resident size.
func resetPeakRSS(b *testing.B) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("cannot reset the peak RSS (%v): VmHWM is the process's since it started", err)
	}
}

// procStatus is a size of /proc/self/status (VmHWM:, VmRSS:) in bytes.
func procStatus(b *testing.B, field string) int64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range bytes.Split(raw, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte(field)); ok {
			kb, err := strconv.ParseInt(string(bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(v), []byte("kB")))), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb << 10
		}
	}
	b.Fatalf("no %s in /proc/self/status", field)
	return 0
}

// BenchmarkIntake creates 1,000 leads (LEADFLOW_BENCH_INTAKE_LEADS) through
// POST /api/v1/leads, 32 at a time, on the stack BenchmarkImport uses, and
// reports leads/s: the rate an import is compared with.
//
//	go test ./api -run '^$' -bench Intake -benchtime 1x
func BenchmarkIntake(b *testing.B) {
	n := 1000
	if v, err := strconv.Atoi(os.Getenv("LEADFLOW_BENCH_INTAKE_LEADS")); err == nil && v > 0 {
		n = v
	}
	for range b.N {
		s := benchStack(b)
		next := make(chan int)
		go func() {
			defer close(next)
			for i := range n {
				next <- i
			}
		}()
		var wg sync.WaitGroup
		var late atomic.Int64
		start := time.Now()
		for range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					r := s.Do("POST", "/api/v1/leads", s.Admin, fmt.Sprintf(`{"company":"Intake Bench %06d Ltd.","phone":"139%08d","country":"CN"}`, i, i))
					switch r.Status {
					case 201:
					case 503: // the intake outlived the API's update timeout: the machine is saturated
						late.Add(1)
					default:
						b.Errorf("lead %d: %d %s", i, r.Status, r.Body)
					}
				}
			}()
		}
		wg.Wait()
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "leads/s")
		b.ReportMetric(float64(late.Load()), "timeouts")
	}
}
