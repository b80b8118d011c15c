package metrics

import (
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
)

// timerBuckets are the histogram buckets of the SDK's timers, in seconds.
var timerBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

// NewTemporal returns a Temporal SDK metrics handler (client.Options.MetricsHandler)
// whose metrics are collected on reg: counters as NAME_total, gauges as
// NAME, timers as NAME_seconds histograms, with the SDK's tags as labels
// (namespace, task_queue, worker_type, workflow_type, activity_type,
// operation...). A metric whose series carry different tags is given the
// union of them, absent ones empty, as Prometheus wants one label set per metric.
func NewTemporal(reg prometheus.Registerer) client.MetricsHandler {
	c := &sdkCollector{families: map[string]*family{}}
	reg.MustRegister(c)
	return &sdkHandler{c: c}
}

type kind int

const (
	counterKind kind = iota
	gaugeKind
	timerKind
)

type series struct {
	mu      sync.Mutex
	labels  map[string]string
	value   float64  // counter or gauge
	count   uint64   // timer
	sum     float64  // timer, seconds
	buckets []uint64 // timer, cumulative at collection
}

type family struct {
	kind   kind
	series map[string]*series
}

// sdkCollector holds every series the SDK created and writes them out at
// each scrape (an unchecked collector: its metrics appear as they come).
type sdkCollector struct {
	mu       sync.Mutex
	families map[string]*family
}

func (c *sdkCollector) get(name string, k kind, tags map[string]string) *series {
	switch k {
	case counterKind:
		name += "_total"
	case timerKind:
		name += "_seconds"
	}
	keys := slices.Sorted(maps.Keys(tags))
	var b strings.Builder
	for _, key := range keys {
		b.WriteString(key + "\x00" + tags[key] + "\x00")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	f := c.families[name]
	if f == nil {
		f = &family{kind: k, series: map[string]*series{}}
		c.families[name] = f
	}
	s := f.series[b.String()]
	if s == nil {
		s = &series{labels: maps.Clone(tags)}
		if k == timerKind {
			s.buckets = make([]uint64, len(timerBuckets))
		}
		f.series[b.String()] = s
	}
	return s
}

// Describe sends nothing: the collector is unchecked.
func (c *sdkCollector) Describe(chan<- *prometheus.Desc) {}

// Collect writes every series out.
func (c *sdkCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for name, f := range c.families {
		names := map[string]bool{}
		for _, s := range f.series {
			for k := range s.labels {
				names[k] = true
			}
		}
		labels := slices.Sorted(maps.Keys(names))
		desc := prometheus.NewDesc(name, "Temporal Go SDK metric "+name+".", labels, nil)
		for _, s := range f.series {
			values := make([]string, len(labels))
			for i, l := range labels {
				values[i] = s.labels[l]
			}
			s.mu.Lock()
			switch f.kind {
			case counterKind:
				ch <- prometheus.MustNewConstMetric(desc, prometheus.CounterValue, s.value, values...)
			case gaugeKind:
				ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, s.value, values...)
			default:
				buckets := make(map[float64]uint64, len(timerBuckets))
				var cum uint64
				for i, le := range timerBuckets {
					cum += s.buckets[i]
					buckets[le] = cum
				}
				ch <- prometheus.MustNewConstHistogram(desc, s.count, s.sum, buckets, values...)
			}
			s.mu.Unlock()
		}
	}
}

// sdkHandler is the SDK's view: a set of tags over the collector.
type sdkHandler struct {
	c    *sdkCollector
	tags map[string]string
}

func (h *sdkHandler) WithTags(tags map[string]string) client.MetricsHandler {
	merged := maps.Clone(h.tags)
	if merged == nil {
		merged = map[string]string{}
	}
	maps.Copy(merged, tags)
	return &sdkHandler{c: h.c, tags: merged}
}

func (h *sdkHandler) Counter(name string) client.MetricsCounter {
	s := h.c.get(name, counterKind, h.tags)
	return counterFunc(func(d int64) {
		s.mu.Lock()
		s.value += float64(d)
		s.mu.Unlock()
	})
}

func (h *sdkHandler) Gauge(name string) client.MetricsGauge {
	s := h.c.get(name, gaugeKind, h.tags)
	return gaugeFunc(func(v float64) {
		s.mu.Lock()
		s.value = v
		s.mu.Unlock()
	})
}

func (h *sdkHandler) Timer(name string) client.MetricsTimer {
	s := h.c.get(name, timerKind, h.tags)
	return timerFunc(func(d time.Duration) {
		sec := d.Seconds()
		i := sort.SearchFloat64s(timerBuckets, sec) // the first bucket with le >= sec
		s.mu.Lock()
		s.count++
		s.sum += sec
		if i < len(s.buckets) {
			s.buckets[i]++
		}
		s.mu.Unlock()
	})
}

type counterFunc func(int64)

func (f counterFunc) Inc(d int64) { f(d) }

type gaugeFunc func(float64)

func (f gaugeFunc) Update(v float64) { f(v) }

type timerFunc func(time.Duration)

func (f timerFunc) Record(d time.Duration) { f(d) }
