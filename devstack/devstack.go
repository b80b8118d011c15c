// Package devstack runs the local default stack used by `leadflow dev` and by
// the test harness: a PostgreSQL cluster started from the machine's own
// binaries and an embedded Temporal server persisted in a SQLite file.
//
// It is a development and test tool only; production code (the worker and
// api packages) must never import it.
package devstack

import (
	"fmt"
	"net"
)

// freePort asks the kernel for a currently unused TCP port on host.
// The port is released before returning, so a small race with other
// processes remains; callers that can retry on a bind failure should.
func freePort(host string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, fmt.Errorf("devstack: find free port on %s: %w", host, err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
