package worker

import (
	"sync"

	sdkworker "go.temporal.io/sdk/worker"
)

// DefaultWorkflowCache is how many workflow executions a worker process
// keeps in memory between their tasks (the SDK's default is 10,000). A
// cached lead costs about 50 KB (its coroutines and state); one that is
// not cached replays its history, a few dozen events, at its next task.
// Measured with BenchmarkImport: 2,000 imported leads raised the peak RSS
// by about 100 MB more with the SDK's default than with 500; with
// `leadflow bench -only import -import-rows 10000` against a separate
// Temporal, the worker and API process peaked at 306 MB with 2,000 and 198
// MB with 500 (BENCHMARKS.md). A lead's workflow is touched at intake and
// then at its rare timers and actions, so a smaller cache costs a short
// replay now and then, not throughput.
const DefaultWorkflowCache = 1000

var cacheOnce sync.Once

// setWorkflowCache sizes the SDK's process-wide workflow cache once,
// before the first worker starts: n, else DefaultWorkflowCache.
func setWorkflowCache(n int) {
	cacheOnce.Do(func() {
		if n <= 0 {
			n = DefaultWorkflowCache
		}
		sdkworker.SetStickyWorkflowCacheSize(n)
	})
}
