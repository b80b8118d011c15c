package metrics

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// gathered writes the series of the registry's metric family name as
// "label=value,...: value" lines, sorted.
func gathered(t *testing.T, g prometheus.Gatherer, name string) (*dto.MetricFamily, []string) {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		var lines []string
		for _, m := range mf.GetMetric() {
			var ls []string
			for _, l := range m.GetLabel() {
				ls = append(ls, l.GetName()+"="+l.GetValue())
			}
			v := m.GetCounter().GetValue() + m.GetGauge().GetValue()
			lines = append(lines, fmt.Sprintf("%s: %g", strings.Join(ls, ","), v))
		}
		sort.Strings(lines)
		return mf, lines
	}
	return nil, nil
}

// TestTemporalBridge: the SDK's counters, gauges and timers come out as
// Prometheus counters, gauges and histograms, a metric whose series carry
// different tags gets the union of them, and the registry gathers it.
func TestTemporalBridge(t *testing.T) {
	reg := NewRegistry()
	h := NewTemporal(reg)
	ns := h.WithTags(map[string]string{"namespace": "default"})
	ns.WithTags(map[string]string{"worker_type": "WorkflowWorker"}).Counter("temporal_request").Inc(2)
	ns.WithTags(map[string]string{"operation": "PollWorkflowTaskQueue"}).Counter("temporal_request").Inc(1)
	ns.Gauge("temporal_num_pollers").Update(16)
	timer := ns.WithTags(map[string]string{"task_queue": "leadflow"}).Timer("temporal_workflow_task_schedule_to_start_latency")
	timer.Record(3 * time.Millisecond)
	timer.Record(2 * time.Second)

	mf, lines := gathered(t, reg, "temporal_request_total")
	want := []string{"namespace=default,operation=,worker_type=WorkflowWorker: 2", "namespace=default,operation=PollWorkflowTaskQueue,worker_type=: 1"}
	if mf.GetType() != dto.MetricType_COUNTER || strings.Join(lines, ";") != strings.Join(want, ";") {
		t.Fatalf("temporal_request_total: %v %v", mf.GetType(), lines)
	}
	if mf, lines := gathered(t, reg, "temporal_num_pollers"); mf.GetType() != dto.MetricType_GAUGE || len(lines) != 1 || lines[0] != "namespace=default: 16" {
		t.Fatalf("temporal_num_pollers: %v", lines)
	}
	mf, _ = gathered(t, reg, "temporal_workflow_task_schedule_to_start_latency_seconds")
	if mf.GetType() != dto.MetricType_HISTOGRAM || len(mf.GetMetric()) != 1 {
		t.Fatalf("timer: %v", mf)
	}
	hist := mf.GetMetric()[0].GetHistogram()
	// 3ms falls in the 5ms bucket (the third), 2s in the 2.5s one.
	if hist.GetSampleCount() != 2 || hist.GetSampleSum() < 2 || hist.GetBucket()[1].GetCumulativeCount() != 0 ||
		hist.GetBucket()[2].GetCumulativeCount() != 1 || hist.GetBucket()[10].GetCumulativeCount() != 2 {
		t.Fatalf("histogram %v", hist)
	}
}
