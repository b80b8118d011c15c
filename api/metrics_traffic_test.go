package api_test

import (
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/common/expfmt"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/metrics"
	"github.com/leadflow/leadflow/server"
)

// TestMetricsAfterConcurrentTraffic: after a few hundred concurrent
// requests of mixed methods and routes over real connections (fasthttp
// reuses its buffers between them), /metrics still parses, and every
// method and route label is one that was sent, not bytes of a later
// request written over a kept string ("GETT").
func TestMetricsAfterConcurrentTraffic(t *testing.T) {
	db := testenv.Store(t)
	tc, _ := testenv.Temporal(t)
	s := apptest.StackOn(t, db, tc, server.Config{Registry: metrics.NewRegistry()})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.App.Listener(ln) }()
	t.Cleanup(func() { _ = s.App.Shutdown() })
	base := "http://" + ln.Addr().String()

	type call struct{ method, path, body string }
	calls := []call{
		{"GET", "/healthz", ""},
		{"GET", "/api/v1/leads?limit=3", ""},
		{"POST", "/api/v1/leads", `{"company":"x"}`},
		{"DELETE", "/api/v1/pools/00000000-0000-0000-0000-000000000000", ""},
		{"PATCH", "/api/v1/users/00000000-0000-0000-0000-000000000001", `{}`},
		{"PUT", "/api/v1/settings/duplicates", `{}`},
		{"OPTIONS", "/api/v1/me", ""},
		{"HEAD", "/healthz", ""},
		{"GET", "/no/such/page/with/a/long/path", ""},
		{"POST", "/api/v1/register", `{"company":""}`},
	}
	sent := map[string]bool{}
	for _, c := range calls {
		sent[c.method] = true
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				c := calls[(w+i)%len(calls)]
				req, _ := http.NewRequest(c.method, base+c.path, strings.NewReader(c.body))
				if c.body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				if i%2 == 0 {
					req.Header.Set("Authorization", "Bearer "+s.Admin)
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()

	resp, err := client.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("/metrics answered %d: %.2000s", resp.StatusCode, body)
	}
	var p expfmt.TextParser
	families, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	fam := families["leadflow_http_requests_total"]
	if fam == nil {
		t.Fatal("no leadflow_http_requests_total")
	}
	total := 0.0
	for _, m := range fam.GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "method" && !sent[l.GetValue()] {
				t.Errorf("a series with method %q, which no request had", l.GetValue())
			}
			if l.GetName() == "route" && !strings.HasPrefix(l.GetValue(), "/") {
				t.Errorf("a series with route %q", l.GetValue())
			}
		}
		total += m.GetCounter().GetValue()
	}
	if total < 400 {
		t.Errorf("counted %v requests, sent 400", total)
	}
}
