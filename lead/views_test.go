package lead

import (
	"testing"
	"time"
)

// TestPeriodResolve: a relative period resolves in the reader's zone.
func TestPeriodResolve(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 3, 4, 20, 0, 0, 0, time.UTC) // 04:00 on the 5th in Shanghai
	for in, want := range map[string][2]string{
		"today":             {"2026-03-05T00:00:00+08:00", "2026-03-06T00:00:00+08:00"},
		"Last_7_days":       {"2026-02-26T04:00:00+08:00", "2026-03-05T04:00:00+08:00"},
		"next 24 hours":     {"2026-03-05T04:00:00+08:00", "2026-03-06T04:00:00+08:00"},
		"this week":         {"2026-03-02T00:00:00+08:00", "2026-03-09T00:00:00+08:00"},
		"older than 3 days": {"", "2026-03-02T04:00:00+08:00"},
		"this month":        {"2026-03-01T00:00:00+08:00", "2026-04-01T00:00:00+08:00"},
		"yesterday":         {"2026-03-04T00:00:00+08:00", "2026-03-05T00:00:00+08:00"},
	} {
		p, ok := ParsePeriod(in)
		if !ok {
			t.Fatalf("%q does not read", in)
		}
		from, to := p.Resolve(now, sh)
		show := func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return t.In(sh).Format(time.RFC3339)
		}
		if got := [2]string{show(from), show(to)}; got != want {
			t.Errorf("%s: %v, want %v", in, got, want)
		}
	}
	for _, bad := range []string{"", "soon", "last days", "next 3 years"} {
		if _, ok := ParsePeriod(bad); ok {
			t.Errorf("%q reads as a period", bad)
		}
	}
}
