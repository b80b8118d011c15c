package devstack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/server/common/config"
	pgplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql"
	"go.temporal.io/server/common/primitives/timestamp"
	"go.temporal.io/server/tools/common/schema"
	sqltool "go.temporal.io/server/tools/sql"
)

// PostgresTemporalOptions configures StartTemporalPostgres.
type PostgresTemporalOptions struct {
	// Namespace, Host, Port, Logger and Shards are as for StartTemporal
	// (DBPath and Synchronous do not apply). Shards only counts for a new
	// database: Temporal keeps the count it was created with (see
	// DefaultPostgresHistoryShards).
	TemporalOptions
	// PostgresURL is a superuser's URL of any database of the PostgreSQL
	// cluster, e.g. postgres://leadflow:pw@127.0.0.1:5432/leadflow: the
	// databases are created on the same server.
	PostgresURL string
	// Database and VisibilityDatabase are the databases of Temporal's
	// default and visibility stores (default "temporal" and
	// "temporal_visibility"), created when missing.
	Database, VisibilityDatabase string
	// MaxConns is the connection pool size of each store in each of the
	// four services (default 10: the default store; visibility gets half).
	MaxConns int
	// Retention is how long the namespace keeps a closed workflow's
	// history when it is registered (default 7 days).
	Retention time.Duration
}

// DefaultPostgresHistoryShards is the history shard count of a new
// Temporal database on PostgreSQL. It is fixed once the database exists
// (the server keeps the count of its cluster metadata and ignores another
// one), so it is sized for the processes a deployment may grow to, not for
// this machine: each shard is owned by one history host at a time.
const DefaultPostgresHistoryShards = 16

// The embedded schemas of go.temporal.io/server/schema, as Temporal's
// temporal-sql-tool names them.
const (
	pgSchema           = "postgresql/v12/temporal"
	pgVisibilitySchema = "postgresql/v12/visibility"
)

// StartTemporalPostgres starts a Temporal server (frontend, history,
// matching and worker services in this process) persisted in PostgreSQL
// with Temporal's own SQL plugin (postgres12). On every start it creates
// the two databases when missing and brings their schemas to the version
// of this server with Temporal's schema tool (setup-schema -v 0.0, then
// update-schema from the embedded versioned schema: both do nothing on an
// up-to-date database), then registers the namespace when missing.
func StartTemporalPostgres(ctx context.Context, opts PostgresTemporalOptions) (*Temporal, error) {
	autoPort := opts.Port == 0
	if err := opts.fill(); err != nil {
		return nil, err
	}
	if opts.Database == "" {
		opts.Database = "temporal"
	}
	if opts.VisibilityDatabase == "" {
		opts.VisibilityDatabase = "temporal_visibility"
	}
	if opts.Shards <= 0 {
		opts.Shards = DefaultPostgresHistoryShards
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = 10
	}
	if opts.HistoryCache <= 0 {
		opts.HistoryCache = DefaultPostgresHistoryCache
	}
	if opts.Retention <= 0 {
		opts.Retention = 7 * 24 * time.Hour
	}
	u, err := url.Parse(opts.PostgresURL)
	if err != nil || u.Host == "" || u.User == nil {
		return nil, fmt.Errorf("devstack: temporal's PostgreSQL URL %q: want postgres://USER:PASSWORD@HOST:PORT/DB", redactURL(opts.PostgresURL))
	}
	password, _ := u.User.Password()
	if u.Query().Get("sslmode") == "" {
		u.RawQuery = "sslmode=disable"
	}
	store := func(db string, conns int) *config.SQL {
		return &config.SQL{PluginName: pgplugin.PluginName, DatabaseName: db, ConnectAddr: u.Host,
			ConnectProtocol: "tcp", User: u.User.Username(), Password: password,
			ConnectAttributes: map[string]string{"sslmode": u.Query().Get("sslmode")},
			MaxConns:          conns, MaxIdleConns: conns, MaxConnLifetime: time.Hour}
	}
	def, vis := store(opts.Database, opts.MaxConns), store(opts.VisibilityDatabase, max(2, opts.MaxConns/2))
	for _, s := range []struct {
		conf   *config.SQL
		schema string
	}{{def, pgSchema}, {vis, pgVisibilitySchema}} {
		admin := *u
		admin.Path = "/postgres"
		if err := ensureDatabase(ctx, admin.String(), s.conf.DatabaseName, opts.Logger); err != nil {
			return nil, err
		}
		if err := applyTemporalSchema(s.conf, s.schema, opts.Logger); err != nil {
			return nil, err
		}
	}
	t, err := runTemporalOnFreePorts(ctx, opts.TemporalOptions, autoPort, func(o TemporalOptions) (*config.Config, error) {
		return temporalServerConfig(o, def, vis)
	}, func(ctx context.Context, t *Temporal) error {
		return registerNamespace(ctx, t, opts.Retention)
	}, "postgres", u.Host, "databases", opts.Database+","+opts.VisibilityDatabase)
	if err == nil && t.HistoryShards() != opts.Shards {
		opts.Logger.Warn("temporal keeps the history shard count its database was created with",
			"history_shards", t.HistoryShards(), "asked", opts.Shards)
	}
	return t, err
}

// applyTemporalSchema brings database conf to the latest version of the
// embedded schema name with Temporal's schema tool: setup-schema -v 0.0
// creates the version tables (and leaves a database of a later version
// alone), update-schema applies each versioned step past the database's.
func applyTemporalSchema(conf *config.SQL, name string, log *slog.Logger) error {
	tlog := slogLogger{log: log.With("component", "temporal-schema"), level: new(slog.LevelVar)}
	tlog.level.Set(slog.LevelWarn)
	c := *conf
	c.MaxConns, c.MaxIdleConns = 2, 2
	conn, err := sqltool.NewConnection(&c, tlog)
	if err != nil {
		return fmt.Errorf("devstack: connect to temporal database %s: %w", conf.DatabaseName, err)
	}
	defer conn.Close()
	before, _ := conn.ReadSchemaVersion() // none yet on a new database
	if err := schema.NewSetupSchemaTask(conn, &schema.SetupConfig{InitialVersion: "0.0"}, tlog).Run(); err != nil {
		return fmt.Errorf("devstack: set up temporal schema in %s: %w", conf.DatabaseName, err)
	}
	if err := schema.NewUpdateSchemaTask(conn, &schema.UpdateConfig{DBName: conf.DatabaseName, SchemaName: name}, tlog).Run(); err != nil {
		return fmt.Errorf("devstack: update temporal schema in %s: %w", conf.DatabaseName, err)
	}
	after, err := conn.ReadSchemaVersion()
	if err != nil {
		return fmt.Errorf("devstack: temporal schema version of %s: %w", conf.DatabaseName, err)
	}
	if before != after {
		log.Info("temporal schema applied", "database", conf.DatabaseName, "schema", name, "from", before, "to", after)
	}
	return nil
}

// registerNamespace registers t's namespace when the server does not know
// it, once the frontend answers.
func registerNamespace(ctx context.Context, t *Temporal, retention time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, temporalReadyTimeout)
	defer cancel()
	var c sdkclient.Client
	var err error
	for {
		c, err = t.dial(ctx)
		if err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("devstack: temporal frontend %s not ready: %w", t.address, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
	defer c.Close()
	for {
		_, err = c.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
			Namespace: t.namespace, WorkflowExecutionRetentionPeriod: timestamp.DurationPtr(retention)})
		var exists *serviceerror.NamespaceAlreadyExists
		switch {
		case err == nil:
			t.log.Info("temporal namespace registered", "namespace", t.namespace, "retention", retention)
			return nil
		case errors.As(err, &exists):
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("devstack: register temporal namespace %q: %w", t.namespace, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// redactURL hides the password of a URL.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable)"
	}
	return u.Redacted()
}
