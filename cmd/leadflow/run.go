package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"

	"github.com/leadflow/leadflow/api"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/metrics"
	"github.com/leadflow/leadflow/server"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/worker"
)

func runMigrate(ctx context.Context, cfg config, args []string) error {
	if err := flag.NewFlagSet("migrate", flag.ContinueOnError).Parse(args); err != nil {
		return err
	}
	cfg = cfg.withDevDefaults()
	if err := cfg.require("DATABASE_URL"); err != nil {
		return err
	}
	v, err := store.Migrate(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	fmt.Printf("database schema at version %d\n", v)
	return nil
}

func runUsers(ctx context.Context, cfg config, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("usage: leadflow users create -name NAME -email EMAIL -role admin|manager|rep")
	}
	fs := flag.NewFlagSet("users create", flag.ContinueOnError)
	u := lead.User{Active: true}
	fs.StringVar(&u.Name, "name", "", "the user's name")
	fs.StringVar(&u.Email, "email", "", "the user's e-mail address")
	role := fs.String("role", "rep", "admin, manager or rep")
	fs.IntVar(&u.Capacity, "capacity", lead.DefaultCapacity, "most assigned leads the user may hold")
	fs.IntVar(&u.DailyClaimLimit, "daily-claim-limit", lead.DefaultDailyClaimLimit, "most claims a day")
	fs.StringVar(&u.TeamID, "team", "", "team id")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	u.Role = lead.Role(*role)
	if err := u.Clean(); err != nil {
		return err
	}
	cfg = cfg.withDevDefaults()
	if err := cfg.require("DATABASE_URL"); err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	u.ID = uuid.Must(uuid.NewV7()).String()
	token, hash := api.NewToken()
	created, err := db.CreateUser(ctx, u, hash)
	if err != nil {
		return err
	}
	fmt.Printf("created %s %s <%s> id %s\ntoken (shown once): %s\n", created.Role, created.Name, created.Email, created.ID, token)
	link, expires, err := service.NewSignInLink(ctx, db, cfg.PublicURL, created.ID)
	if err != nil {
		return err
	}
	fmt.Printf("console sign-in link (works once, until %s): %s\n", expires.Format(time.RFC3339), link)
	return nil
}

func runAPI(ctx context.Context, cfg config, args []string) error {
	if err := flag.NewFlagSet("api", flag.ContinueOnError).Parse(args); err != nil {
		return err
	}
	log := cfg.logger(false)
	reg := metrics.NewRegistry()
	return connected(ctx, cfg, log, reg, func(db *store.DB, tc client.Client) error {
		return serveAPI(ctx, cfg, db, tc, log, reg)
	})
}

// runWorker runs the worker, with its /metrics (the transitions, rules,
// e-mails and the Temporal SDK's worker metrics) on -metrics-addr.
func runWorker(ctx context.Context, cfg config, args []string) error {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	addr := fs.String("metrics-addr", envOr("LEADFLOW_WORKER_METRICS_ADDR", defaultWorkerMetricsAddr),
		`where the worker serves /metrics ("off": nowhere); env LEADFLOW_WORKER_METRICS_ADDR`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := cfg.logger(false)
	reg := metrics.NewRegistry()
	lifecycle := metrics.NewLifecycle(reg)
	return connected(ctx, cfg, log, reg, func(db *store.DB, tc client.Client) error {
		wc, err := cfg.workerConfig(db, tc, log)
		if err != nil {
			return err
		}
		wc.Metrics = lifecycle
		if *addr != "off" && *addr != "" {
			at, err := metrics.Serve(ctx, *addr, reg, log)
			switch {
			case err != nil && *addr == defaultWorkerMetricsAddr:
				// Another worker on this host has the default port: run without.
				log.Warn("worker metrics not served: set -metrics-addr", "addr", *addr, "err", err)
			case err != nil:
				return fmt.Errorf("worker metrics: %w", err)
			default:
				log.Info("worker metrics listening", "addr", at.String())
			}
		}
		return worker.Run(ctx, wc)
	})
}

// defaultWorkerMetricsAddr is where `leadflow worker` serves /metrics by default.
const defaultWorkerMetricsAddr = "127.0.0.1:9464"

// connected runs fn with the database and a Temporal client, which
// DATABASE_URL and TEMPORAL_ADDRESS name, and closes both after it. The
// client's SDK metrics go to reg.
func connected(ctx context.Context, cfg config, log *slog.Logger, reg *prometheus.Registry, fn func(*store.DB, client.Client) error) error {
	if err := cfg.require("DATABASE_URL", "TEMPORAL_ADDRESS"); err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	tc, err := dialTemporal(ctx, cfg, log, metrics.NewTemporal(reg))
	if err != nil {
		return err
	}
	defer tc.Close()
	return fn(db, tc)
}

// serveAPI serves the API on cfg.HTTPAddr until ctx is done, then shuts it down gracefully.
func serveAPI(ctx context.Context, cfg config, db *store.DB, tc client.Client, log *slog.Logger, reg *prometheus.Registry) error {
	ac, err := cfg.apiConfig()
	if err != nil {
		return err
	}
	ac.Store, ac.Temporal, ac.Log, ac.Registry = db, tc, log, reg
	app := server.New(ac)
	ln, err := net.Listen(app.Config().Network, cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("api: %w", err)
	}
	errc := make(chan error, 1)
	go func() { errc <- app.Listener(server.LimitConns(ln, ac)) }()
	log.Info("api listening", "addr", cfg.HTTPAddr)
	select {
	case err := <-errc:
		return fmt.Errorf("api: %w", err)
	case <-ctx.Done():
	}
	if err := app.ShutdownWithTimeout(10 * time.Second); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// ensureAdmin makes sure the dev stack has an admin whose token is in
// tokenFile: it reuses a token that still works, else creates the admin (on
// first start) or gives the dev admin a new token.
func ensureAdmin(ctx context.Context, db *store.DB, tokenFile string) (string, error) {
	if b, err := os.ReadFile(tokenFile); err == nil {
		token := string(bytes.TrimSpace(b))
		if u, err := db.UserByTokenHash(ctx, api.HashToken(token)); err == nil && u.Role == lead.RoleAdmin {
			return token, nil
		}
	}
	token, hash := api.NewToken()
	admin := lead.User{ID: devAdminID, Name: "Dev Admin", Email: "admin@leadflow.local", Role: lead.RoleAdmin,
		Capacity: lead.DefaultCapacity, DailyClaimLimit: lead.DefaultDailyClaimLimit, Active: true}
	if _, err := db.User(ctx, devAdminID); err == nil {
		if err := db.SetUserToken(ctx, devAdminID, hash, nil); err != nil {
			return "", err
		}
	} else if _, err := db.CreateUser(ctx, admin, hash); err != nil {
		return "", fmt.Errorf("create the dev admin: %w", err)
	}
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		return "", err
	}
	return token, nil
}

// devAdminID is the id of the admin `leadflow dev` creates.
const devAdminID = "00000000-0000-0000-0000-00000000a0a0"
