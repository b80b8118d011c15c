package web

import (
	"fmt"
	"html/template"
	"strings"
)

// This file draws the dashboard's charts: horizontal bar charts as inline
// SVG, on the server, with no script. Each chart has a table of the same
// figures beside it (the page's), so the SVG is a picture, not the data.

// Bar is one bar of a chart: its label, its value and the value as shown.
type Bar struct {
	Label string
	Value float64
	Text  string // the value as written at the bar's end ("12", "33%", "4.2 h")
}

// Chart geometry, in SVG user units (the SVG scales to its box).
const (
	chartWidth  = 560
	chartLabelW = 170 // the labels' column
	chartValueW = 70  // the values' column
	chartRowH   = 26
	chartBarH   = 18
	chartPad    = 6
)

// BarChart draws bars as an SVG figure named title (its accessible name).
// Bars are scaled to the largest value; a chart without bars, or whose
// values are all 0, says so instead.
func BarChart(title string, bars []Bar) template.HTML {
	var b strings.Builder
	esc := template.HTMLEscapeString
	height := chartPad*2 + chartRowH*max(len(bars), 1)
	fmt.Fprintf(&b, `<svg class="chart" role="img" aria-label="%s" viewBox="0 0 %d %d" width="%d" height="%d" xmlns="http://www.w3.org/2000/svg">`,
		esc(title), chartWidth, height, chartWidth, height)
	fmt.Fprintf(&b, `<title>%s</title>`, esc(title))
	top := 0.0
	for _, bar := range bars {
		top = max(top, bar.Value)
	}
	if top <= 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="none">nothing in this period</text></svg>`, chartPad, chartPad+chartBarH)
		return template.HTML(b.String()) // every text is escaped above
	}
	span := float64(chartWidth - chartLabelW - chartValueW - chartPad)
	for i, bar := range bars {
		y := chartPad + i*chartRowH
		w := max(bar.Value, 0) / top * span
		if bar.Value > 0 && w < 2 {
			w = 2 // a non-zero value stays visible
		}
		label := bar.Label
		if r := []rune(label); len(r) > 24 {
			label = string(r[:23]) + "…"
		}
		fmt.Fprintf(&b, `<g><title>%s: %s</title>`, esc(bar.Label), esc(bar.Text))
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" class="label">%s</text>`, chartLabelW-chartPad, y+chartBarH-4, esc(label))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" rx="2" class="bar"/>`, chartLabelW, y, w, chartBarH)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="value">%s</text></g>`, float64(chartLabelW)+w+4, y+chartBarH-4, esc(bar.Text))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every text is escaped above
}

// Panel is one chart of the dashboard with the table of its figures.
type Panel struct {
	ID, Title string
	Chart     template.HTML
	Columns   []string
	Rows      [][]string
	Note      string // what the figures count, under the table
}
