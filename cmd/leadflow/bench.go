//go:build !slim

package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"

	"github.com/leadflow/leadflow/bench"
)

// runBench is `leadflow bench`: see package bench. It starts its own stack
// in a temporary directory unless DATABASE_URL and TEMPORAL_ADDRESS are set.
func runBench(ctx context.Context, cfg config, args []string) error {
	o := bench.Defaults()
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	only := fs.String("only", "", "comma-separated scenarios to run: "+strings.Join(bench.Scenarios, ",")+" (default all)")
	fs.StringVar(only, "scenario", "", "the same as -only")
	fs.IntVar(&o.Leads, "leads", o.Leads, "intakes, and workflows of each floor")
	fs.IntVar(&o.Concurrency, "concurrency", o.Concurrency, "concurrent clients of intake and the floors")
	fs.IntVar(&o.ListLeads, "list-leads", o.ListLeads, "leads loaded for the list queries")
	fs.IntVar(&o.ListRequests, "list-requests", o.ListRequests, "requests of each list query")
	fs.IntVar(&o.ImportRows, "import-rows", o.ImportRows, "rows of the imported file")
	fs.IntVar(&o.Reclaims, "reclaims", o.Reclaims, "leads whose reclaim is due in the same second")
	fs.BoolVar(&o.ReclaimCalendar, "reclaim-calendar", o.ReclaimCalendar, "the reclaims count working time on a calendar open all week")
	fs.IntVar(&o.BulkLeads, "bulk-leads", o.BulkLeads, "leads one bulk action assigns, and single assigns of its floor")
	fs.IntVar(&o.BulkConcurrency, "bulk-concurrency", o.BulkConcurrency, "leads a bulk action acts on at once, and clients of its floor")
	fs.IntVar(&o.PolicyLeads, "policy-leads", o.PolicyLeads, "live leads of the pool whose policy changes")
	fs.IntVar(&o.CapacityOps, "capacity-ops", o.CapacityOps, "operations of each kind the capacity scenario measures (its check runs 3 times as many intakes)")
	fs.IntVar(&o.CampaignRecipients, "campaign-recipients", o.CampaignRecipients, "recipients of the campaign")
	fs.IntVar(&o.Shards, "temporal-shards", o.Shards, "history shards of the embedded Temporal database")
	fs.StringVar(&o.Sync, "temporal-sync", o.Sync, "SQLite synchronous mode of the embedded Temporal: normal or full")
	fs.IntVar(&o.WorkflowPollers, "workflow-pollers", o.WorkflowPollers, "workflow-task pollers of the leadflow worker")
	fs.IntVar(&o.WorkflowCache, "workflow-cache", o.WorkflowCache, "workflow executions the bench process's worker keeps in memory")
	fs.IntVar(&o.DBMaxConns, "db-max-conns", o.DBMaxConns, "PostgreSQL pool size of the API and the worker (when DATABASE_URL sets no pool_max_conns)")
	cluster := fs.Bool("cluster", false, "run against the running leadflow dev -cluster of LEADFLOW_DATA_DIR: its PostgreSQL, Temporal, workers and APIs (through its proxy); start it with LEADFLOW_MIN_POLICY_DURATION=1s for the reclaim and policy scenarios")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the bench process (API, worker and, unless TEMPORAL_ADDRESS is set, the Temporal server) to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *only != "" {
		o.Only = strings.Split(*only, ",")
	}
	o.DatabaseURL, o.TemporalAddress, o.Namespace = cfg.DatabaseURL, cfg.TemporalAddress, cfg.TemporalNamespace
	if *cluster {
		env := readEnvFile(filepath.Join(cfg.DataDir, clusterFile))
		if env["LEADFLOW_URL"] == "" {
			return fmt.Errorf("bench -cluster: no %s: start `leadflow dev -cluster` (make run-cluster) first", filepath.Join(cfg.DataDir, clusterFile))
		}
		o.DatabaseURL, o.TemporalAddress, o.APIURL = env["DATABASE_URL"], env["TEMPORAL_ADDRESS"], env["LEADFLOW_URL"]
		o.Processes, o.TemporalProfile = clusterProcesses(env), env["TEMPORAL_PPROF"]
	}
	o.Log = cfg.logger(true)
	return bench.Run(ctx, o, os.Stdout)
}

// clusterProcesses names the processes of a cluster.env by their pids
// (TEMPORAL_PID, WORKER_1_PID, API_2_PID...): "temporal", "worker 1", "api 2".
func clusterProcesses(env map[string]string) map[string]int {
	out := map[string]int{}
	for k, v := range env {
		name, ok := strings.CutSuffix(k, "_PID")
		if !ok {
			continue
		}
		pid, err := strconv.Atoi(v)
		if err != nil {
			continue
		}
		out[strings.ToLower(strings.ReplaceAll(name, "_", " "))] = pid
	}
	return out
}
