package console

import (
	"context"
	"errors"
	"net/url"
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

// This file is the console's imports: the list with the new-import form,
// its column-matching step (built on the API's preview), and an import's
// page with a progress bar that refreshes itself. Each calls the service
// methods POST and GET /api/v1/imports call: PreviewImport, StartImport,
// Import, Imports.

// consoleJobs registers the import and export pages.
func (s *Server) consoleJobs(get, post func(string, fiber.Handler)) {
	get("/imports", s.importsPage)
	get("/imports/template", httpx.ImportTemplate)
	post("/imports/preview", s.matchColumns)
	post("/imports", s.startImportPage)
	importPage, importProgress := jobPages(s, "imports", "imports.not_found", s.Service.Import,
		func(c *fiber.Ctx, im store.Import) string { return tr(c, "imports.item", "File", im.FileName) }, importJob)
	get("/imports/:id", importPage)
	get("/imports/:id/progress", importProgress)
	get("/imports/:id/errors.csv", httpx.ImportErrors(s.Service))
	get("/exports", s.exportsPage)
	post("/exports", s.startExportPage)
	exportPage, exportProgress := jobPages(s, "exports", "exports.not_found", s.Service.Export,
		func(*fiber.Ctx, store.Export) string { return "exports.one" }, s.exportJob)
	get("/exports/:id", exportPage)
	get("/exports/:id/progress", exportProgress)
	get("/exports/:id/file", httpx.ExportFile(s.Service))
}

// jobPages makes the handlers of an import's or export's page and of its
// progress part, which the page fetches again while the job runs: own
// reads the job of the route's :id as the API does (others' jobs are not
// found), what is the message id of a job not found, title names the page
// (a message id or the words), job makes its data in the reader's language.
func jobPages[T any](s *Server, nav, what string, own func(context.Context, lead.User, string) (T, error), title func(*fiber.Ctx, T) string,
	job func(*fiber.Ctx, T) *web.Job) (page, progress fiber.Handler) {
	page = func(c *fiber.Ctx) error {
		it, err := own(c.UserContext(), httpx.Caller(c), c.Params("id"))
		if lead.ErrorCode(err) == lead.CodeNotFound {
			return s.consoleMessage(c, fiber.StatusNotFound, what, "page.not_yours")
		}
		if err != nil {
			return err
		}
		p := consolePage(c, title(c, it), nav)
		p.Data = job(c, it)
		return render(c, "job", p)
	}
	progress = func(c *fiber.Ctx) error {
		it, err := own(c.UserContext(), httpx.Caller(c), c.Params("id"))
		if err != nil {
			return err
		}
		c.Type("html", "utf-8")
		return web.RenderPart(c, localeOf(c), "job", "job", job(c, it))
	}
	return page, progress
}

// pageRefusal is a refused request as a page shows it, with its status; nil
// for a failure (which the error handler answers).
func pageRefusal(err error) (*web.Problem, int) {
	var pe *httpx.ProblemError
	if errors.As(err, &pe) {
		p := &web.Problem{Title: pe.P.Title, Reasons: pe.P.Reasons, Fields: map[string]string{}}
		for _, f := range pe.P.Errors {
			p.Fields[f.Field] = f.Reason
		}
		return p, pe.P.Status
	}
	if p := webProblem(err); p != nil {
		return p, refusalStatus(err)
	}
	return nil, 0
}

// staffOnly answers the page that refuses a rep an import page, and
// reports whether it did (the API's routes' gate, service.GateImport).
func (s *Server) staffOnly(c *fiber.Ctx) (refused bool, err error) {
	if err := service.Allowed(httpx.Caller(c), service.GateImport); err != nil {
		return true, s.consoleMessage(c, fiber.StatusForbidden, "imports.staff_only", "imports.staff_only_text")
	}
	return false, nil
}

// jobItems lists imports or exports as a page shows them.
func jobItems[T any](items []T, item func(T) web.JobItem) []web.JobItem {
	out := make([]web.JobItem, len(items))
	for i, it := range items {
		out[i] = item(it)
	}
	return out
}

// jobListNext is the URL of a list page's next page, "" on the last.
func jobListNext(path, cursor string) string {
	if cursor == "" {
		return ""
	}
	return path + "?cursor=" + url.QueryEscape(cursor)
}

func (s *Server) importsPage(c *fiber.Ctx) error {
	return s.renderImports(c, "", "", nil)
}

// renderImports writes the imports page, its form holding the pool and
// policy chosen, with the refusal of the form when there is one.
func (s *Server) renderImports(c *fiber.Ctx, poolID, policy string, refused error) error {
	if refused, err := s.staffOnly(c); refused {
		return err
	}
	me := httpx.Caller(c)
	ctx := c.UserContext()
	items, next, err := s.Service.Imports(ctx, me, 50, c.Query("cursor"))
	if err != nil && refused == nil {
		refused = err
	}
	d := web.ImportList{Next: jobListNext("/imports", next), AnyPool: me.Role == lead.RoleAdmin, PoolID: poolID, Policy: policy,
		Policies: []web.Choice{{Value: "", Label: "imports.policy.source"}, {Value: string(lead.DuplicateMerge), Label: "imports.policy.merge"},
			{Value: string(lead.DuplicateWarn), Label: "imports.policy.warn"}, {Value: string(lead.DuplicateReject), Label: "imports.policy.reject"}}}
	d.Imports = jobItems(items, func(im store.Import) web.JobItem {
		return web.JobItem{URL: "/imports/" + im.ID, Title: im.FileName, Status: im.Status, Summary: importSummary(c, im), Created: im.CreatedAt}
	})
	pools, err := s.Service.ImportPools(ctx, me)
	if err != nil {
		return err
	}
	for _, p := range pools {
		d.Pools = append(d.Pools, web.Choice{Value: p.ID, Label: p.Name})
	}
	return renderJobForm(c, "imports", "nav.imports", &d, refused)
}

// renderJobForm writes the page name (its nav item too) with data and the
// refusal of its form, when there is one, at the top and next to the fields.
func renderJobForm(c *fiber.Ctx, name, title string, data any, refused error) error {
	page := consolePage(c, title, name)
	page.Data = data
	if refused != nil {
		var status int
		if page.Problem, status = pageRefusal(refused); page.Problem == nil {
			return refused
		}
		c.Status(status)
	}
	return render(c, name, page)
}

// matchColumns answers the column-matching step of a new import (an HTML
// fragment the page's script puts in the form): each column of the file
// with a select of the lead fields, set to the automatic match (or to the
// choices sent, when the user changed one), its first values, and what
// the preview would refuse.
func (s *Server) matchColumns(c *fiber.Ctx) error {
	if refused, err := s.staffOnly(c); refused {
		return err
	}
	c.Type("html", "utf-8")
	u, err := httpx.ReadUpload(c)
	if err != nil {
		p, status := pageRefusal(err)
		if p == nil {
			return err
		}
		c.Status(status)
		return web.RenderPart(c, localeOf(c), "imports", "refused", p)
	}
	if formMapping(c, u) != nil {
		u.Mapping = nil // the columns changed: match them afresh
	}
	p, err := s.Service.PreviewImport(c.UserContext(), httpx.Caller(c), *u)
	if err != nil {
		return err
	}
	m := web.ImportMatch{FileName: p.FileName, Rows: p.Rows}
	for i, h := range p.Headers {
		col := web.MatchColumn{Header: h, Field: p.SuggestedMapping[h]}
		if v, ok := u.Mapping[h]; ok {
			col.Field = v // the user's choice, even when the preview refuses it
		}
		for _, f := range sheet.Fields {
			col.Choices = append(col.Choices, web.Choice{Value: f.Name, Label: trOr(c, "imports.field."+f.Name, f.Label)})
		}
		col.Choices = append(col.Choices, web.Choice{Value: sheet.CustomPrefix + h, Label: tr(c, "imports.custom_field", "Header", h)},
			web.Choice{Value: sheet.Ignore, Label: tr(c, "imports.ignore")})
		for _, r := range u.Sheet.Rows[:min(len(u.Sheet.Rows), 3)] {
			if i < len(r.Cells) && strings.TrimSpace(r.Cells[i]) != "" {
				col.Values = append(col.Values, r.Cells[i])
			}
		}
		m.Columns = append(m.Columns, col)
	}
	for _, r := range p.Sample {
		for _, e := range r.Errors {
			m.Errors = append(m.Errors, tr(c, "imports.row_error", "Row", r.Row, "Field", e.Field, "Reason", reasonText(c, e)))
		}
	}
	for _, e := range p.MappingErrors {
		m.Errors = append(m.Errors, e.Field+": "+reasonText(c, e))
	}
	return web.RenderPart(c, localeOf(c), "imports", "match", &m)
}

// formMapping reads the matching step's choices, one "map" value per
// column of the file in order, into the upload's mapping.
func formMapping(c *fiber.Ctx, u *service.Upload) error {
	form, err := c.MultipartForm()
	if err != nil {
		return err
	}
	choices := form.Value["map"]
	if len(choices) == 0 {
		return nil // no matching step: the automatic match
	}
	if len(choices) != len(u.Sheet.Headers) {
		return lead.Invalid(lead.FieldError{Field: "mapping", Reason: tr(c, "imports.mapping_stale")})
	}
	u.Mapping = sheet.Mapping{}
	for i, h := range u.Sheet.Headers {
		u.Mapping[h] = choices[i]
	}
	return nil
}

// startImportPage starts an import from the form and opens its page.
func (s *Server) startImportPage(c *fiber.Ctx) error {
	if refused, err := s.staffOnly(c); refused {
		return err
	}
	poolID, policy := c.FormValue("pool_id"), c.FormValue("duplicate_policy")
	u, err := httpx.ReadUpload(c)
	if err == nil {
		err = formMapping(c, u)
	}
	var im store.Import
	if err == nil {
		im, err = s.Service.StartImport(c.UserContext(), httpx.Caller(c), *u, service.ImportChoices{PoolID: poolID, DuplicatePolicy: policy})
	}
	if err != nil {
		return s.renderImports(c, poolID, policy, err)
	}
	return c.Redirect("/imports/"+im.ID, fiber.StatusSeeOther)
}

// importJob is an import's page data: its progress, counts and the link
// to its rows to fix; its rows are labelled by message id.
func importJob(c *fiber.Ctx, im store.Import) *web.Job {
	n := strconv.Itoa
	job := &web.Job{Status: im.Status, Processed: im.Processed, Total: im.Total,
		Rows: []web.JobRow{row("job.file", im.FileName), row("job.rows", n(im.Total)), row("imports.processed", n(im.Processed)),
			row("imports.created", n(im.Created)), row("imports.merged", n(im.Merged)), row("imports.rejected", n(im.Rejected)), row("imports.failed", n(im.Failed)),
			row("imports.before", n(im.AlreadyImported)), row("imports.warnings", n(im.Warnings)), row("job.started", localeOf(c).When(im.CreatedAt))}}
	if im.Error != "" {
		job.Rows = append(job.Rows, row("job.error", im.Error))
	}
	if im.Status == store.JobRunning {
		job.Poll = "/imports/" + im.ID + "/progress"
	}
	if im.Rejected+im.Failed+im.Warnings > 0 {
		job.Download = &web.Link{URL: "/imports/" + im.ID + "/errors.csv", Label: "imports.download_errors"}
	}
	return job
}

// importSummary says how far an import is ("3 of 10 rows") or what it did
// ("10 rows, 8 created, 2 rejected"), or why it failed, in the reader's
// language.
func importSummary(c *fiber.Ctx, im store.Import) string {
	switch im.Status {
	case store.JobRunning:
		return tr(c, "job.rows_done", "Done", im.Processed, "Total", im.Total)
	case store.JobFailed:
		return im.Error
	}
	parts := []string{tr(c, "imports.n_created", "N", im.Created)}
	for _, p := range []struct {
		n  int
		id string
	}{{im.Merged, "imports.n_merged"}, {im.AlreadyImported, "imports.n_before"}, {im.Rejected, "imports.n_rejected"}, {im.Failed, "imports.n_failed"}} {
		if p.n > 0 {
			parts = append(parts, tr(c, p.id, "N", p.n))
		}
	}
	return tr(c, "imports.summary", "Count", im.Total, "Parts", strings.Join(parts, tr(c, "job.sep")))
}
