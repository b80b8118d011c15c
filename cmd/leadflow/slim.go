//go:build slim

package main

import (
	"context"
	"errors"
)

// The slim build (`go build -tags slim`) leaves out the commands that link
// the Temporal server: dev, temporal and bench. Its processes (api, worker,
// migrate, deploy, users, import) load a third of the executable and none
// of the server's package state, so each keeps a smaller resident set
// (BENCHMARKS.md, "Scale-out"). `leadflow dev -cluster` starts its APIs and
// workers from it when LEADFLOW_NODE_BINARY names one.

// errSlim is what the slim build answers to the commands it lacks.
var errSlim = errors.New("this leadflow is the slim build (api, worker, migrate, deploy, users, import); dev, temporal and bench are in the full build")

func runDev(context.Context, config, []string) error            { return errSlim }
func runTemporalServer(context.Context, config, []string) error { return errSlim }
func runBench(context.Context, config, []string) error          { return errSlim }
