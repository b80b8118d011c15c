package devstack

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

const (
	pgRole       = "leadflow" // superuser created by initdb
	pgDatabase   = "leadflow" // application database created after start
	pgSystemUser = "postgres" // system account used when running as root
	pgHost       = "127.0.0.1"

	pgStartTimeout = 60 * time.Second
	pgReadyTimeout = 30 * time.Second
)

// Postgres is a PostgreSQL cluster run from the machine's own binaries.
type Postgres struct {
	dir     string // absolute data directory
	logFile string // server log, beside the data directory
	initdb  string
	pgCtl   string
	port    int
	cred    *syscall.Credential // non-nil when commands run as the postgres system user
	// password is the superuser's: a cluster this package creates accepts
	// only password logins (scram-sha-256); it is kept in dir + ".password"
	// (0600). An older cluster without that file trusts local logins.
	password string
	log      *slog.Logger

	mu      sync.Mutex
	stopped bool
}

// StartPostgres starts (initialising it first if needed) the PostgreSQL
// cluster whose data directory is dir, listening on 127.0.0.1 on a free TCP
// port, and makes sure the database "leadflow" exists.
//
// An existing cluster in dir is reused with its data. If the cluster is
// already running (for instance left behind by a killed previous run) it is
// reused as is. When called as root the server runs as the "postgres" system
// user, which is created if missing; dir is chowned to it and any ancestor
// directory lacking the others-execute bit gets it (traverse only).
//
// The server log goes to dir + ".log". A nil log discards messages.
func StartPostgres(ctx context.Context, dir string, log *slog.Logger) (*Postgres, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if dir == "" {
		return nil, errors.New("devstack: postgres data directory is empty")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("devstack: postgres data directory %q: %w", dir, err)
	}
	initdb, pgCtl, err := findPostgresBinaries()
	if err != nil {
		return nil, err
	}
	p := &Postgres{
		dir:     abs,
		logFile: abs + ".log",
		initdb:  initdb,
		pgCtl:   pgCtl,
		log:     log,
	}

	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("devstack: create postgres data directory: %w", err)
	}
	lf, err := os.OpenFile(p.logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("devstack: create postgres log file: %w", err)
	}
	lf.Close()

	if os.Geteuid() == 0 {
		uid, gid, err := ensureSystemUser(ctx, log)
		if err != nil {
			return nil, err
		}
		p.cred = &syscall.Credential{Uid: uid, Gid: gid, Groups: []uint32{}}
		if err := prepareForUser(abs, p.logFile, uid, gid, log); err != nil {
			return nil, err
		}
	}

	if _, err := os.Stat(filepath.Join(abs, "PG_VERSION")); errors.Is(err, fs.ErrNotExist) {
		log.Info("initialising postgres cluster", "dir", abs, "initdb", initdb)
		if err := p.initCluster(ctx); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, fmt.Errorf("devstack: postgres data directory: %w", err)
	} else if b, err := os.ReadFile(abs + ".password"); err == nil {
		p.password = strings.TrimSpace(string(b))
	} else {
		log.Warn("this postgres cluster trusts every local login (it predates passwords); stop, delete it and start again to get one with a password", "dir", abs)
	}

	port, running, err := p.runningServer(ctx)
	if err != nil {
		return nil, err
	}
	if running {
		log.Info("reusing running postgres", "dir", abs, "port", port)
		p.port = port
		if err := p.waitReady(ctx); err != nil {
			return nil, fmt.Errorf("devstack: postgres already running in %s on port %d but not reachable: %w", abs, port, err)
		}
	} else if err := p.start(ctx); err != nil {
		return nil, err
	}

	if err := p.ensureDatabase(ctx); err != nil {
		_ = p.Stop(context.WithoutCancel(ctx))
		return nil, err
	}
	log.Info("postgres ready", "url", p.URL())
	return p, nil
}

// URL returns the connection URL of the leadflow database, e.g.
// postgres://leadflow@127.0.0.1:PORT/leadflow?sslmode=disable.
func (p *Postgres) URL() string { return p.AdminURL(pgDatabase) }

// AdminURL returns the connection URL of database db on the same server, as
// the superuser leadflow (used by the test harness to create per-test
// databases, or with db "postgres" for administration).
func (p *Postgres) AdminURL(db string) string {
	user := url.User(pgRole)
	if p.password != "" {
		user = url.UserPassword(pgRole, p.password)
	}
	u := url.URL{
		Scheme:   "postgres",
		User:     user,
		Host:     net.JoinHostPort(pgHost, strconv.Itoa(p.port)),
		Path:     "/" + db,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// Stop shuts the server down with pg_ctl stop -m fast. Stopping a server
// that is not running (or stopping twice) is not an error.
func (p *Postgres) Stop(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return nil
	}
	if _, err := os.Stat(filepath.Join(p.dir, "postmaster.pid")); errors.Is(err, fs.ErrNotExist) {
		p.stopped = true
		return nil
	}
	out, err := p.run(ctx, p.pgCtl, "-D", p.dir, "-m", "fast", "-w", "-t", "60", "stop")
	if err != nil {
		if _, serr := p.run(ctx, p.pgCtl, "-D", p.dir, "status"); exitCode(serr) == 3 {
			p.stopped = true
			return nil
		}
		return fmt.Errorf("devstack: pg_ctl stop: %w\n%s", err, out)
	}
	p.stopped = true
	p.log.Info("postgres stopped", "dir", p.dir)
	return nil
}

// start launches the server on a fresh free port, retrying with another port
// if the chosen one was taken in the meantime.
func (p *Postgres) start(ctx context.Context) error {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort(pgHost)
		if err != nil {
			return err
		}
		opts := fmt.Sprintf("-p %d -h %s -c unix_socket_directories='' -c max_connections=200", port, pgHost)
		if p.statStatements() {
			opts += " -c shared_preload_libraries=pg_stat_statements"
		}
		logStart := fileSize(p.logFile)
		out, err := p.run(ctx, p.pgCtl, "-D", p.dir, "-l", p.logFile, "-w", "-t",
			strconv.Itoa(int(pgStartTimeout/time.Second)), "-o", opts, "start")
		if err == nil {
			p.port = port
			p.log.Info("postgres started", "dir", p.dir, "port", port)
			return nil
		}
		tail := readFrom(p.logFile, logStart)
		lastErr = fmt.Errorf("devstack: pg_ctl start: %w\n%s\n%s", err, out, tail)
		if !strings.Contains(tail, "could not bind") && !strings.Contains(tail, "already in use") {
			return lastErr
		}
		p.log.Info("postgres port taken, retrying", "port", port)
	}
	return lastErr
}

// runningServer reports whether a live postmaster already serves p.dir, and
// its port. A postmaster.pid left by a dead process (or whose PID now belongs
// to an unrelated process) is removed.
func (p *Postgres) runningServer(ctx context.Context) (int, bool, error) {
	pidFile := filepath.Join(p.dir, "postmaster.pid")
	data, err := os.ReadFile(pidFile)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("devstack: read %s: %w", pidFile, err)
	}
	lines := strings.Split(string(data), "\n")
	pid := 0
	if len(lines) > 0 {
		pid, _ = strconv.Atoi(strings.TrimSpace(lines[0]))
	}
	_, statusErr := p.run(ctx, p.pgCtl, "-D", p.dir, "status")
	alive := statusErr == nil && pid > 0 && isPostgresProcess(pid)
	if !alive {
		p.log.Info("removing stale postmaster.pid", "file", pidFile, "pid", pid)
		if err := os.Remove(pidFile); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return 0, false, fmt.Errorf("devstack: remove stale %s: %w", pidFile, err)
		}
		return 0, false, nil
	}
	if len(lines) < 4 {
		return 0, false, fmt.Errorf("devstack: postgres (pid %d) is running in %s but %s has no port line", pid, p.dir, pidFile)
	}
	port, err := strconv.Atoi(strings.TrimSpace(lines[3]))
	if err != nil || port <= 0 {
		return 0, false, fmt.Errorf("devstack: postgres (pid %d) is running in %s but its port %q is invalid", pid, p.dir, lines[3])
	}
	return port, true, nil
}

// waitReady waits until the server accepts connections.
func (p *Postgres) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, pgReadyTimeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		conn, err := pgx.Connect(ctx, p.AdminURL("postgres"))
		if err == nil {
			err = conn.Ping(ctx)
			conn.Close(context.WithoutCancel(ctx))
			if err == nil {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return err
		case <-tick.C:
		}
	}
}

// ensureDatabase creates the leadflow database if it does not exist.
func (p *Postgres) ensureDatabase(ctx context.Context) error {
	return ensureDatabase(ctx, p.AdminURL("postgres"), pgDatabase, p.log)
}

// ensureDatabase creates database name on the server of adminURL (a
// superuser's connection to another database) if it does not exist.
func ensureDatabase(ctx context.Context, adminURL, name string, log *slog.Logger) error {
	cctx, cancel := context.WithTimeout(ctx, pgReadyTimeout)
	defer cancel()
	conn, err := pgx.Connect(cctx, adminURL)
	if err != nil {
		return fmt.Errorf("devstack: connect to postgres: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(cctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("devstack: look up database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(cctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // duplicate_database: created concurrently
		return nil
	}
	if err != nil {
		return fmt.Errorf("devstack: create database %s: %w", name, err)
	}
	log.Info("created database", "database", name)
	return nil
}

// run executes a PostgreSQL binary, as the postgres system user when
// p.cred is set, and returns its combined output.
func (p *Postgres) run(ctx context.Context, bin string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	// pg_ctl redirects the server's output to the log file, but never let a
	// stray inherited pipe keep Wait from returning.
	cmd.WaitDelay = 5 * time.Second
	if p.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: p.cred}
		cmd.Dir = "/" // the caller's working directory may not be reachable
	}
	err := cmd.Run()
	return bytes.TrimSpace(out.Bytes()), err
}

// initCluster creates the cluster with a random superuser password, kept
// in dir + ".password" (0600), and password logins only.
func (p *Postgres) initCluster(ctx context.Context) error {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	password := hex.EncodeToString(b)
	// initdb reads the password from a file the server's user can read; it
	// is removed as soon as initdb is done.
	pw, err := os.CreateTemp(filepath.Dir(p.dir), ".pwfile-")
	if err != nil {
		return fmt.Errorf("devstack: password file: %w", err)
	}
	defer os.Remove(pw.Name())
	if _, err := pw.WriteString(password + "\n"); err != nil {
		pw.Close()
		return err
	}
	if err := pw.Close(); err != nil {
		return err
	}
	if p.cred != nil {
		if err := os.Chown(pw.Name(), int(p.cred.Uid), int(p.cred.Gid)); err != nil {
			return err
		}
	}
	out, err := p.run(ctx, p.initdb, "-D", p.dir, "--username="+pgRole, "--auth=scram-sha-256", "--pwfile="+pw.Name(),
		"--encoding=UTF8", "--locale=C")
	if err != nil {
		return fmt.Errorf("devstack: initdb %s: %w\n%s", p.dir, err, out)
	}
	if err := os.WriteFile(p.dir+".password", []byte(password+"\n"), 0o600); err != nil {
		return fmt.Errorf("devstack: keep the postgres password: %w", err)
	}
	p.password = password
	return nil
}

// statStatements reports whether the server's pg_stat_statements module
// is installed (Debian's postgresql package has it): it is then loaded, so
// that `leadflow bench -only capacity` can count statements per operation.
func (p *Postgres) statStatements() bool {
	bin, err := filepath.EvalSymlinks(p.pgCtl)
	if err != nil {
		return false
	}
	_, err = os.Stat(filepath.Join(filepath.Dir(filepath.Dir(bin)), "lib", "pg_stat_statements.so"))
	return err == nil
}
