package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// call sends method path with body (JSON unless contentType says
// otherwise) as token, checks the status is want and decodes the answer
// into out (when not nil).
func (st *stack) call(ctx context.Context, token, method, path string, body any, want int, out any) error {
	var rd io.Reader
	contentType := "application/json"
	switch b := body.(type) {
	case nil:
	case rawBody:
		rd, contentType = bytes.NewReader(b.data), b.contentType
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, st.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if rd != nil {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := st.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != want {
		return fmt.Errorf("%s %s: status %d, want %d: %.300s", method, path, res.StatusCode, want, data)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// rawBody is a request body sent as is.
type rawBody struct {
	data        []byte
	contentType string
}

// latencies collects the durations of concurrent operations.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

// quantile is the q-quantile (0 to 1) of the durations, nearest rank.
func (l *latencies) quantile(q float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0
	}
	s := slices.Clone(l.d)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.5) - 1
	return s[max(0, min(i, len(s)-1))]
}

// pcts formats p50 and p99.
func (l *latencies) pcts() string {
	return fmt.Sprintf("p50 %s, p99 %s", ms(l.quantile(0.5)), ms(l.quantile(0.99)))
}

// ms formats d in milliseconds, with one decimal under 10 ms.
func ms(d time.Duration) string {
	if d < 10*time.Millisecond {
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%d ms", d.Milliseconds())
}

// parallel runs op(i) for i in [0, n) on conc goroutines, timing each, and
// returns the wall time and the first error, which stops the run.
func parallel(ctx context.Context, n, conc int, lat *latencies, op func(ctx context.Context, i int) error) (time.Duration, error) {
	wall, _, err := run(ctx, n, conc, lat, false, op)
	return wall, err
}

// tolerant runs op as parallel does but carries on after a failed op:
// it returns the wall time, the number of failed ops and the first
// failure (the latencies are those of the ops that succeeded).
func tolerant(ctx context.Context, n, conc int, lat *latencies, op func(ctx context.Context, i int) error) (time.Duration, int, error) {
	return run(ctx, n, conc, lat, true, op)
}

func run(ctx context.Context, n, conc int, lat *latencies, keepGoing bool, op func(ctx context.Context, i int) error) (time.Duration, int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	var failed atomic.Int64
	begin := time.Now()
	for range max(1, conc) {
		wg.Go(func() {
			for i := range next {
				t := time.Now()
				if err := op(ctx, i); err != nil {
					failed.Add(1)
					once.Do(func() {
						first = err
						if !keepGoing {
							cancel()
						}
					})
					continue
				}
				if lat != nil {
					lat.add(time.Since(t))
				}
			}
		})
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	return time.Since(begin), int(failed.Load()), first
}

// waitUntil calls done, then every d, until it says done or fails, or ctx
// ends: the bench's wait on a job, a campaign or an outbox.
func waitUntil(ctx context.Context, d time.Duration, done func() (bool, error)) error {
	for {
		if ok, err := done(); ok || err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(d):
		}
	}
}

// count is the number of durations recorded.
func (l *latencies) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.d)
}

// rate formats n operations in d as a rate per second.
func rate(n int, d time.Duration) string {
	return fmt.Sprintf("%.1f/s", float64(n)/d.Seconds())
}
