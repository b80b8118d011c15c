package devstack

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	sdkclient "go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
)

const (
	temporalClusterName  = "active"
	temporalReadyTimeout = 60 * time.Second
)

// TemporalOptions configures StartTemporal.
type TemporalOptions struct {
	DBPath    string // SQLite file, e.g. .data/temporal.db; "" means in-memory
	Namespace string // created if missing (default "default")
	Host      string // default 127.0.0.1
	Port      int    // frontend gRPC port; 0 picks a free one
	Logger    *slog.Logger
	// Shards is the number of history shards of a NEW database (default
	// DefaultHistoryShards). A database keeps the count it was created
	// with: it is stored beside the file (DBPath + ".shards") and read
	// back; a file without one predates the setting and has 1.
	Shards int
	// Synchronous is SQLite's synchronous mode in WAL: "normal" (the
	// default) or "full". Both keep every commit across a crash of the
	// process; with "normal" a power loss or an OS crash may lose the last
	// commits (see the README).
	Synchronous string
	// HistoryCache is how many workflow executions' mutable state the
	// history service keeps in memory (default DefaultHistoryCache; the
	// PostgreSQL server's default is DefaultPostgresHistoryCache). A
	// smaller cache costs a read of the execution's state at its next task
	// when it was pushed out, and keeps the process's memory down.
	HistoryCache int
}

// DefaultHistoryCache is the embedded server's history cache: SQLite reads
// are what the embedded stack spends most on, so it keeps many.
const DefaultHistoryCache = 8096

// DefaultPostgresHistoryCache is the standalone server's history cache
// (`leadflow temporal`), smaller to keep its resident set under 300 MB
// (issue 30; BENCHMARKS.md, "Scale-out").
const DefaultPostgresHistoryCache = 1024

// DefaultHistoryShards is the history shard count of a new embedded
// Temporal database: more than one lets the history service work on
// several workflows' persistence at once (measured in BENCHMARKS.md).
const DefaultHistoryShards = 4

// Temporal is an embedded Temporal server (go.temporal.io/server) running in this process.
type Temporal struct {
	server    temporal.Server
	logLevel  *slog.LevelVar // minimum level of server records forwarded
	address   string
	namespace string
	log       *slog.Logger
	shards    int32 // read from the server once it is ready

	stopOnce sync.Once
	stopErr  error
}

// StartTemporal starts an embedded Temporal server (frontend, history,
// matching and worker services, opts.Shards history shards) persisted in the SQLite
// file opts.DBPath, configured like the Temporal CLI's dev server. The schema
// is created when the file does not exist yet and the namespace is created
// if missing; workflows in an existing file carry on where they were.
//
// It returns once the frontend answers and the namespace is visible through
// it. The server's own log is forwarded to opts.Logger at WARN and above.
func StartTemporal(ctx context.Context, opts TemporalOptions) (*Temporal, error) {
	autoPort := opts.Port == 0
	if err := opts.fill(); err != nil {
		return nil, err
	}
	log := opts.Logger

	sqlConf, created, err := temporalSQLConfig(opts.DBPath, opts.Synchronous, log)
	if err != nil {
		return nil, err
	}
	if opts.Shards, err = historyShards(opts.DBPath, opts.Shards, created); err != nil {
		return nil, err
	}
	ns, err := sqliteschema.NewNamespaceConfig(temporalClusterName, opts.Namespace, false, nil)
	if err != nil {
		return nil, fmt.Errorf("devstack: temporal namespace config: %w", err)
	}
	if err := sqliteschema.CreateNamespaces(sqlConf, ns); err != nil {
		return nil, fmt.Errorf("devstack: create temporal namespace %q: %w", opts.Namespace, err)
	}

	dbDesc := opts.DBPath
	if dbDesc == "" {
		dbDesc = "in-memory"
	}
	return runTemporalOnFreePorts(ctx, opts, autoPort, func(opts TemporalOptions) (*config.Config, error) {
		return temporalServerConfig(opts, sqlConf, nil)
	}, nil, "db", dbDesc)
}

// portTries is how many times a server is started when a port it was
// given turns out taken: the ports are picked free, then bound by the
// server a moment later, and another process's connection may take one
// in between (CI saw it once, on the frontend's HTTP port).
const portTries = 3

// runTemporalOnFreePorts is runTemporal with the configuration build
// makes, tried again with new ports (the frontend's too when autoPort:
// it was picked, not asked for) when a port was taken meanwhile.
func runTemporalOnFreePorts(ctx context.Context, opts TemporalOptions, autoPort bool, build func(TemporalOptions) (*config.Config, error),
	beforeReady func(context.Context, *Temporal) error, logArgs ...any) (*Temporal, error) {
	for try := 1; ; try++ {
		conf, err := build(opts) // picks the other services' ports afresh
		if err != nil {
			return nil, err
		}
		t, err := runTemporal(ctx, opts, conf, beforeReady, logArgs...)
		if err == nil || try == portTries || !strings.Contains(err.Error(), "address already in use") {
			return t, err
		}
		opts.Logger.Info("temporal: a port was taken meanwhile, starting again on new ones", "err", err)
		if autoPort {
			if opts.Port, err = freePort(opts.Host); err != nil {
				return nil, err
			}
		}
	}
}

// fill sets the defaults of opts: a logger discarding everything, the
// namespace "default", host 127.0.0.1 and a free port; a port asked for
// must be free.
func (opts *TemporalOptions) fill() error {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Namespace == "" {
		opts.Namespace = "default"
	}
	if opts.Host == "" {
		opts.Host = "127.0.0.1"
	}
	if opts.Port == 0 {
		p, err := freePort(opts.Host)
		if err != nil {
			return err
		}
		opts.Port = p
		return nil
	}
	// The server would only log a bind failure; say it clearly instead.
	l, err := net.Listen("tcp", net.JoinHostPort(opts.Host, strconv.Itoa(opts.Port)))
	if err != nil {
		return fmt.Errorf("devstack: temporal frontend port %d on %s is not free: %w", opts.Port, opts.Host, err)
	}
	return l.Close()
}

// runTemporal creates and starts the server of conf, runs beforeReady (when
// set) once the frontend answers a health check, and returns once the
// namespace is served. logArgs are added to the "temporal ready" record.
func runTemporal(ctx context.Context, opts TemporalOptions, conf *config.Config, beforeReady func(context.Context, *Temporal) error, logArgs ...any) (*Temporal, error) {
	log := opts.Logger
	// While the services come up their internal clients log dial errors at
	// WARN; forward only errors until the frontend answers, then WARN+.
	logLevel := new(slog.LevelVar)
	logLevel.Set(slog.LevelError)
	logger := slogLogger{log: log.With("component", "temporal-server"), level: logLevel}
	authorizer, err := authorization.GetAuthorizerFromConfig(&conf.Global.Authorization)
	if err != nil {
		return nil, fmt.Errorf("devstack: temporal authorizer: %w", err)
	}
	claimMapper, err := authorization.GetClaimMapperFromConfig(&conf.Global.Authorization, logger)
	if err != nil {
		return nil, fmt.Errorf("devstack: temporal claim mapper: %w", err)
	}
	hosts := map[primitives.ServiceName]static.Hosts{}
	for _, svc := range []primitives.ServiceName{
		primitives.FrontendService, primitives.HistoryService,
		primitives.MatchingService, primitives.WorkerService,
	} {
		rpc := conf.Services[string(svc)].RPC
		hosts[svc] = static.SingleLocalHost(net.JoinHostPort(rpc.BindOnIP, strconv.Itoa(rpc.GRPCPort)))
	}

	srv, err := temporal.NewServer(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(hosts),
		temporal.WithLogger(logger),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claimMapper }),
		temporal.WithDynamicConfigClient(temporalDynamicConfig(opts.HistoryCache)),
	)
	if err != nil {
		return nil, fmt.Errorf("devstack: create temporal server: %w", err)
	}
	t := &Temporal{
		server:    srv,
		logLevel:  logLevel,
		address:   conf.PublicClient.HostPort,
		namespace: opts.Namespace,
		log:       log,
	}
	begin := time.Now()
	if err := srv.Start(); err != nil {
		_ = srv.Stop()
		return nil, fmt.Errorf("devstack: start temporal server: %w", err)
	}
	if beforeReady != nil {
		if err := beforeReady(ctx, t); err != nil {
			_ = t.Stop()
			return nil, err
		}
	}
	if err := t.waitReady(ctx); err != nil {
		_ = t.Stop()
		return nil, err
	}
	logLevel.Set(slog.LevelWarn)
	log.Info("temporal ready", append([]any{"address", t.address, "namespace", t.namespace},
		append(logArgs, "history_shards", t.shards, "startup", time.Since(begin).Round(time.Millisecond))...)...)
	return t, nil
}

// Address returns the host:port of the frontend gRPC service.
func (t *Temporal) Address() string { return t.address }

// Namespace returns the namespace created at start.
func (t *Temporal) Namespace() string { return t.namespace }

// Stop shuts the server down. It is safe to call more than once; later
// calls return the result of the first.
func (t *Temporal) Stop() error {
	t.stopOnce.Do(func() {
		// Shutdown makes in-flight long polls fail with "context canceled"
		// errors and warnings that mean nothing here: silence the server.
		t.logLevel.Set(logOff)
		begin := time.Now()
		if err := t.server.Stop(); err != nil {
			t.stopErr = fmt.Errorf("devstack: stop temporal server: %w", err)
		}
		t.log.Info("temporal stopped", "address", t.address, "took", time.Since(begin).Round(time.Millisecond))
	})
	return t.stopErr
}

// waitReady dials the frontend with the SDK client until it answers, then
// checks health and that the namespace is served.
func (t *Temporal) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, temporalReadyTimeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var lastErr error
	for {
		lastErr = t.probe(ctx)
		if lastErr == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("devstack: temporal frontend %s not ready: %w (last error: %v)", t.address, ctx.Err(), lastErr)
		case <-tick.C:
		}
	}
}

func (t *Temporal) probe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	c, err := t.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.CheckHealth(ctx, &sdkclient.CheckHealthRequest{}); err != nil {
		return err
	}
	if _, err = c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: t.namespace}); err != nil {
		return err
	}
	info, err := c.WorkflowService().GetClusterInfo(ctx, &workflowservice.GetClusterInfoRequest{})
	if err != nil {
		return err
	}
	t.shards = info.GetHistoryShardCount()
	return nil
}

// dial connects a client to the frontend, its logs discarded.
func (t *Temporal) dial(ctx context.Context) (sdkclient.Client, error) {
	return sdkclient.DialContext(ctx, sdkclient.Options{
		HostPort:  t.address,
		Namespace: t.namespace,
		Logger:    sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)),
	})
}

// HistoryShards is the history shard count the server runs with: the one
// its database was created with.
func (t *Temporal) HistoryShards() int { return int(t.shards) }

// temporalSQLConfig builds the SQLite persistence config, creating the schema
// when the database file does not exist yet (created is then true).
func temporalSQLConfig(dbPath, synchronous string, log *slog.Logger) (conf *config.SQL, created bool, err error) {
	conf = &config.SQL{PluginName: sqliteplugin.PluginName}
	if dbPath == "" {
		conf.ConnectAttributes = map[string]string{"mode": "memory", "cache": "shared"}
		conf.DatabaseName = "devstack-" + strconv.FormatUint(rand.Uint64(), 36)
		return conf, false, nil
	}
	abs, err := filepath.Abs(dbPath)
	if err != nil {
		return nil, false, fmt.Errorf("devstack: temporal db path %q: %w", dbPath, err)
	}
	conf.DatabaseName = abs
	// In WAL mode both NORMAL (1) and FULL (2) keep a committed workflow
	// step across a crash of the process; NORMAL skips the fsync of each
	// commit, so a power loss may lose the last ones.
	sync := "1"
	switch synchronous {
	case "", "normal", "NORMAL":
	case "full", "FULL":
		sync = "2"
	default:
		return nil, false, fmt.Errorf("devstack: SQLite synchronous mode %q: want normal or full", synchronous)
	}
	conf.ConnectAttributes = map[string]string{
		"mode":         "rwc",
		"journal_mode": "wal",
		"synchronous":  sync,
		"busy_timeout": "10000",
	}
	if _, err := os.Stat(abs); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			return nil, false, fmt.Errorf("devstack: temporal db directory: %w", err)
		}
		log.Info("creating temporal sqlite schema", "db", abs)
		created = true
		if err := sqliteschema.SetupSchema(conf); err != nil {
			_ = os.Remove(abs)
			return nil, false, fmt.Errorf("devstack: temporal sqlite schema in %s: %w", abs, err)
		}
	} else if err != nil {
		return nil, false, fmt.Errorf("devstack: temporal db %s: %w", abs, err)
	}
	return conf, created, nil
}
