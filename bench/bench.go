// Package bench is `leadflow bench`: it starts a stack (or uses the one
// DATABASE_URL and TEMPORAL_ADDRESS name), runs the scenarios asked for and
// prints one table, each line with the command that reproduces it.
package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/leadflow/leadflow/devstack"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/worker"
)

// Options are the sizes, the scenarios and the stack's tuning of a run.
type Options struct {
	// Only lists the scenarios to run (Scenarios); empty means all.
	Only []string
	// Leads is the number of intakes, and of workflows of each floor.
	Leads int
	// Concurrency is the number of concurrent clients of intake and the floors.
	Concurrency int
	// ListLeads is the number of leads the list scenario loads.
	ListLeads int
	// ListRequests is the number of requests of each list query.
	ListRequests int
	// ImportRows is the size of the imported file.
	ImportRows int
	// Reclaims is the number of leads whose reclaim is due in the same second.
	Reclaims int
	// ReclaimCalendar: the reclaims count working time ("1 working hour")
	// on a calendar open all week, so each deadline is the calendar's
	// arithmetic (issue 29: the figures hold with calendars on).
	ReclaimCalendar bool
	// PolicyLeads is the number of live leads of the pool whose policy changes.
	PolicyLeads int
	// BulkLeads is the number of leads the bulk action assigns (and of
	// single assigns of its floor).
	BulkLeads int
	// BulkConcurrency is how many leads the bulk action acts on at once,
	// and the floor's clients (LEADFLOW_BULK_CONCURRENCY).
	BulkConcurrency int
	// CampaignRecipients is the size of the campaign's audience.
	CampaignRecipients int
	// CapacityOps is how many operations of each kind the capacity
	// scenario measures.
	CapacityOps int
	// Processes are the installation's processes by name (their pids),
	// whose CPU the capacity scenario reads; empty: this process.
	Processes map[string]int
	// TemporalProfile is the base URL of the Temporal server's profiling
	// endpoint (`leadflow temporal -pprof`), for the capacity scenario to
	// share Temporal's CPU among its services.
	TemporalProfile string

	// DatabaseURL and TemporalAddress name an existing stack; empty starts one.
	DatabaseURL, TemporalAddress, Namespace string
	// APIURL is the base URL of the API of a running installation (with
	// DatabaseURL and TemporalAddress: `leadflow bench -cluster` against
	// `leadflow dev -cluster`): the bench then starts no worker and no API
	// of its own, and the installation's workers do every lead's work.
	APIURL string
	// The embedded stack's tuning (see devstack.TemporalOptions and worker.Tuning).
	Shards          int
	Sync            string
	WorkflowPollers int
	WorkflowCache   int
	DBMaxConns      int

	// Log gets progress; nothing when nil.
	Log *slog.Logger
}

// Scenarios are the names -only accepts, in the order they run.
var Scenarios = []string{"rules", "events", "intake", "reclaim", "policy", "import", "list", "webhooks", "bulk", "campaign", "capacity"}

// Row is one line of the table.
type Row struct {
	What, Figure, Command string
}

// Run runs the scenarios of o and writes the table to w.
func Run(ctx context.Context, o Options, w io.Writer) error {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	for _, s := range o.Only {
		if !slices.Contains(Scenarios, s) {
			return fmt.Errorf("bench: unknown scenario %q (have %s)", s, strings.Join(Scenarios, ","))
		}
	}
	want := func(s string) bool { return len(o.Only) == 0 || slices.Contains(o.Only, s) }
	var rows []Row
	if want("rules") {
		rows = append(rows, benchRules(o)...)
	}
	needStack := false
	for _, s := range Scenarios[1:] {
		needStack = needStack || want(s)
	}
	if needStack {
		st, err := startStack(ctx, o)
		if err != nil {
			return err
		}
		defer st.stop()
		for _, sc := range []struct {
			name string
			run  func(context.Context, *stack, Options) ([]Row, error)
		}{
			{"events", benchEvents}, {"intake", benchIntake}, {"reclaim", benchReclaim},
			{"policy", benchPolicy}, {"import", benchImport}, {"list", benchList}, {"webhooks", benchWebhooks}, {"bulk", benchBulk},
			{"campaign", benchCampaign}, {"capacity", benchCapacity},
		} {
			if !want(sc.name) {
				continue
			}
			o.Log.Info("bench: running", "scenario", sc.name)
			begin := time.Now()
			r, err := sc.run(ctx, st, o)
			if err != nil {
				return fmt.Errorf("bench %s: %w", sc.name, err)
			}
			o.Log.Info("bench: done", "scenario", sc.name, "took", time.Since(begin).Round(time.Second))
			rows = append(rows, r...)
		}
	}
	return writeTable(w, rows)
}

func writeTable(w io.Writer, rows []Row) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "what\tfigure\tcommand")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.What, r.Figure, r.Command)
	}
	return tw.Flush()
}

// command is the command line that reproduces scenario name with o's sizes
// and tuning (flags left at their defaults are omitted).
func (o Options) command(name string, sizes ...string) string {
	parts := []string{"leadflow bench -only " + name}
	parts = append(parts, sizes...)
	d := Defaults()
	if o.Shards != d.Shards {
		parts = append(parts, fmt.Sprintf("-temporal-shards %d", o.Shards))
	}
	if o.Sync != d.Sync {
		parts = append(parts, "-temporal-sync "+o.Sync)
	}
	if o.WorkflowPollers != d.WorkflowPollers {
		parts = append(parts, fmt.Sprintf("-workflow-pollers %d", o.WorkflowPollers))
	}
	if o.WorkflowCache != d.WorkflowCache {
		parts = append(parts, fmt.Sprintf("-workflow-cache %d", o.WorkflowCache))
	}
	if o.APIURL != "" {
		parts = append(parts, "-cluster")
	}
	if o.DBMaxConns != d.DBMaxConns {
		parts = append(parts, fmt.Sprintf("-db-max-conns %d", o.DBMaxConns))
	}
	return strings.Join(parts, " ")
}

// Defaults are the options of a plain `leadflow bench`.
func Defaults() Options {
	return Options{Leads: 1000, Concurrency: 32, ListLeads: 1_000_000, ListRequests: 1000, ImportRows: 100_000, CampaignRecipients: 100_000, CapacityOps: 300,
		Reclaims: 1000, PolicyLeads: 10_000, BulkLeads: 5000, BulkConcurrency: service.DefaultBulkConcurrency, Shards: devstack.DefaultHistoryShards, Sync: "normal",
		WorkflowPollers: worker.DefaultTuning.WorkflowPollers, WorkflowCache: worker.DefaultWorkflowCache, DBMaxConns: store.DefaultMaxConns}
}
