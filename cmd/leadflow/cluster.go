//go:build !slim

package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/store"
)

// clusterOptions are the sizes of `leadflow dev -cluster`.
type clusterOptions struct {
	workers, apis int
	temporalPort  int
	shards        int // history shards of a new Temporal database; 0: leadflow temporal's default
}

// clusterMemLimit is the GOMEMLIMIT of every child process unless
// GOMEMLIMIT is set: the resident memory of each stays under 300 MB
// (measured in TestClusterWorkerKilledDuringBurst).
const clusterMemLimit = "200MiB"

// temporalMemLimit is the Temporal server's GOMEMLIMIT in the cluster
// (unless GOMEMLIMIT is set): about 120–150 MB of its resident set are the
// executable's pages, so its heap gets less than the others' to keep the
// whole under 300 MB (BENCHMARKS.md, "Scale-out").
const temporalMemLimit = "150MiB"

// runCluster is `leadflow dev -cluster` once PostgreSQL runs and is
// migrated: a standalone Temporal server persisted in the same PostgreSQL
// (`leadflow temporal`, unless TEMPORAL_ADDRESS names one), o.workers
// `leadflow worker` and o.apis `leadflow api` processes, and a round-robin
// proxy on LEADFLOW_HTTP_ADDR in front of the APIs. Every process is a
// child of this one, logs to DataDir/logs/NAME.log and is stopped when ctx
// is done (and, on Linux, when this process dies).
func runCluster(ctx context.Context, cfg config, log *slog.Logger, dataDir string, o clusterOptions) error {
	bin, err := os.Executable()
	if err != nil {
		return err
	}
	// The APIs and workers run from the slim build when one is named: it
	// links no Temporal server, so each keeps a smaller resident set.
	node := bin
	if nb := os.Getenv("LEADFLOW_NODE_BINARY"); nb != "" {
		if node, err = exec.LookPath(nb); err != nil {
			return fmt.Errorf("LEADFLOW_NODE_BINARY: %w", err)
		}
		log.Info("the APIs and workers run from the slim build", "binary", node)
	}
	sup := &supervisor{logDir: filepath.Join(dataDir, "logs"), log: log}
	if err := os.MkdirAll(sup.logDir, 0o700); err != nil {
		return err
	}
	defer sup.stopAll()
	info := []string{"DATABASE_URL=" + cfg.DatabaseURL}
	env := []string{"DATABASE_URL=" + cfg.DatabaseURL, "LEADFLOW_DATA_DIR=" + dataDir, "TEMPORAL_NAMESPACE=" + cfg.TemporalNamespace}
	if os.Getenv("GOMEMLIMIT") == "" {
		// Each process keeps to its share of a small machine: the Go
		// runtime collects harder as its heap nears the limit (a soft one).
		env = append(env, "GOMEMLIMIT="+clusterMemLimit)
	}

	if cfg.TemporalAddress == "" {
		port := o.temporalPort
		if port == 0 || !portFree(port) {
			if port, err = freeLocalPort(); err != nil {
				return err
			}
		}
		profPort, err := freeLocalPort()
		if err != nil {
			return err
		}
		prof := net.JoinHostPort("127.0.0.1", strconv.Itoa(profPort))
		args := []string{"temporal", "-port", strconv.Itoa(port), "-pprof", prof}
		if o.shards > 0 {
			args = append(args, "-shards", strconv.Itoa(o.shards))
		}
		log.Info("starting Temporal (PostgreSQL persistence)", "log", filepath.Join(sup.logDir, "temporal.log"))
		tenv := env
		if os.Getenv("GOMEMLIMIT") == "" {
			tenv = append(slices.Clone(env), "GOMEMLIMIT="+temporalMemLimit) // the last of a key wins
		}
		tp, err := sup.start(ctx, bin, "temporal", args, tenv)
		if err != nil {
			return err
		}
		if err := sup.waitLog(ctx, tp, "temporal ready", 3*time.Minute); err != nil {
			return err
		}
		cfg.TemporalAddress = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		info = append(info, "TEMPORAL_PID="+strconv.Itoa(tp.cmd.Process.Pid), "TEMPORAL_PPROF=http://"+prof)
	}
	env = append(env, "TEMPORAL_ADDRESS="+cfg.TemporalAddress)
	info = append(info, "TEMPORAL_ADDRESS="+cfg.TemporalAddress)

	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	token, err := ensureAdmin(ctx, db, filepath.Join(dataDir, "admin.token"))
	db.Close()
	if err != nil {
		return err
	}

	// One worker after the other: the first registers the search attributes.
	for i := 1; i <= o.workers; i++ {
		port, err := freeLocalPort()
		if err != nil {
			return err
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		name := fmt.Sprintf("worker-%d", i)
		w, err := sup.start(ctx, node, name, []string{"worker", "-metrics-addr", addr}, env)
		if err != nil {
			return err
		}
		if err := sup.waitLog(ctx, w, "worker running", 2*time.Minute); err != nil {
			return err
		}
		info = append(info, fmt.Sprintf("WORKER_%d_PID=%d", i, w.cmd.Process.Pid), fmt.Sprintf("WORKER_%d_METRICS=http://%s/metrics", i, addr))
	}

	trusted := "127.0.0.1/32" // the proxy
	if cfg.TrustedProxies != "" {
		trusted = cfg.TrustedProxies + "," + trusted
	}
	var backends []string
	for i := 1; i <= o.apis; i++ {
		port, err := freeLocalPort()
		if err != nil {
			return err
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		a, err := sup.start(ctx, node, fmt.Sprintf("api-%d", i), []string{"api"}, append(env, "LEADFLOW_HTTP_ADDR="+addr,
			"LEADFLOW_PUBLIC_URL="+cfg.PublicURL, "LEADFLOW_TRUSTED_PROXIES="+trusted))
		if err != nil {
			return err
		}
		if err := sup.waitReady(ctx, a, "http://"+addr+"/readyz", 2*time.Minute); err != nil {
			return err
		}
		backends = append(backends, addr)
		info = append(info, fmt.Sprintf("API_%d_PID=%d", i, a.cmd.Process.Pid), fmt.Sprintf("API_%d_URL=http://%s", i, addr))
	}

	entries, err := httpx.ParseTrustedProxies(cfg.TrustedProxies)
	if err != nil {
		return err
	}
	rr := &roundRobin{backends: backends, trusted: httpx.ParseProxies(entries), log: log}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("cluster proxy: %w", err)
	}
	srv := &http.Server{Handler: rr.handler(), ReadHeaderTimeout: 30 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()

	info = append(info, "LEADFLOW_URL="+strings.TrimSuffix(cfg.PublicURL, "/"), "PROXY_ADDR="+ln.Addr().String())
	if err := writeDevEnv(cfg, dataDir); err != nil {
		return err
	}
	defer os.Remove(filepath.Join(dataDir, devEnvFile))
	if err := os.WriteFile(filepath.Join(dataDir, clusterFile), []byte(strings.Join(info, "\n")+"\n"), 0o600); err != nil {
		return err
	}
	defer os.Remove(filepath.Join(dataDir, clusterFile))

	printBanner(cfg, token, dataDir)
	fmt.Printf("  cluster      Temporal (PostgreSQL databases temporal, temporal_visibility), %d workers, %d APIs (%s)\n"+
		"               behind the round-robin proxy on %s; logs in %s; addresses and pids in %s\n\n",
		o.workers, o.apis, strings.Join(backends, " "), ln.Addr(), sup.logDir, filepath.Join(dataDir, clusterFile))
	log.Info("cluster running", "proxy", ln.Addr().String(), "apis", len(backends), "workers", o.workers)
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("cluster proxy: %w", err)
		}
	case <-ctx.Done():
	}
	return nil
}

// freeLocalPort asks the kernel for an unused port on 127.0.0.1.
func freeLocalPort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
