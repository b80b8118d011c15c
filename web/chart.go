package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
)

// This file holds the dashboard page's data and draws its charts: horizontal bar charts as inline
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
	chartWidth  = 440
	chartLabelW = 140 // the labels' column
	chartValueW = 60  // the values' column
	chartRowH   = 24
	chartBarH   = 17
	chartPad    = 6
	columnH     = 120 // the height of a column chart's tallest column
)

// startChart opens a chart's SVG of the height, named title, and returns
// the largest value of bars (at least 1); when there is no bar the SVG is
// complete (it says none, "nothing in this period") and ok is false.
func startChart(title, none string, height int, bars []Bar) (b *strings.Builder, top float64, ok bool) {
	b = &strings.Builder{}
	esc := template.HTMLEscapeString
	fmt.Fprintf(b, `<svg class="chart" role="img" aria-label="%s" viewBox="0 0 %d %d" width="%d" height="%d" xmlns="http://www.w3.org/2000/svg">`,
		esc(title), chartWidth, height, chartWidth, height)
	fmt.Fprintf(b, `<title>%s</title>`, esc(title))
	for _, bar := range bars {
		top = max(top, bar.Value)
	}
	if len(bars) == 0 {
		fmt.Fprintf(b, `<text x="%d" y="%d" class="none">%s</text></svg>`, chartPad, chartPad+chartBarH, esc(none))
		return b, top, false
	}
	if top <= 0 {
		top = 1 // every bar is 0: drawn at 0, each with its label and value
	}
	return b, top, true
}

// BarChart draws bars as an SVG figure named title (its accessible name).
// Bars are scaled to the largest value; bars of 0 are drawn at 0 with
// their label, and a chart without bars says none instead.
func BarChart(title, none string, bars []Bar) template.HTML {
	b, top, ok := startChart(title, none, chartPad*2+chartRowH*max(len(bars), 1), bars)
	if !ok {
		return template.HTML(b.String()) // every text is escaped
	}
	esc := template.HTMLEscapeString
	span := float64(chartWidth - chartLabelW - chartValueW - chartPad)
	for i, bar := range bars {
		y := chartPad + i*chartRowH
		w := max(bar.Value, 0) / top * span
		if bar.Value > 0 && w < 2 {
			w = 2 // a non-zero value stays visible
		}
		label := bar.Label
		if r := []rune(label); len(r) > 20 {
			label = string(r[:19]) + "…"
		}
		fmt.Fprintf(b, `<g><title>%s: %s</title>`, esc(bar.Label), esc(bar.Text))
		fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="end" class="label">%s</text>`, chartLabelW-chartPad, y+chartBarH-4, esc(label))
		fmt.Fprintf(b, `<rect x="%d" y="%d" width="%.1f" height="%d" rx="2" class="bar"/>`, chartLabelW, y, w, chartBarH)
		fmt.Fprintf(b, `<text x="%.1f" y="%d" class="value">%s</text></g>`, float64(chartLabelW)+w+4, y+chartBarH-4, esc(bar.Text))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every text is escaped above
}

// ColumnChart draws bars as vertical columns side by side, for a series
// over time (a column a day): the first, the last and every 7th label
// under the axis (keep them short), each bar's Text in its tooltip and
// its value above the non-zero columns when there is room; a chart
// without bars says none instead.
func ColumnChart(title, none string, bars []Bar) template.HTML {
	b, top, ok := startChart(title, none, chartPad*2+columnH+34, bars)
	if !ok {
		return template.HTML(b.String()) // every text is escaped
	}
	esc := template.HTMLEscapeString
	base := chartPad + 14 + columnH // the axis; 14 above the tallest column for its value
	step := float64(chartWidth-2*chartPad) / float64(len(bars))
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" class="axis"/>`, chartPad, base, chartWidth-chartPad, base)
	for i, bar := range bars {
		x := float64(chartPad) + float64(i)*step
		h := max(bar.Value, 0) / top * columnH
		if bar.Value > 0 && h < 2 {
			h = 2
		}
		fmt.Fprintf(b, `<g><title>%s</title>`, esc(bar.Text))
		if h > 0 {
			fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="bar"/>`, x+step*0.1, float64(base)-h, step*0.8, h)
		}
		if bar.Value > 0 && step >= 10 {
			fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle" class="value">%s</text>`, x+step/2, float64(base)-h-3,
				strconv.FormatFloat(bar.Value, 'f', -1, 64))
		}
		b.WriteString(`</g>`)
		if i == 0 || i == len(bars)-1 || i%7 == 0 && len(bars)-1-i >= 4 {
			anchor := "middle"
			switch {
			case i == 0:
				anchor = "start"
			case i == len(bars)-1:
				anchor = "end"
			}
			fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="%s" class="label">%s</text>`,
				min(max(x+step/2, chartPad), chartWidth-chartPad), base+16, anchor, esc(bar.Label))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every text is escaped above
}

// Panel is one chart of the dashboard with the table of its figures.
type Panel struct {
	ID, Title string // the title in the reader's language
	Chart     template.HTML
	Columns   []string // message ids
	Rows      [][]string
	Note      string // the message id of what the figures count, under the table
}

// Dashboard is what the dashboard page shows.
type Dashboard struct {
	From, To string // the form's values: what the user asked, "" for the default
	// PeriodFrom and PeriodTo are the period shown, in the reader's zone.
	PeriodFrom, PeriodTo string
	// Headlines are labelled by message id.
	Headlines []JobRow
	Panels    []Panel
	// ReportLink and ReportCSV download the same figures (JSON, CSV)
	// under the console's session.
	ReportLink, ReportCSV string
}
