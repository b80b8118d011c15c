//go:build !slim

package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"

	"github.com/leadflow/leadflow/devstack"
	"github.com/leadflow/leadflow/metrics"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/worker"
)

// runDev runs the whole service in one process on the local default stack:
// PostgreSQL in DataDir/pg (unless DATABASE_URL is set), an embedded
// Temporal server with SQLite in DataDir/temporal.db (unless
// TEMPORAL_ADDRESS is set), the migrations, the worker and the API. With
// -cluster, Temporal, the workers and the APIs are processes of their own
// (runCluster).
func runDev(ctx context.Context, cfg config, args []string) error {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	temporalPort := fs.Int("temporal-port", 7233, "port of the embedded Temporal server (a free one if taken)")
	stackOnly := fs.Bool("stack-only", false, "start only PostgreSQL and Temporal (and migrate), for `leadflow api` and `leadflow worker` processes to join")
	shards := fs.Int("temporal-shards", envInt("LEADFLOW_TEMPORAL_SHARDS", devstack.DefaultHistoryShards),
		"history shards of a NEW embedded Temporal database (an existing one keeps its count)")
	sync := fs.String("temporal-sync", envOr("LEADFLOW_TEMPORAL_SYNC", "normal"),
		"SQLite synchronous mode of the embedded Temporal: normal or full (see the README)")
	cluster := fs.Bool("cluster", false, "run Temporal (persisted in PostgreSQL), the workers and the APIs as separate processes behind a round-robin proxy (make run-cluster)")
	workers := fs.Int("workers", 2, "with -cluster: how many worker processes")
	apis := fs.Int("apis", 2, "with -cluster: how many API processes")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cluster && (*stackOnly || *workers < 1 || *apis < 1) {
		return fmt.Errorf("dev -cluster: needs one worker and one API at least, and no -stack-only")
	}
	log := cfg.logger(true)
	dataDir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return err
	}
	// The data directory holds the admin token, the database password and
	// Temporal's database (every lead's history): only its owner may list
	// it (the postgres user, when we run as root, gets traverse rights to
	// reach its cluster), and what we create in it is for our eyes only.
	syscall.Umask(0o077)
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return err
	}
	if err := os.Chmod(dataDir, 0o700); err != nil {
		return err
	}

	if cfg.DatabaseURL == "" {
		log.Info("starting PostgreSQL", "dir", filepath.Join(dataDir, "pg"))
		pg, err := devstack.StartPostgres(ctx, filepath.Join(dataDir, "pg"), log)
		if err != nil {
			return fmt.Errorf("start PostgreSQL: %w", err)
		}
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := pg.Stop(sctx); err != nil {
				log.Error("stop PostgreSQL", "err", err)
			} else {
				log.Info("PostgreSQL stopped")
			}
		}()
		cfg.DatabaseURL = pg.URL()
	}
	version, err := store.Migrate(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	log.Info("database migrated", "version", version)
	if *cluster {
		o := clusterOptions{workers: *workers, apis: *apis, temporalPort: *temporalPort}
		fs.Visit(func(f *flag.Flag) { // the PostgreSQL server has its own default count
			if f.Name == "temporal-shards" {
				o.shards = *shards
			}
		})
		return runCluster(ctx, cfg, log, dataDir, o)
	}

	if cfg.TemporalAddress == "" {
		port := *temporalPort
		if !portFree(port) {
			port = 0
		}
		log.Info("starting Temporal", "db", filepath.Join(dataDir, "temporal.db"))
		ts, err := devstack.StartTemporal(ctx, devstack.TemporalOptions{
			DBPath: filepath.Join(dataDir, "temporal.db"), Namespace: cfg.TemporalNamespace, Port: port, Logger: log,
			Shards: *shards, Synchronous: *sync,
		})
		if err != nil {
			return fmt.Errorf("start Temporal: %w", err)
		}
		defer func() {
			if err := ts.Stop(); err != nil {
				log.Error("stop Temporal", "err", err)
			} else {
				log.Info("Temporal stopped")
			}
		}()
		cfg.TemporalAddress = ts.Address()
	}

	if *stackOnly {
		if err := writeDevEnv(cfg, dataDir); err != nil {
			return err
		}
		defer os.Remove(filepath.Join(dataDir, devEnvFile))
		fmt.Printf("\nPostgreSQL and Temporal are running (Ctrl-C stops them)\n  DATABASE_URL=%s\n  TEMPORAL_ADDRESS=%s\n  (also in %s)\n\n",
			redact(cfg.DatabaseURL), cfg.TemporalAddress, filepath.Join(dataDir, devEnvFile))
		<-ctx.Done()
		return nil
	}
	// One registry: the API's /metrics shows the worker's and the SDK's metrics too.
	reg := metrics.NewRegistry()
	return connected(ctx, cfg, log, reg, func(db *store.DB, tc client.Client) error {
		return serveDev(ctx, cfg, db, tc, log, dataDir, reg)
	})
}

// serveDev starts the worker, makes sure of the dev admin, writes the
// stack's addresses for the other commands and serves the API until ctx
// is done.
func serveDev(ctx context.Context, cfg config, db *store.DB, tc client.Client, log *slog.Logger, dataDir string, reg *prometheus.Registry) error {
	wc, err := cfg.workerConfig(db, tc, log)
	if err != nil {
		return err
	}
	wc.Metrics = metrics.NewLifecycle(reg)
	w, err := worker.Start(ctx, wc)
	if err != nil {
		return err
	}
	defer w.Stop()

	token, err := ensureAdmin(ctx, db, filepath.Join(dataDir, "admin.token"))
	if err != nil {
		return err
	}
	if err := writeDevEnv(cfg, dataDir); err != nil {
		return err
	}
	defer os.Remove(filepath.Join(dataDir, devEnvFile))

	printBanner(cfg, token, dataDir)
	return serveAPI(ctx, cfg, db, tc, log, reg)
}

// writeDevEnv writes the stack's addresses for the other commands
// (devEnvFile), and the service's URL to urlFile for scripts (README's
// first-lead walk reads it).
func writeDevEnv(cfg config, dataDir string) error {
	env := fmt.Sprintf("DATABASE_URL=%s\nTEMPORAL_ADDRESS=%s\n", cfg.DatabaseURL, cfg.TemporalAddress)
	if err := os.WriteFile(filepath.Join(dataDir, urlFile), []byte(strings.TrimSuffix(cfg.PublicURL, "/")+"\n"), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dataDir, devEnvFile), []byte(env), 0o600)
}

// urlFile, in the data directory, holds the URL the running service
// answers at.
const urlFile = "url"

func printBanner(cfg config, token, dataDir string) {
	base := strings.TrimSuffix(cfg.PublicURL, "/")
	fmt.Printf(`
leadflow is running (Ctrl-C stops everything)
  console      %[1]s/   (sign in with the admin token below)
  API          %[1]s/api/v1   (OpenAPI: %[1]s/api/v1/openapi.json)
  health       %[1]s/healthz  %[1]s/readyz
  metrics      %[1]s/metrics
  Temporal     %[2]s (namespace %[3]s)
  PostgreSQL   %[4]s
  data         %[5]s (delete it to start over)
  admin token  %[6]s   (also in %[5]s/admin.token)

  try: curl -H "Authorization: Bearer $(cat %[5]s/admin.token)" %[1]s/api/v1/me

`, base, cfg.TemporalAddress, cfg.TemporalNamespace, redact(cfg.DatabaseURL), dataDir, token)
}

// redact hides a password in a database URL.
func redact(u string) string {
	at := strings.LastIndex(u, "@")
	scheme := strings.Index(u, "://")
	if at < 0 || scheme < 0 {
		return u
	}
	cred := u[scheme+3 : at]
	if user, _, ok := strings.Cut(cred, ":"); ok {
		return u[:scheme+3] + user + ":***" + u[at:]
	}
	return u
}

func portFree(port int) bool {
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return false
	}
	_ = l.Close()
	return true
}
