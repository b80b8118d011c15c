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
// by about 100 MB more with the SDK's default than with 500.
const DefaultWorkflowCache = 2000

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
