//go:build !slim

package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// supervisor starts the child processes of `leadflow dev -cluster` and
// stops them, the last started first.
type supervisor struct {
	logDir string
	log    *slog.Logger

	mu       sync.Mutex
	children []*child
	stopping bool
}

// child is one process of the cluster.
type child struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{} // closed when the process has exited
	err     error
}

// start runs `BIN ARGS` (a leadflow executable) as name, with env added to this process's
// environment, its output appended to logDir/name.log. The child gets
// SIGTERM when this process dies, and is in its own process group, so a
// Ctrl-C in the terminal reaches this process only, which stops the
// children in order.
func (s *supervisor) start(ctx context.Context, bin, name string, args, env []string) (*child, error) {
	c := &child{name: name, done: make(chan struct{}), logPath: filepath.Join(s.logDir, name+".log")}
	lf, err := os.OpenFile(c.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	c.cmd = exec.Command(bin, args...)
	c.cmd.Env = append(os.Environ(), env...)
	c.cmd.Stdout, c.cmd.Stderr = lf, lf
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := c.cmd.Start(); err != nil {
		lf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	s.mu.Lock()
	s.children = append(s.children, c)
	s.mu.Unlock()
	go func() {
		c.err = c.cmd.Wait()
		lf.Close()
		close(c.done)
		s.mu.Lock()
		stopping := s.stopping
		s.mu.Unlock()
		if !stopping && ctx.Err() == nil {
			s.log.Error("cluster process exited", "process", name, "pid", c.cmd.Process.Pid, "err", c.err, "log", c.logPath)
		}
	}()
	s.log.Info("cluster process started", "process", name, "pid", c.cmd.Process.Pid, "log", c.logPath)
	return c, nil
}

// waitLog waits until c's log holds line, failing when c exits first or
// after timeout.
func (s *supervisor) waitLog(ctx context.Context, c *child, line string, timeout time.Duration) error {
	return s.wait(ctx, c, timeout, func() bool {
		b, _ := os.ReadFile(c.logPath)
		return bytes.Contains(b, []byte(line))
	})
}

// waitReady waits until url answers 200.
func (s *supervisor) waitReady(ctx context.Context, c *child, url string, timeout time.Duration) error {
	hc := &http.Client{Timeout: 2 * time.Second}
	return s.wait(ctx, c, timeout, func() bool {
		res, err := hc.Get(url)
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	})
}

func (s *supervisor) wait(ctx context.Context, c *child, timeout time.Duration, ready func() bool) error {
	deadline := time.After(timeout)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for !ready() {
		select {
		case <-c.done:
			return fmt.Errorf("%s exited while starting (%v); its log, %s:\n%s", c.name, c.err, c.logPath, tailOf(c.logPath, 3000))
		case <-deadline:
			return fmt.Errorf("%s not ready after %v; see %s", c.name, timeout, c.logPath)
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}

// stopAll stops every child, the last started first: SIGTERM, then
// SIGKILL after 20 s.
func (s *supervisor) stopAll() {
	s.mu.Lock()
	s.stopping = true
	children := s.children
	s.mu.Unlock()
	for i := len(children) - 1; i >= 0; i-- {
		c := children[i]
		select {
		case <-c.done:
			continue
		default:
		}
		_ = c.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-c.done:
		case <-time.After(20 * time.Second):
			s.log.Warn("cluster process did not stop in 20 s: killed", "process", c.name)
			_ = c.cmd.Process.Kill()
			<-c.done
		}
		s.log.Info("cluster process stopped", "process", c.name)
	}
}

// tailOf is the last n bytes of a file.
func tailOf(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
