package web

import (
	"fmt"
	"strings"
	"testing"
)

// TestCharts: bars scale to the largest value, text is escaped, and a
// chart of nothing says so.
func TestCharts(t *testing.T) {
	svg := string(BarChart("Leads <by> pool", "none", []Bar{{Label: "<b>Pool</b>", Value: 4, Text: "4"}, {Label: "B", Value: 1, Text: "1"}, {Label: "C", Text: "0"}}))
	if strings.Contains(svg, "<b>") || !strings.Contains(svg, "&lt;b&gt;Pool&lt;/b&gt;") || !strings.Contains(svg, `aria-label="Leads &lt;by&gt; pool"`) {
		t.Errorf("not escaped: %s", svg)
	}
	span := float64(chartWidth - chartLabelW - chartValueW - chartPad)
	for _, w := range []string{fmt.Sprintf(`width="%.1f"`, span), fmt.Sprintf(`width="%.1f"`, span/4), `width="0.0"`} {
		if !strings.Contains(svg, w) {
			t.Errorf("no bar %s: %s", w, svg)
		}
	}
	for _, empty := range []string{string(BarChart("x", "nothing in this period", nil)), string(ColumnChart("x", "nothing in this period", nil))} {
		if !strings.Contains(empty, "nothing in this period") || strings.Contains(empty, "<rect") || !strings.HasSuffix(empty, "</svg>") {
			t.Errorf("empty chart: %s", empty)
		}
	}
	cols := string(ColumnChart("Reclaims", "none", []Bar{{Label: "11-30", Value: 2, Text: "2026-11-30: 2"}, {Label: "12-01", Text: "2026-12-01: 0"}}))
	if strings.Count(cols, "<rect") != 1 || !strings.Contains(cols, "<title>2026-11-30: 2</title>") || !strings.Contains(cols, ">12-01</text>") {
		t.Errorf("column chart: %s", cols)
	}
	// Bars that are all 0 are drawn, each with its label: the chart does
	// not say none above a table that has rows.
	zero := string(BarChart("Conversion", "nothing in this period", []Bar{{Label: "Website", Text: "0.0%"}, {Label: "Referral", Text: "0.0%"}}))
	if strings.Contains(zero, "nothing in this period") || strings.Count(zero, "<rect") != 2 || !strings.Contains(zero, ">Referral</text>") {
		t.Errorf("a chart of zeros: %s", zero)
	}
}
