// Package testenv starts the real dependencies of leadflow's integration
// tests: PostgreSQL from the machine's binaries through devstack (the code
// path `leadflow dev` uses), one cluster per test binary with a fresh
// migrated database per test, and a Temporal server per test from
// go.temporal.io/server/temporaltest.
package testenv

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/temporaltest"

	"github.com/leadflow/leadflow/devstack"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/worker"
)

var (
	pgOnce    sync.Once
	pgCluster *devstack.Postgres
	pgDir     string
	pgErr     error
	dbSeq     atomic.Int64
)

const template = "leadflow_template"

// Main runs the tests of a package and stops the PostgreSQL cluster they
// shared. Call it from TestMain: os.Exit(testenv.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	if pgCluster != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := pgCluster.Stop(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "testenv: stop PostgreSQL:", err)
		}
		_ = os.RemoveAll(pgDir)
	}
	return code
}

func startCluster() {
	pgDir, pgErr = os.MkdirTemp("", "leadflow-test-pg-")
	if pgErr != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	pgCluster, pgErr = devstack.StartPostgres(ctx, pgDir+"/pg", log)
	if pgErr != nil {
		return
	}
	// One migrated template; every test database is a cheap copy of it.
	if pgErr = exec(ctx, pgCluster.AdminURL("postgres"), "CREATE DATABASE "+template); pgErr != nil {
		return
	}
	if _, pgErr = store.Migrate(ctx, pgCluster.AdminURL(template)); pgErr != nil {
		return
	}
}

// DatabaseURL returns the URL of a new, migrated database for this test.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	pgOnce.Do(startCluster)
	if pgErr != nil {
		t.Fatalf("testenv: PostgreSQL: %v", pgErr)
	}
	name := fmt.Sprintf("test_%d_%d", os.Getpid(), dbSeq.Add(1))
	ctx := context.Background()
	if err := exec(ctx, pgCluster.AdminURL("postgres"), "CREATE DATABASE "+name+" TEMPLATE "+template); err != nil {
		t.Fatalf("testenv: create database: %v", err)
	}
	return pgCluster.AdminURL(name)
}

// Store opens a fresh migrated database for this test.
func Store(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), DatabaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

func exec(ctx context.Context, url, sql string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// Temporal starts a Temporal server for this test with leadflow's search
// attributes registered, and returns a client of its namespace.
func Temporal(t *testing.T) (client.Client, string) {
	t.Helper()
	ts := temporaltest.NewServer(temporaltest.WithT(t))
	c := ts.GetDefaultClient()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := worker.EnsureSearchAttributes(ctx, c, ts.GetDefaultNamespace()); err != nil {
		t.Fatalf("testenv: search attributes: %v", err)
	}
	return c, ts.GetDefaultNamespace()
}

// Worker starts leadflow's worker as the binary does (worker.Start), but
// without the daily digest schedule, and stops it when the test ends. cfg
// names the Temporal client, its namespace and the store; tests set their
// own e-mail sender, public URL or clock in it.
func Worker(t testing.TB, cfg worker.Config) {
	t.Helper()
	cfg.NoDigestSchedule = true
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w, err := worker.Start(ctx, cfg)
	if err != nil {
		t.Fatalf("testenv: worker: %v", err)
	}
	t.Cleanup(w.Stop)
}
