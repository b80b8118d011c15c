//go:build !slim

package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"time"

	"github.com/leadflow/leadflow/devstack"
)

// runTemporalServer is `leadflow temporal`: a standalone Temporal server
// (frontend, history, matching and worker services in one process)
// persisted in PostgreSQL with Temporal's own SQL plugin, in two databases
// of the cluster DATABASE_URL names (or -postgres-url). Each start creates
// the databases when missing, brings their schemas up to date with
// Temporal's schema tool and registers TEMPORAL_NAMESPACE when missing.
// `leadflow dev -cluster` runs one.
func runTemporalServer(ctx context.Context, cfg config, args []string) error {
	cfg = cfg.withDevDefaults()
	fs := flag.NewFlagSet("temporal", flag.ContinueOnError)
	pgURL := fs.String("postgres-url", envOr("TEMPORAL_POSTGRES_URL", cfg.DatabaseURL),
		"a PostgreSQL superuser's URL of the cluster Temporal's databases are in (env TEMPORAL_POSTGRES_URL, else DATABASE_URL)")
	host := fs.String("host", "127.0.0.1", "address the frontend and the other services listen on")
	port := fs.Int("port", 7233, "frontend gRPC port")
	shards := fs.Int("shards", envInt("LEADFLOW_TEMPORAL_SHARDS", devstack.DefaultPostgresHistoryShards),
		"history shards of a NEW Temporal database; fixed once created (an existing database keeps its count)")
	db := fs.String("database", "temporal", "database of Temporal's default store")
	vis := fs.String("visibility-database", "temporal_visibility", "database of Temporal's visibility store")
	conns := fs.Int("max-conns", 10, "PostgreSQL connections of each service's default store (visibility: half)")
	cache := fs.Int("history-cache", envInt("LEADFLOW_TEMPORAL_HISTORY_CACHE", devstack.DefaultPostgresHistoryCache),
		"workflow executions whose state the history service keeps in memory (env LEADFLOW_TEMPORAL_HISTORY_CACHE)")
	prof := fs.String("pprof", os.Getenv("LEADFLOW_TEMPORAL_PPROF"),
		"address of a Go profiling endpoint (/debug/pprof/, e.g. 127.0.0.1:6060; env LEADFLOW_TEMPORAL_PPROF); none when empty. "+
			"leadflow bench -only capacity splits Temporal's CPU among its services with it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *pgURL == "" {
		return fmt.Errorf("set DATABASE_URL or -postgres-url: the PostgreSQL cluster Temporal's databases are in")
	}
	log := cfg.logger(false)
	if *prof != "" {
		ln, err := net.Listen("tcp", *prof)
		if err != nil {
			return fmt.Errorf("temporal -pprof: %w", err)
		}
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
		log.Info("temporal profiling endpoint", "addr", "http://"+ln.Addr().String()+"/debug/pprof/")
	}
	ts, err := devstack.StartTemporalPostgres(ctx, devstack.PostgresTemporalOptions{
		TemporalOptions: devstack.TemporalOptions{Namespace: cfg.TemporalNamespace, Host: *host, Port: *port, Logger: log, Shards: *shards, HistoryCache: *cache},
		PostgresURL:     *pgURL, Database: *db, VisibilityDatabase: *vis, MaxConns: *conns,
	})
	if err != nil {
		return err
	}
	<-ctx.Done()
	return ts.Stop()
}
