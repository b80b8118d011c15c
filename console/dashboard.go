package console

import (
	"encoding/csv"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/i18n"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/web"
)

// This file is the console's dashboard: the funnel and activity reports
// of a period (service.Dashboard: the reports of GET /api/v1/reports/funnel
// and /activity, over the same viewer) drawn as bar charts with their tables.
// Everyone sees the figures of the leads they answer for: a rep their own.
// The same figures download as JSON or CSV under the console's session
// (/dashboard/figures.json, /dashboard/figures.csv).

// dashboardFilter reads the period of the dashboard's query: a bare date
// is midnight in the reader's time zone.
func dashboardFilter(c *fiber.Ctx) (store.ReportFilter, error) {
	return service.ParseReportFilter(inZone(c, "from", "to"), false)
}

// pagePeriod is the period of a report page's query (dashboardFilter);
// bad dates are shown at the top of p, and the page shows the default period.
func pagePeriod(c *fiber.Ctx, p *web.Page) store.ReportFilter {
	f, err := dashboardFilter(c)
	if err != nil {
		p.Problem = pageProblem(c, err)
		c.Status(refusalStatus(err))
		f, _ = service.ParseReportFilter(func(string) string { return "" }, false)
	}
	return f
}

func (s *Server) dashboardPage(c *fiber.Ctx) error {
	p := consolePage(c, "nav.dashboard", "dashboard")
	f := pagePeriod(c, &p)
	funnels, act, err := s.Service.Dashboard(c.UserContext(), httpx.Caller(c), f)
	if err != nil {
		return err
	}
	l := localeOf(c)
	// To the nanosecond: the downloads hold exactly the page's leads.
	period := "?from=" + f.From.UTC().Format(time.RFC3339Nano) + "&to=" + f.To.UTC().Format(time.RFC3339Nano)
	d := web.Dashboard{PeriodForm: periodForm(c, "/dashboard"), PeriodFrom: l.When(f.From), PeriodTo: l.When(f.To),
		ReportLink: "/dashboard/figures.json" + period, ReportCSV: "/dashboard/figures.csv" + period}
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
		row("dashboard.registered", strconv.FormatInt(all.Registered, 10)),
		row("dashboard.converted", fmt.Sprintf("%d (%s)", all.Converted, percent(all.ConversionRate))),
		row("dashboard.reclaims", strconv.FormatInt(reclaims, 10)),
		row("dashboard.due_today", tr(c, "dashboard.due_overdue", "Due", due, "Overdue", overdue)),
		row("dashboard.median", duration(c, all.MedianFirstContactSeconds)),
	}
	d.Panels = dashboardPanels(c, funnels, act)
	p.Data = d
	return render(c, "dashboard", p)
}

// dashboardPanels builds the charts and tables of the reports, in the
// reader's language. A chart has a bar for every row of its table.
func dashboardPanels(c *fiber.Ctx, funnels map[string][]store.FunnelRow, act service.ActivityReport) []web.Panel {
	none := tr(c, "dashboard.chart_none")
	// label is a row's label in the reader's words: a status by its id,
	// "(none)" as the catalogue says it; names as they are.
	label := func(group, l string) string {
		switch {
		case l == "(none)":
			return tr(c, "dashboard.no_value")
		case group == store.GroupStatus && localeOf(c).Lang != i18n.EN:
			return trOr(c, "lead.status."+l, l) // English keeps the API's status names
		}
		return l
	}
	count := func(id, title, what, group string, rows []store.FunnelRow, n func(store.FunnelRow) int64) web.Panel {
		p := web.Panel{ID: id, Title: tr(c, title), Columns: []string{what, "dashboard.col.leads", "dashboard.col.assigned", "dashboard.col.converted"}}
		var bars []web.Bar
		for _, r := range rows {
			r.Label = label(group, r.Label)
			bars = append(bars, web.Bar{Label: r.Label, Value: float64(n(r)), Text: strconv.FormatInt(n(r), 10)})
			p.Rows = append(p.Rows, []string{r.Label, strconv.FormatInt(r.Registered, 10), strconv.FormatInt(r.Assigned, 10),
				strconv.FormatInt(r.Converted, 10)})
		}
		p.Chart = web.BarChart(p.Title, none, bars)
		return p
	}
	conversion := func(id, title, what string, rows []store.FunnelRow) web.Panel {
		p := web.Panel{ID: id, Title: tr(c, title), Columns: []string{what, "dashboard.col.leads", "dashboard.col.converted", "dashboard.col.rate"}}
		var bars []web.Bar
		for _, r := range rows {
			r.Label = label("", r.Label)
			bars = append(bars, web.Bar{Label: r.Label, Value: r.ConversionRate, Text: percent(r.ConversionRate)})
			p.Rows = append(p.Rows, []string{r.Label, strconv.FormatInt(r.Registered, 10), strconv.FormatInt(r.Converted, 10),
				percent(r.ConversionRate)})
		}
		p.Chart = web.BarChart(p.Title, none, bars)
		return p
	}
	registered := func(r store.FunnelRow) int64 { return r.Registered }
	panels := []web.Panel{
		count("by-status", "dashboard.by_status", "dashboard.col.status", store.GroupStatus, funnels[store.GroupStatus], registered),
		count("by-pool", "dashboard.by_pool", "dashboard.col.pool", store.GroupPool, funnels[store.GroupPool], registered),
		conversion("by-channel", "dashboard.by_channel", "dashboard.col.channel", funnels[store.GroupChannel]),
		conversion("by-inviter", "dashboard.by_inviter", "dashboard.col.inviter", funnels[store.GroupInviter]),
	}

	reclaims := web.Panel{ID: "reclaims", Title: tr(c, "dashboard.reclaims_per_day"), Columns: []string{"dashboard.col.day", "dashboard.col.reclaims"}}
	var bars []web.Bar
	for _, r := range act.Reclaims {
		// The axis shows month-day; the tooltip and the table the whole date.
		bars = append(bars, web.Bar{Label: r.Day[len("2006-"):], Value: float64(r.Count), Text: r.Day + ": " + strconv.FormatInt(r.Count, 10)})
		if r.Count > 0 {
			reclaims.Rows = append(reclaims.Rows, []string{r.Day, strconv.FormatInt(r.Count, 10)})
		}
	}
	if len(reclaims.Rows) == 0 {
		bars = nil // no column to draw: the chart says so, as the table does
	}
	reclaims.Chart, reclaims.Note = web.ColumnChart(reclaims.Title, none, bars), "dashboard.reclaims_note"

	due := web.Panel{ID: "due", Title: tr(c, "dashboard.due_title", "Day", act.Today), Columns: []string{"dashboard.col.owner", "dashboard.col.due_today", "dashboard.col.overdue"}}
	bars = nil
	for _, r := range act.Due {
		r.Label = label("", r.Label)
		bars = append(bars, web.Bar{Label: r.Label, Value: float64(r.DueToday + r.Overdue), Text: strconv.FormatInt(r.DueToday+r.Overdue, 10)})
		due.Rows = append(due.Rows, []string{r.Label, strconv.FormatInt(r.DueToday, 10), strconv.FormatInt(r.Overdue, 10)})
	}
	due.Chart, due.Note = web.BarChart(due.Title, none, bars), "dashboard.due_note"

	contact := web.Panel{ID: "first-contact", Title: tr(c, "dashboard.first_contact"), Columns: []string{"dashboard.col.owner", "dashboard.col.assigned", "dashboard.col.followed_up", "dashboard.col.median"}}
	bars = nil
	for _, r := range funnels[store.GroupOwner] {
		r.Label = label("", r.Label)
		var v float64
		if m := r.MedianFirstContactSeconds; m != nil {
			v = *m
		}
		bars = append(bars, web.Bar{Label: r.Label, Value: v, Text: duration(c, r.MedianFirstContactSeconds)})
		contact.Rows = append(contact.Rows, []string{r.Label, strconv.FormatInt(r.Assigned, 10), strconv.FormatInt(r.FollowedUp, 10),
			duration(c, r.MedianFirstContactSeconds)})
	}
	contact.Chart, contact.Note = web.BarChart(contact.Title, none, bars), "dashboard.first_contact_note"
	return append(panels, reclaims, due, contact)
}

// dashboardFigures is the JSON of the dashboard's figures: the funnel by
// each of service.DashboardGroups, and the activity.
type dashboardFigures struct {
	service.Period
	Funnels  map[string][]store.FunnelRow `json:"funnels"`
	Activity service.ActivityReport       `json:"activity"`
}

// figures are the dashboard's figures of the query's period: the same
// service call as the page.
func (s *Server) figures(c *fiber.Ctx) (dashboardFigures, error) {
	f, err := dashboardFilter(c)
	if err != nil {
		return dashboardFigures{}, err
	}
	funnels, act, err := s.Service.Dashboard(c.UserContext(), httpx.Caller(c), f)
	return dashboardFigures{Period: service.Period{From: f.From, To: f.To}, Funnels: funnels, Activity: act}, err
}

// dashboardJSON answers the dashboard's figures as JSON, for the
// console's session.
func (s *Server) dashboardJSON(c *fiber.Ctx) error {
	fig, err := s.figures(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="dashboard.json"`)
	return c.JSON(fig)
}

// dashboardCSV answers the dashboard's funnel figures as CSV: a row per
// group and label.
func (s *Server) dashboardCSV(c *fiber.Ctx) error {
	fig, err := s.figures(c)
	if err != nil {
		return err
	}
	funnels := fig.Funnels
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="dashboard.csv"`)
	w := csv.NewWriter(c)
	_ = w.Write([]string{"group", "label", "registered", "assigned", "followed_up", "converted", "conversion_rate"})
	for _, g := range service.DashboardGroups {
		for _, r := range funnels[g] {
			_ = w.Write([]string{g, r.Label, strconv.FormatInt(r.Registered, 10), strconv.FormatInt(r.Assigned, 10),
				strconv.FormatInt(r.FollowedUp, 10), strconv.FormatInt(r.Converted, 10), strconv.FormatFloat(r.ConversionRate, 'f', 4, 64)})
		}
	}
	w.Flush()
	return w.Error()
}

// percent writes a rate as a percentage.
func percent(rate float64) string { return strconv.FormatFloat(rate*100, 'f', 1, 64) + "%" }

// duration writes seconds in the unit that reads best, in the reader's
// language; "-" for none.
func duration(c *fiber.Ctx, s *float64) string {
	switch {
	case s == nil:
		return "-"
	case *s < 120:
		return tr(c, "dashboard.seconds", "N", fmt.Sprintf("%.0f", *s))
	case *s < 2*3600:
		return tr(c, "dashboard.minutes", "N", fmt.Sprintf("%.0f", *s/60))
	case *s < 2*86400:
		return tr(c, "dashboard.hours", "N", fmt.Sprintf("%.1f", *s/3600))
	default:
		return tr(c, "dashboard.days", "N", fmt.Sprintf("%.1f", *s/86400))
	}
}

// periodForm is the period form of the report page at action, holding
// what the query asked.
func periodForm(c *fiber.Ctx, action string) web.PeriodForm {
	return web.PeriodForm{Action: action, From: c.Query("from"), To: c.Query("to")}
}
