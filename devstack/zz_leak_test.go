package devstack

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

func TestZZLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	db := filepath.Join(t.TempDir(), "t.db")
	for i := 0; i < 2; i++ {
		s, err := StartTemporal(context.Background(), TemporalOptions{DBPath: db, Logger: log})
		if err != nil {
			t.Fatal(err)
		}
		s.Stop()
		t.Logf("after stop %d: goroutines %d (before %d)", i, runtime.NumGoroutine(), before)
	}
	for i := 0; i < 5; i++ {
		time.Sleep(2 * time.Second)
		t.Logf("goroutines %d", runtime.NumGoroutine())
	}
	buf := make([]byte, 1<<22)
	n := runtime.Stack(buf, true)
	os.WriteFile("/tmp/dsscratch/stacks.txt", buf[:n], 0o644)
}
