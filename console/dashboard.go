package console

import (
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/web"
)

// This file is the console's dashboard: the funnel and activity reports
// of a period (service.Dashboard: the reports of GET /api/v1/reports/funnel
// and /activity, over the same viewer) drawn as bar charts with their tables.
// Everyone sees the figures of the leads they answer for: a rep their own.

func (s *Server) dashboardPage(c *fiber.Ctx) error {
	p := consolePage(c, "nav.dashboard", "dashboard")
	f, err := service.ParseReportFilter(httpx.Query(c), false)
	if err != nil {
		// Bad dates are shown at the top; the page shows the default period.
		p.Problem = webProblem(err)
		c.Status(refusalStatus(err))
		f.To = time.Now().UTC()
		f.From = f.To.AddDate(0, 0, -service.DefaultReportDays)
	}
	funnels, act, err := s.Service.Dashboard(c.UserContext(), httpx.Caller(c), f)
	if err != nil {
		return err
	}
	d := web.Dashboard{From: c.Query("from"), To: c.Query("to"),
		Period:     f.From.UTC().Format("2006-01-02 15:04") + " to " + f.To.UTC().Format("2006-01-02 15:04") + " UTC (excluded)",
		ReportLink: "/api/v1/reports/funnel?from=" + f.From.UTC().Format(time.RFC3339) + "&to=" + f.To.UTC().Format(time.RFC3339)}
	var all store.FunnelRow
	if rows := funnels[store.GroupAll]; len(rows) == 1 {
		all = rows[0]
	}
	var reclaims, due, overdue int64
	for _, r := range act.Reclaims {
		reclaims += r.Count
	}
	for _, r := range act.Due {
		due, overdue = due+r.DueToday, overdue+r.Overdue
	}
	d.Headlines = []web.JobRow{
		row("Leads registered", strconv.FormatInt(all.Registered, 10)),
		row("Converted", fmt.Sprintf("%d (%s)", all.Converted, percent(all.ConversionRate))),
		row("Reclaims in the period", strconv.FormatInt(reclaims, 10)),
		row("Follow-ups due today", fmt.Sprintf("%d (and %d overdue)", due, overdue)),
		row("Median time to first contact", duration(all.MedianFirstContactSeconds)),
	}
	d.Panels = dashboardPanels(funnels, act)
	p.Data = d
	return render(c, "dashboard", p)
}

// dashboardPanels builds the charts and tables of the reports.
func dashboardPanels(funnels map[string][]store.FunnelRow, act service.ActivityReport) []web.Panel {
	count := func(id, title, what string, rows []store.FunnelRow, n func(store.FunnelRow) int64) web.Panel {
		p := web.Panel{ID: id, Title: title, Columns: []string{what, "Leads", "Assigned", "Converted"}}
		var bars []web.Bar
		for _, r := range rows {
			bars = append(bars, web.Bar{Label: r.Label, Value: float64(n(r)), Text: strconv.FormatInt(n(r), 10)})
			p.Rows = append(p.Rows, []string{r.Label, strconv.FormatInt(r.Registered, 10), strconv.FormatInt(r.Assigned, 10),
				strconv.FormatInt(r.Converted, 10)})
		}
		p.Chart = web.BarChart(title, bars)
		return p
	}
	conversion := func(id, title, what string, rows []store.FunnelRow) web.Panel {
		p := web.Panel{ID: id, Title: title, Columns: []string{what, "Leads", "Converted", "Rate"}}
		var bars []web.Bar
		for _, r := range rows {
			bars = append(bars, web.Bar{Label: r.Label, Value: r.ConversionRate, Text: percent(r.ConversionRate)})
			p.Rows = append(p.Rows, []string{r.Label, strconv.FormatInt(r.Registered, 10), strconv.FormatInt(r.Converted, 10),
				percent(r.ConversionRate)})
		}
		p.Chart = web.BarChart(title, bars)
		return p
	}
	registered := func(r store.FunnelRow) int64 { return r.Registered }
	panels := []web.Panel{
		count("by-status", "Leads by status", "Status", funnels[store.GroupStatus], registered),
		count("by-pool", "Leads by pool", "Pool", funnels[store.GroupPool], registered),
		conversion("by-channel", "Conversion by channel", "Channel", funnels[store.GroupChannel]),
		conversion("by-inviter", "Conversion by inviter", "Inviter", funnels[store.GroupInviter]),
	}

	reclaims := web.Panel{ID: "reclaims", Title: "Reclaims per day", Columns: []string{"Day", "Reclaims"}}
	var bars []web.Bar
	for _, r := range act.Reclaims {
		// The axis shows month-day; the tooltip and the table the whole date.
		bars = append(bars, web.Bar{Label: r.Day[len("2006-"):], Value: float64(r.Count), Text: r.Day + ": " + strconv.FormatInt(r.Count, 10)})
		if r.Count > 0 {
			reclaims.Rows = append(reclaims.Rows, []string{r.Day, strconv.FormatInt(r.Count, 10)})
		}
	}
	reclaims.Chart, reclaims.Note = web.ColumnChart(reclaims.Title, bars), "A column a day (UTC); the table lists the days with reclaims."

	due := web.Panel{ID: "due", Title: "Follow-ups due today (" + act.Today + ")", Columns: []string{"Owner", "Due today", "Overdue"}}
	bars = nil
	for _, r := range act.Due {
		bars = append(bars, web.Bar{Label: r.Label, Value: float64(r.DueToday + r.Overdue), Text: strconv.FormatInt(r.DueToday+r.Overdue, 10)})
		due.Rows = append(due.Rows, []string{r.Label, strconv.FormatInt(r.DueToday, 10), strconv.FormatInt(r.Overdue, 10)})
	}
	due.Chart, due.Note = web.BarChart(due.Title, bars), "Assigned leads whose latest follow-up planned the next one by the end of today (UTC); the bars count both."

	contact := web.Panel{ID: "first-contact", Title: "Median time to first contact, by owner", Columns: []string{"Owner", "Assigned", "Followed up", "Median"}}
	bars = nil
	for _, r := range funnels[store.GroupOwner] {
		if m := r.MedianFirstContactSeconds; m != nil {
			bars = append(bars, web.Bar{Label: r.Label, Value: *m, Text: duration(m)})
		}
		contact.Rows = append(contact.Rows, []string{r.Label, strconv.FormatInt(r.Assigned, 10), strconv.FormatInt(r.FollowedUp, 10),
			duration(r.MedianFirstContactSeconds)})
	}
	contact.Chart, contact.Note = web.BarChart(contact.Title, bars), "From a lead's first assignment to its first follow-up."
	return append(panels, reclaims, due, contact)
}

// percent writes a rate as a percentage.
func percent(rate float64) string { return strconv.FormatFloat(rate*100, 'f', 1, 64) + "%" }

// duration writes seconds in the unit that reads best; "-" for none.
func duration(s *float64) string {
	switch {
	case s == nil:
		return "-"
	case *s < 120:
		return fmt.Sprintf("%.0f s", *s)
	case *s < 2*3600:
		return fmt.Sprintf("%.0f min", *s/60)
	case *s < 2*86400:
		return fmt.Sprintf("%.1f h", *s/3600)
	default:
		return fmt.Sprintf("%.1f d", *s/86400)
	}
}
