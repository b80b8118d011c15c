//go:build reliability

package reliability

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/api/workflowservice/v1"
	sdkclient "go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/leadflow/leadflow/devstack"
)

// binary is the leadflow binary TestMain builds once, and nodeBinary its
// slim build (-tags slim), which `leadflow dev -cluster` runs its APIs and
// workers from, as make run-cluster does.
var binary, nodeBinary string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "leadflow-reliability-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary, nodeBinary = filepath.Join(dir, "leadflow"), filepath.Join(dir, "leadflow-node")
	for _, args := range [][]string{{"-o", binary}, {"-tags", "slim", "-o", nodeBinary}} {
		build := exec.Command("go", append(append([]string{"build"}, args...), "./cmd/leadflow")...)
		build.Dir = ".."
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "build leadflow:", err)
			return 1
		}
	}
	return m.Run()
}

// envInt reads a size from the environment, def when unset.
func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

// envDuration reads a duration from the environment, def when unset.
func envDuration(t *testing.T, name string, def time.Duration) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		t.Fatalf("%s=%q: want a positive duration such as 90s", name, v)
	}
	return d
}

// stack is one real leadflow installation: PostgreSQL behind a loopback TCP
// proxy (so a restarted cluster on a new port is reached at the same
// address), an embedded Temporal server on a SQLite file, and the api and
// worker processes.
type stack struct {
	t   *testing.T
	ctx context.Context
	dir string
	log *slog.Logger

	pgDir string
	pgMu  sync.Mutex
	pg    *devstack.Postgres
	proxy *tcpProxy

	temporalDB   string
	temporalPort int
	tmMu         sync.Mutex
	temporal     *devstack.Temporal

	db  *pgxpool.Pool
	tc  sdkclient.Client
	env []string

	api, worker *proc
	apiURL      string
	admin       string // the admin's token
	http        *http.Client
}

// newStack starts PostgreSQL and Temporal, migrates, creates an admin and
// sets the environment of the child processes (plus extra); it starts
// neither the worker nor the API.
func newStack(t *testing.T, extra ...string) *stack {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	dir := t.TempDir()
	lf, err := os.Create(filepath.Join(dir, "stack.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lf.Close() })
	s := &stack{t: t, ctx: ctx, dir: dir, log: slog.New(slog.NewTextHandler(lf, nil)),
		pgDir: filepath.Join(dir, "pg"), temporalDB: filepath.Join(dir, "temporal.db"),
		http: &http.Client{Timeout: 2 * time.Minute}}

	pg, err := devstack.StartPostgres(ctx, s.pgDir, s.log)
	if err != nil {
		t.Fatalf("start postgres: %v", err)
	}
	s.pg = pg
	t.Cleanup(func() { _ = s.postgres().Stop(context.Background()) })
	if s.proxy, err = newTCPProxy(pgTarget(t, pg)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.proxy.close)

	tm, err := devstack.StartTemporal(ctx, devstack.TemporalOptions{DBPath: s.temporalDB, Logger: s.log})
	if err != nil {
		t.Fatalf("start temporal: %v", err)
	}
	s.temporal = tm
	_, port, _ := net.SplitHostPort(tm.Address())
	s.temporalPort, _ = strconv.Atoi(port)
	t.Cleanup(func() { _ = s.temporalServer().Stop() })

	dbURL := s.databaseURL()
	apiPort, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	s.apiURL = "http://127.0.0.1:" + strconv.Itoa(apiPort)
	s.env = append([]string{
		"DATABASE_URL=" + dbURL,
		"TEMPORAL_ADDRESS=" + tm.Address(),
		"LEADFLOW_HTTP_ADDR=127.0.0.1:" + strconv.Itoa(apiPort),
		"LEADFLOW_TRUSTED_PROXIES=127.0.0.1/32",
		"LEADFLOW_DATA_DIR=" + filepath.Join(dir, "data"),
		"LEADFLOW_LOG_FORMAT=json",
	}, extra...)

	s.run("migrate")
	s.admin, _ = s.createUser("Reliability Admin", "admin@reliability.test", "admin")

	if s.db, err = pgxpool.New(ctx, dbURL); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.db.Close)
	if s.tc, err = sdkclient.DialContext(ctx, sdkclient.Options{HostPort: tm.Address(),
		Logger: sdklog.NewStructuredLogger(s.log)}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.tc.Close)
	t.Cleanup(func() {
		if t.Failed() {
			for _, p := range []*proc{s.worker, s.api} {
				if p != nil {
					t.Logf("tail of %s's log:\n%s", p.name, tail(p.logPath, 4000))
				}
			}
		}
	})
	return s
}

func (s *stack) postgres() *devstack.Postgres {
	s.pgMu.Lock()
	defer s.pgMu.Unlock()
	return s.pg
}

func (s *stack) temporalServer() *devstack.Temporal {
	s.tmMu.Lock()
	defer s.tmMu.Unlock()
	return s.temporal
}

// databaseURL is the cluster's URL with the proxy's address as its host.
func (s *stack) databaseURL() string {
	u, err := url.Parse(s.postgres().URL())
	if err != nil {
		s.t.Fatal(err)
	}
	u.Host = s.proxy.addr()
	return u.String()
}

func pgTarget(t *testing.T, pg *devstack.Postgres) string {
	u, err := url.Parse(pg.URL())
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// restartPostgres stops the cluster, keeps it down for down, and starts it
// again on the same directory; the proxy then forwards to its new port.
func (s *stack) restartPostgres(down time.Duration) error {
	if err := s.postgres().Stop(s.ctx); err != nil {
		return err
	}
	s.proxy.dropAll()
	time.Sleep(down) // the outage
	pg, err := devstack.StartPostgres(s.ctx, s.pgDir, s.log)
	if err != nil {
		return err
	}
	u, err := url.Parse(pg.URL())
	if err != nil {
		return err
	}
	s.proxy.setTarget(u.Host)
	s.pgMu.Lock()
	s.pg = pg
	s.pgMu.Unlock()
	return nil
}

// stopTemporal stops the Temporal server.
func (s *stack) stopTemporal() error { return s.temporalServer().Stop() }

// startTemporal starts the Temporal server again on the same port and
// SQLite file.
func (s *stack) startTemporal() error {
	var tm *devstack.Temporal
	var err error
	for attempt := 0; attempt < 20; attempt++ { // the port may linger a moment
		tm, err = devstack.StartTemporal(s.ctx, devstack.TemporalOptions{DBPath: s.temporalDB, Port: s.temporalPort, Logger: s.log})
		if err == nil || !strings.Contains(err.Error(), "not free") {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if err != nil {
		return err
	}
	s.tmMu.Lock()
	s.temporal = tm
	s.tmMu.Unlock()
	return nil
}

// run runs a leadflow command to its end and returns its output.
func (s *stack) run(args ...string) string {
	s.t.Helper()
	cmd := exec.CommandContext(s.ctx, binary, args...)
	cmd.Env = append(os.Environ(), s.env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		s.t.Fatalf("leadflow %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

var createdUser = regexp.MustCompile(`(?s)id ([0-9a-f-]{36}).*token \(shown once\): (\S+)`)

// createUser creates a user with the CLI; it returns the token and the id.
func (s *stack) createUser(name, email, role string) (token, id string) {
	s.t.Helper()
	out := s.run("users", "create", "-name", name, "-email", email, "-role", role,
		"-capacity", "100000", "-daily-claim-limit", "100000")
	m := createdUser.FindStringSubmatch(out)
	if m == nil {
		s.t.Fatalf("users create said %q", out)
	}
	return m[2], m[1]
}

// startWorker starts `leadflow worker` and waits until it polls.
func (s *stack) startWorker() {
	s.t.Helper()
	s.worker = s.start("worker", "worker running")
}

// startAPI starts `leadflow api` and waits until /readyz answers 200.
func (s *stack) startAPI() {
	s.t.Helper()
	s.api = s.start("api", "")
	s.waitFor(time.Minute, "the API to be ready", func() bool {
		res, err := s.http.Get(s.apiURL + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	})
}

// proc is a leadflow child process.
type proc struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	err     error
}

var procSeq atomic.Int32

func (s *stack) start(name, readyLine string) *proc {
	s.t.Helper()
	p := &proc{name: name, done: make(chan struct{}),
		logPath: filepath.Join(s.dir, fmt.Sprintf("%s-%d.log", name, procSeq.Add(1)))}
	lf, err := os.Create(p.logPath)
	if err != nil {
		s.t.Fatal(err)
	}
	p.cmd = exec.Command(binary, name)
	p.cmd.Env = append(os.Environ(), s.env...)
	p.cmd.Stdout, p.cmd.Stderr = lf, lf
	if err := p.cmd.Start(); err != nil {
		lf.Close()
		s.t.Fatalf("start leadflow %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		lf.Close()
		close(p.done)
	}()
	s.t.Cleanup(p.stop)
	if readyLine != "" {
		s.waitFor(time.Minute, "leadflow "+name+" to start", func() bool {
			select {
			case <-p.done:
				s.t.Fatalf("leadflow %s exited: %v\n%s", name, p.err, tail(p.logPath, 4000))
			default:
			}
			b, _ := os.ReadFile(p.logPath)
			return bytes.Contains(b, []byte(readyLine))
		})
	}
	return p
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop sends SIGTERM, then SIGKILL after 20 s.
func (p *proc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		p.kill()
	}
}

// waitFor polls cond every 250 ms until it holds, failing the test after
// timeout.
func (s *stack) waitFor(timeout time.Duration, what string, cond func() bool) time.Duration {
	s.t.Helper()
	begin := time.Now()
	for !cond() {
		if time.Since(begin) > timeout {
			s.t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(250 * time.Millisecond)
	}
	return time.Since(begin)
}

// answer is one HTTP answer.
type answer struct {
	status int
	header http.Header
	body   []byte
	err    error
}

// do sends a JSON request; token and headers are optional.
func (s *stack) do(method, path, token string, body any, headers ...string) answer {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return answer{err: err}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(s.ctx, method, s.apiURL+path, rd)
	if err != nil {
		return answer{err: err}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := s.http.Do(req)
	if err != nil {
		return answer{err: err}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return answer{status: res.StatusCode, header: res.Header, body: b, err: err}
}

// must sends a request that must answer want, and decodes the answer into out.
func (s *stack) must(want int, out any, method, path, token string, body any, headers ...string) {
	s.t.Helper()
	a := s.do(method, path, token, body, headers...)
	if a.err != nil || a.status != want {
		s.t.Fatalf("%s %s: want %d, got %d %v: %s", method, path, want, a.status, a.err, a.body)
	}
	if out != nil {
		if err := json.Unmarshal(a.body, out); err != nil {
			s.t.Fatalf("%s %s: decode %s: %v", method, path, a.body, err)
		}
	}
}

// count runs a SQL query answering one integer.
func (s *stack) count(sql string, args ...any) int {
	s.t.Helper()
	var n int
	ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
	defer cancel()
	if err := s.db.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
		s.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// leadWorkflows counts the LeadWorkflow executions Temporal knows.
func (s *stack) leadWorkflows() (int, error) {
	ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
	defer cancel()
	res, err := s.tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: "WorkflowType = 'LeadWorkflow'"})
	if err != nil {
		return 0, err
	}
	return int(res.GetCount()), nil
}

// tail returns the last n bytes of a file.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tcpProxy forwards loopback connections to a target that can change: the
// address of a PostgreSQL cluster restarted on another port.
type tcpProxy struct {
	ln     net.Listener
	mu     sync.Mutex
	target string
	conns  map[net.Conn]struct{}
}

func newTCPProxy(target string) (*tcpProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &tcpProxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	go p.serve()
	return p, nil
}

func (p *tcpProxy) addr() string { return p.ln.Addr().String() }

func (p *tcpProxy) setTarget(t string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.target = t
}

func (p *tcpProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.pipe(c)
	}
}

func (p *tcpProxy) pipe(c net.Conn) {
	p.mu.Lock()
	target := p.target
	p.mu.Unlock()
	up, err := net.DialTimeout("tcp", target, 5*time.Second)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[c], p.conns[up] = struct{}{}, struct{}{}
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(up, c); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, up); done <- struct{}{} }()
	<-done
	c.Close()
	up.Close()
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, up)
	p.mu.Unlock()
}

// dropAll closes every forwarded connection.
func (p *tcpProxy) dropAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
}

func (p *tcpProxy) close() {
	p.ln.Close()
	p.dropAll()
}
