package bench

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/pprof/profile"
)

// temporalServices profiles the Temporal server at base (its
// /debug/pprof/, `leadflow temporal -pprof`) for d and shares its CPU among
// its services by the frames of each sample: a stack through
// go.temporal.io/server/service/history is history's, and so on; the rest
// (gRPC plumbing, the Go runtime and its GC) is "other". "" when it
// cannot be had (logged).
func temporalServices(ctx context.Context, st *stack, base string, d time.Duration) string {
	req, err := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", strings.TrimSuffix(base, "/"), int(d.Seconds())), nil)
	if err != nil {
		return ""
	}
	res, err := st.http.Do(req)
	if err != nil {
		st.log.Warn("capacity: no Temporal profile", "err", err)
		return ""
	}
	defer res.Body.Close()
	p, err := profile.Parse(res.Body)
	if err != nil || len(p.SampleType) < 2 {
		st.log.Warn("capacity: Temporal profile unreadable", "err", err)
		return ""
	}
	services := []string{"frontend", "history", "matching", "worker"}
	by := map[string]int64{}
	var total int64
	for _, smp := range p.Sample {
		v := smp.Value[1] // cpu nanoseconds
		total += v
		svc := "other"
	find:
		for _, loc := range smp.Location {
			for _, line := range loc.Line {
				if line.Function == nil {
					continue
				}
				for _, name := range services {
					if strings.Contains(line.Function.Name, "go.temporal.io/server/service/"+name+".") ||
						strings.Contains(line.Function.Name, "go.temporal.io/server/service/"+name+"/") {
						svc = name
						break find
					}
				}
			}
		}
		by[svc] += v
	}
	if total == 0 {
		return ""
	}
	var parts []string
	for _, name := range append(services, "other") {
		parts = append(parts, fmt.Sprintf("%s %.0f%%", name, 100*float64(by[name])/float64(total)))
	}
	return strings.Join(parts, ", ") + fmt.Sprintf(" of %.1f CPU-s (other: gRPC plumbing, the Go runtime, GC)", time.Duration(total).Seconds())
}
