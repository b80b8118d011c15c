package bench

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/leadflow/leadflow/api"
	"github.com/leadflow/leadflow/devstack"
	"github.com/leadflow/leadflow/internal/quietlog"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/metrics"
	"github.com/leadflow/leadflow/server"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/webhook"
	"github.com/leadflow/leadflow/worker"
)

// stack is what the scenarios run against: the database, Temporal, the
// leadflow worker and the API on a local port, with an admin and a rep.
type stack struct {
	db        *store.DB
	dbURL     string
	tc        client.Client
	namespace string
	base      string // the API's base URL, http://127.0.0.1:PORT
	admin     string // an admin's token
	rep       string // a rep's token
	repID     string
	http      *http.Client
	log       *slog.Logger
	stops     []func()
	// sdk holds the SDK's metrics of tc, and so those of the worker when
	// this process runs it (ownsWorker; not against an API elsewhere,
	// whose workers run the leads).
	sdk        *prometheus.Registry
	ownsWorker bool
}

// startStack starts (or connects to) PostgreSQL and Temporal in a
// temporary directory, then the worker and the API in this process.
func startStack(ctx context.Context, o Options) (st *stack, err error) {
	st = &stack{log: o.Log, namespace: o.Namespace, http: &http.Client{Timeout: 30 * time.Minute, // a policy PATCH may signal 10,000 leads
		Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}}}
	defer func() {
		if err != nil {
			st.stop()
		}
	}()
	if st.namespace == "" {
		st.namespace = "default"
	}
	dir, err := os.MkdirTemp("", "leadflow-bench-")
	if err != nil {
		return nil, err
	}
	st.stops = append(st.stops, func() { _ = os.RemoveAll(dir) })
	quiet := quietlog.AtLeast(o.Log, slog.LevelWarn)

	st.dbURL = o.DatabaseURL
	if st.dbURL == "" {
		pg, err := devstack.StartPostgres(ctx, filepath.Join(dir, "pg"), quiet)
		if err != nil {
			return nil, err
		}
		st.stops = append(st.stops, func() {
			sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_ = pg.Stop(sctx)
		})
		st.dbURL = pg.URL()
	}
	if _, err := store.Migrate(ctx, st.dbURL); err != nil {
		return nil, err
	}
	url := st.dbURL
	if o.DBMaxConns > 0 && !strings.Contains(url, "pool_max_conns") {
		url += sep(url) + fmt.Sprintf("pool_max_conns=%d", o.DBMaxConns)
	}
	if st.db, err = store.Open(ctx, url); err != nil {
		return nil, err
	}
	st.stops = append(st.stops, st.db.Close)

	address := o.TemporalAddress
	if address == "" {
		ts, err := devstack.StartTemporal(ctx, devstack.TemporalOptions{DBPath: filepath.Join(dir, "temporal.db"),
			Namespace: st.namespace, Logger: quiet, Shards: o.Shards, Synchronous: o.Sync})
		if err != nil {
			return nil, err
		}
		st.stops = append(st.stops, func() { _ = ts.Stop() })
		address = ts.Address()
	}
	st.sdk = prometheus.NewRegistry()
	if st.tc, err = dial(ctx, address, st.namespace, quiet, metrics.NewTemporal(st.sdk)); err != nil {
		return nil, err
	}
	st.stops = append(st.stops, st.tc.Close)

	if o.APIURL != "" {
		st.base = strings.TrimSuffix(o.APIURL, "/")
	} else if err := st.serve(ctx, o); err != nil {
		return nil, err
	}
	if st.admin, _, err = st.user(ctx, lead.RoleAdmin); err != nil {
		return nil, err
	}
	if st.rep, st.repID, err = st.user(ctx, lead.RoleRep); err != nil {
		return nil, err
	}
	o.Log.Info("bench: stack ready", "api", st.base, "temporal", address, "shards", o.Shards, "sync", o.Sync,
		"workflow_pollers", o.WorkflowPollers, "workflow_cache", o.WorkflowCache, "db_max_conns", o.DBMaxConns)
	return st, nil
}

// serve starts the leadflow worker and the API in this process.
func (st *stack) serve(ctx context.Context, o Options) error {
	quiet := quietlog.AtLeast(o.Log, slog.LevelWarn)
	// The webhooks scenario's receiver is on 127.0.0.1.
	hooks, err := webhook.ParseAllow("127.0.0.1")
	if err != nil {
		return err
	}
	// The API and the worker share the key campaigns' links are signed with.
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	w, err := worker.Start(ctx, worker.Config{Temporal: st.tc, Namespace: st.namespace, Store: st.db, Log: quiet, InviteKey: key,
		NoDigestSchedule: true, Webhooks: worker.Webhooks{Guard: hooks}, BulkConcurrency: o.BulkConcurrency, Tuning: worker.Tuning{WorkflowPollers: o.WorkflowPollers, WorkflowCache: o.WorkflowCache}})
	if err != nil {
		return err
	}
	st.stops = append(st.stops, w.Stop)
	st.ownsWorker = true

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	st.base = "http://" + l.Addr().String()
	app := server.New(server.Config{Store: st.db, Temporal: st.tc, Log: quiet, PublicURL: st.base, MinPolicyDuration: time.Second, WebhookGuard: hooks,
		InviteKey: key})
	go func() { _ = app.Listener(l) }()
	st.stops = append(st.stops, func() { _ = app.ShutdownWithTimeout(5 * time.Second) })
	return nil
}

// user creates a user of role with a large capacity and returns its token and id.
func (st *stack) user(ctx context.Context, role lead.Role) (token, id string, err error) {
	id = uuid.Must(uuid.NewV7()).String()
	token, hash := api.NewToken()
	u := lead.User{ID: id, Name: "Bench " + string(role), Email: "bench-" + id + "@example.com", Role: role,
		Capacity: 1_000_000, DailyClaimLimit: 1_000_000, Active: true}
	if _, err := st.db.CreateUser(ctx, u, hash); err != nil {
		return "", "", fmt.Errorf("bench: create %s: %w", role, err)
	}
	return token, id, nil
}

// stop stops what startStack started, in reverse order.
func (st *stack) stop() {
	for i := len(st.stops) - 1; i >= 0; i-- {
		st.stops[i]()
	}
	st.stops = nil
}

func sep(url string) string {
	if strings.Contains(url, "?") {
		return "&"
	}
	return "?"
}

// dial connects a Temporal client with the SDK's logs going to log and
// its metrics to m.
func dial(ctx context.Context, address, namespace string, log *slog.Logger, m client.MetricsHandler) (client.Client, error) {
	c, err := client.DialContext(ctx, client.Options{HostPort: address, Namespace: namespace,
		Logger: sdklog.NewStructuredLogger(log), MetricsHandler: m})
	if err != nil {
		return nil, fmt.Errorf("bench: connect to Temporal at %s: %w", address, err)
	}
	return c, nil
}

// floorWorker is a worker of its own task queue on the same server, for
// the floors, with as many workflow-task pollers as the leads' worker.
func floorWorker(c client.Client, queue string, pollers int, register func(sdkworker.Worker)) (sdkworker.Worker, error) {
	w := sdkworker.New(c, queue, sdkworker.Options{MaxConcurrentWorkflowTaskPollers: pollers})
	register(w)
	if err := w.Start(); err != nil {
		return nil, errors.Join(errors.New("bench: start the floor worker"), err)
	}
	return w, nil
}

// sdkCounters sums each of the SDK's counters named (without the _total
// the handler appends) over all its series.
func (st *stack) sdkCounters(names ...string) (map[string]float64, error) {
	families, err := st.sdk.Gather()
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, f := range families {
		for _, name := range names {
			if f.GetName() != name+"_total" {
				continue
			}
			for _, m := range f.GetMetric() {
				out[name] += m.GetCounter().GetValue()
			}
		}
	}
	return out, nil
}
