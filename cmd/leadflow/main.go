// Command leadflow is the one binary of leadflow:
//
//	leadflow dev                  everything in one process on the local default stack
//	leadflow dev -cluster         the same as separate processes (Temporal on PostgreSQL, 2 workers, 2 APIs, a proxy)
//	leadflow api                  the REST API (needs DATABASE_URL and TEMPORAL_ADDRESS)
//	leadflow worker               the Temporal worker (same)
//	leadflow temporal             a standalone Temporal server persisted in PostgreSQL
//	leadflow migrate              apply the database migrations
//	leadflow deploy ...           show or set the workers' current version (Worker Versioning)
//	leadflow users create ...     create a user and print its token
//	leadflow import FILE ...      import a CSV or XLSX file of leads through the API
//	leadflow bench [-only ...]    measure intake, the engine's floors, lists, imports, timers
//
// Configuration comes from environment variables; see the README.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

const usage = `leadflow — a lead lifecycle engine

Usage:
  leadflow dev [-stack-only | -cluster [-workers 2] [-apis 2]]
                               run PostgreSQL, Temporal, the worker and the API in one process
                               (-stack-only: PostgreSQL and Temporal only; -cluster: PostgreSQL, then
                               leadflow temporal, the workers and the APIs as child processes behind
                               a round-robin proxy on LEADFLOW_HTTP_ADDR)
  leadflow api                 run the REST API
  leadflow worker [-metrics-addr ADDR]
                               run the Temporal worker, its /metrics on ADDR (127.0.0.1:9464)
  leadflow temporal [-port 7233] [-shards 16]
                               run a standalone Temporal server persisted in PostgreSQL (databases
                               temporal and temporal_visibility of DATABASE_URL's cluster)
  leadflow migrate             apply the database migrations
  leadflow deploy describe|set-current|set-ramping [-build-id ID] [-percentage P] [-deployment NAME]
                               the workers' Worker Deployment: show it, make build ID current or ramp it
  leadflow users create -name NAME -email EMAIL -role admin|manager|rep [-capacity N] [-daily-claim-limit N]
  leadflow import FILE [--pool ID] [--duplicate-policy merge|warn|reject] [--mapping JSON]
                               import a CSV or XLSX file of leads through the API, with a progress bar
  leadflow bench [-only intake,events,list,rules,import,reclaim,policy] [-leads N] ...
                               start a stack in a temporary directory (or use DATABASE_URL and
                               TEMPORAL_ADDRESS) and print a table of measurements (-h for the flags)

Environment: DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, LEADFLOW_HTTP_ADDR,
LEADFLOW_PUBLIC_URL, LEADFLOW_TRUSTED_PROXIES, LEADFLOW_DATA_DIR, LEADFLOW_LOG_FORMAT,
LEADFLOW_METRICS_ADDR, LEADFLOW_WORKER_METRICS_ADDR, LEADFLOW_SEARCH_ATTRIBUTES,
LEADFLOW_HTTP_READ_TIMEOUT, LEADFLOW_HTTP_UPLOAD_TIMEOUT, LEADFLOW_HTTP_IDLE_TIMEOUT,
LEADFLOW_MAX_CONNS_PER_ADDR, LEADFLOW_FAILURE_LIMIT, LEADFLOW_FAILURE_WINDOW, the inbox's webhook
credentials SENDGRID_EVENT_PUBLIC_KEY, TWILIO_AUTH_TOKEN, META_APP_SECRET, META_VERIFY_TOKEN,
LEADFLOW_INBOUND_PARSE_SECRET, the worker's LEADFLOW_WORKER_VERSIONING, LEADFLOW_DEPLOYMENT,
LEADFLOW_BUILD_ID, LEADFLOW_SET_CURRENT (see README.md, docs/upgrading.md);
for import: LEADFLOW_URL, LEADFLOW_TOKEN.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg := loadConfig()
	err := searchAttributes()
	if err != nil {
		fmt.Fprintln(os.Stderr, "leadflow:", err)
		os.Exit(2)
	}
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "dev":
		err = runDev(ctx, cfg, args)
	case "api":
		err = runAPI(ctx, cfg, args)
	case "worker":
		err = runWorker(ctx, cfg, args)
	case "temporal":
		err = runTemporalServer(ctx, cfg, args)
	case "migrate":
		err = runMigrate(ctx, cfg, args)
	case "deploy":
		err = runDeploy(ctx, cfg, args)
	case "bench":
		err = runBench(ctx, cfg, args)
	case "users":
		err = runUsers(ctx, cfg, args)
	case "import":
		if err := runImport(ctx, cfg, args); err != nil && !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "leadflow import:", err) // a person reads this, not a log collector
			os.Exit(1)
		}
		return
	case "help", "-h", "--help":
		fmt.Print(usage)
		return
	default:
		fmt.Fprintf(os.Stderr, "leadflow: unknown command %q\n\n%s", cmd, usage)
		os.Exit(2)
	}
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		slog.Error("leadflow failed", "err", err)
		os.Exit(1)
	}
}
