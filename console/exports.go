package console

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/sheet"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/web"
)

// This file is the console's exports: the list with the new-export form
// (the lead list's filters and a choice of fields), and an export's page
// with its status and download link. Each calls the service methods POST
// and GET /api/v1/exports call: StartExport, Export, Exports.

func (s *Server) exportsPage(c *fiber.Ctx) error {
	return s.renderExports(c, service.ExportInput{Format: string(sheet.CSV)}, nil)
}

// renderExports writes the exports page, its form holding in, with the
// refusal of the form when there is one.
func (s *Server) renderExports(c *fiber.Ctx, in service.ExportInput, refused error) error {
	items, next, err := s.Service.Exports(c.UserContext(), httpx.Caller(c), 50, c.Query("cursor"))
	if err != nil && refused == nil {
		refused = err
	}
	d := web.ExportList{Next: jobListNext("/exports", next), Format: in.Format}
	d.Exports = jobItems(items, func(e store.Export) web.JobItem {
		return web.JobItem{URL: "/exports/" + e.ID, Title: tr(c, "exports.item", "Format", strings.ToUpper(e.Format), "Leads", filterWords(c, httpx.ViewExport(e, s.ExportTTL).Filters)),
			Status: e.Status, Summary: exportSummary(c, e), Created: e.CreatedAt}
	})
	for _, f := range listFilters {
		f.Value = in.Filters[f.Name]
		d.Filters = append(d.Filters, f)
	}
	chosen := in.Fields
	if len(chosen) == 0 {
		chosen = sheet.DefaultExportFields
	}
	for _, f := range sheet.ExportFields {
		d.Fields = append(d.Fields, web.ExportField{Name: f, On: slices.Contains(chosen, f)})
	}
	return renderJobForm(c, "exports", "nav.exports", &d, refused)
}

// exportSummary says what an export holds ("42 leads, CSV"), that it is
// being made, or why it failed, in the reader's language.
func exportSummary(c *fiber.Ctx, e store.Export) string {
	switch e.Status {
	case store.JobRunning:
		return tr(c, "exports.being_made")
	case store.JobFailed:
		return e.Error
	}
	return tr(c, "exports.summary", "Count", e.Rows, "Format", strings.ToUpper(e.Format))
}

// filterWords says which leads an export holds: "status pooled, company
// acme", or "all your leads".
func filterWords(c *fiber.Ctx, filters map[string]string) string {
	keys := make([]string, 0, len(filters))
	for k := range filters {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + " " + filters[k]
	}
	if len(parts) == 0 {
		return tr(c, "exports.all_leads")
	}
	return strings.Join(parts, ", ")
}

// startExportPage starts an export of the form's filters and fields and
// opens its page.
func (s *Server) startExportPage(c *fiber.Ctx) error {
	in := service.ExportInput{Format: c.FormValue("format"), Filters: map[string]string{}}
	for _, f := range listFilters {
		if v := strings.TrimSpace(c.FormValue(f.Name)); v != "" {
			in.Filters[f.Name] = v
		}
	}
	for _, v := range c.Request().PostArgs().PeekMulti("fields") {
		in.Fields = append(in.Fields, string(v))
	}
	if len(in.Fields) == 0 {
		// The API exports the default fields then; a form with every box unchecked is a mistake.
		return s.renderExports(c, in, lead.Invalid(lead.FieldError{Field: "fields", Reason: tr(c, "exports.choose_field")}))
	}
	e, err := s.Service.StartExport(c.UserContext(), httpx.Caller(c), in)
	if err != nil {
		return s.renderExports(c, in, err)
	}
	return c.Redirect("/exports/"+e.ID, fiber.StatusSeeOther)
}

// exportJob is an export's page data: its status, what it holds and,
// while its file is kept, the download link.
// Its rows are labelled by message id.
func (s *Server) exportJob(c *fiber.Ctx, e store.Export) *web.Job {
	v := httpx.ViewExport(e, s.ExportTTL)
	l := localeOf(c)
	job := &web.Job{Status: e.Status, Rows: []web.JobRow{row("exports.format", strings.ToUpper(e.Format)), row("job.leads", filterWords(c, v.Filters)),
		row("exports.fields", strings.Join(e.Fields, ", ")), row("job.rows", strconv.Itoa(e.Rows)), row("exports.asked_at", l.When(e.CreatedAt))}}
	if e.Error != "" {
		job.Rows = append(job.Rows, row("job.error", e.Error))
	}
	switch {
	case e.Status == store.JobRunning:
		job.Poll = "/exports/" + e.ID + "/progress"
	case v.FileURL != "":
		job.Download = &web.Link{URL: "/exports/" + e.ID + "/file", Label: "exports.download"}
		job.Rows = append(job.Rows, row("exports.kept_until", l.When(v.ExpiresAt)))
	case e.Status == store.JobCompleted:
		job.Rows = append(job.Rows, row("job.file", tr(c, "exports.expired")))
	}
	return job
}
