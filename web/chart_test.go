package web

import (
	"fmt"
	"strings"
	"testing"
)

// TestCharts: bars scale to the largest value, text is escaped, and a
// chart of nothing says so.
func TestCharts(t *testing.T) {
	svg := string(BarChart("Leads <by> pool", []Bar{{Label: "<b>Pool</b>", Value: 4, Text: "4"}, {Label: "B", Value: 1, Text: "1"}, {Label: "C", Text: "0"}}))
	if strings.Contains(svg, "<b>") || !strings.Contains(svg, "&lt;b&gt;Pool&lt;/b&gt;") || !strings.Contains(svg, `aria-label="Leads &lt;by&gt; pool"`) {
		t.Errorf("not escaped: %s", svg)
	}
	span := float64(chartWidth - chartLabelW - chartValueW - chartPad)
	for _, w := range []string{fmt.Sprintf(`width="%.1f"`, span), fmt.Sprintf(`width="%.1f"`, span/4), `width="0.0"`} {
		if !strings.Contains(svg, w) {
			t.Errorf("no bar %s: %s", w, svg)
		}
	}
	for _, empty := range []string{string(BarChart("x", nil)), string(ColumnChart("x", []Bar{{Label: "a"}}))} {
		if !strings.Contains(empty, "nothing in this period") || strings.Contains(empty, "<rect") || !strings.HasSuffix(empty, "</svg>") {
			t.Errorf("empty chart: %s", empty)
		}
	}
	cols := string(ColumnChart("Reclaims", []Bar{{Label: "11-30", Value: 2, Text: "2026-11-30: 2"}, {Label: "12-01", Text: "2026-12-01: 0"}}))
	if strings.Count(cols, "<rect") != 1 || !strings.Contains(cols, "<title>2026-11-30: 2</title>") || !strings.Contains(cols, ">12-01</text>") {
		t.Errorf("column chart: %s", cols)
	}
}
