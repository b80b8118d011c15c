// Package store is leadflow's PostgreSQL repository (pgx v5): embedded SQL
// migrations applied with tern, the writes the workflow activities make and
// the read model the API lists and filters.
package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"

	"github.com/leadflow/leadflow/lead"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is the repository over a PostgreSQL connection pool.
type DB struct {
	pool *pgxpool.Pool
}

// DefaultMaxConns is the connection pool's size when the URL does not set
// pool_max_conns: pgx's own default (4 on 2 cores) makes the worker's
// activities and the API's requests queue for a connection at 32
// concurrent intakes (measured in BENCHMARKS.md).
const DefaultMaxConns = 16

// Open connects to the database at url. The pool takes pgx's settings from
// the URL (pool_max_conns, pool_min_conns, pool_max_conn_lifetime...);
// without pool_max_conns it holds up to DefaultMaxConns connections.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: parse DATABASE_URL: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = DefaultMaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	return &DB{pool: pool}, nil
}

// Close closes every connection.
func (db *DB) Close() { db.pool.Close() }

// PoolStat is the connection pool's counters: connections acquired, how
// many of them waited for one, and the time spent acquiring.
func (db *DB) PoolStat() *pgxpool.Stat { return db.pool.Stat() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.pool.Ping(ctx) }

// Migrate applies the embedded migrations that have not run yet and returns
// the schema version reached. Concurrent callers are serialised by tern's
// advisory lock.
func Migrate(ctx context.Context, url string) (int32, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return 0, fmt.Errorf("store: connect for migrations: %w", err)
	}
	defer conn.Close(ctx)
	m, err := migrate.NewMigrator(ctx, conn, "schema_version")
	if err != nil {
		return 0, fmt.Errorf("store: migrator: %w", err)
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return 0, err
	}
	if err := m.LoadMigrations(sub); err != nil {
		return 0, fmt.Errorf("store: load migrations: %w", err)
	}
	if err := m.Migrate(ctx); err != nil {
		return 0, fmt.Errorf("store: migrate: %w", err)
	}
	return m.GetCurrentVersion(ctx)
}

// inTx runs fn in a transaction, committing when it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db.pool, fn)
}

// notFound maps pgx.ErrNoRows to a not-found error for what.
func notFound(err error, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return lead.Errorf(lead.CodeNotFound, "%s not found", what)
	}
	return err
}

// isUniqueViolation reports a unique-constraint violation, optionally of one constraint.
func isUniqueViolation(err error, constraint string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505" && (constraint == "" || pe.ConstraintName == constraint)
}

// isForeignKeyViolation reports a reference to a row that does not exist.
func isForeignKeyViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23503"
}
