// Package reliability holds the fault-injection tests of leadflow: the
// real binary (`leadflow api`, `leadflow worker`) as child processes
// against a PostgreSQL cluster and an embedded Temporal server, while the
// test kills the worker, restarts PostgreSQL or Temporal, or makes SendGrid
// fail. The tests carry the build tag `reliability` and run with
// `make reliability`; RELIABILITY.md at the repository root records their
// figures.
package reliability
