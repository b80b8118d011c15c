package console

import (
	"context"
	"errors"
	"fmt"
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
	importPage, importProgress := jobPages(s, "imports", "Import", s.Service.Import, func(im store.Import) string { return "Import " + im.FileName }, importJob)
	get("/imports/:id", importPage)
	get("/imports/:id/progress", importProgress)
	get("/imports/:id/errors.csv", httpx.ImportErrors(s.Service))
	get("/exports", s.exportsPage)
	post("/exports", s.startExportPage)
	exportPage, exportProgress := jobPages(s, "exports", "Export", s.Service.Export, func(store.Export) string { return "Export" }, s.exportJob)
	get("/exports/:id", exportPage)
	get("/exports/:id/progress", exportProgress)
	get("/exports/:id/file", httpx.ExportFile(s.Service))
}

// jobPages makes the handlers of an import's or export's page and of its
// progress part, which the page fetches again while the job runs: own
// reads the job of the route's :id as the API does (others' jobs are not
// found), title names the page, job makes its data.
func jobPages[T any](s *Server, nav, what string, own func(context.Context, lead.User, string) (T, error), title func(T) string,
	job func(T) *web.Job) (page, progress fiber.Handler) {
	page = func(c *fiber.Ctx) error {
		it, err := own(c.UserContext(), httpx.Caller(c), c.Params("id"))
		if lead.ErrorCode(err) == lead.CodeNotFound {
			return s.consoleMessage(c, fiber.StatusNotFound, what+" not found", "It does not exist, or it is not yours to see.")
		}
		if err != nil {
			return err
		}
		p := consolePage(c, title(it), nav)
		p.Data = job(it)
		return render(c, "job", p)
	}
	progress = func(c *fiber.Ctx) error {
		it, err := own(c.UserContext(), httpx.Caller(c), c.Params("id"))
		if err != nil {
			return err
		}
		c.Type("html", "utf-8")
		return web.RenderPart(c, "job", "job", job(it))
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
		return true, s.consoleMessage(c, fiber.StatusForbidden, "Imports are for admins and managers", err.Error())
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
		Policies: []web.Choice{{Value: "", Label: "as the source is set up"}, {Value: string(lead.DuplicateMerge), Label: "merge into the existing lead"},
			{Value: string(lead.DuplicateWarn), Label: "create it, with a warning"}, {Value: string(lead.DuplicateReject), Label: "reject the row"}}}
	d.Imports = jobItems(items, func(im store.Import) web.JobItem {
		sum := im.Summary()
		if im.Status == store.JobRunning {
			sum = fmt.Sprintf("%d of %d rows", im.Processed, im.Total)
		}
		return web.JobItem{URL: "/imports/" + im.ID, Title: im.FileName, Status: im.Status, Summary: sum, Created: im.CreatedAt}
	})
	pools, err := s.Service.ImportPools(ctx, me)
	if err != nil {
		return err
	}
	for _, p := range pools {
		d.Pools = append(d.Pools, web.Choice{Value: p.ID, Label: p.Name})
	}
	return renderJobForm(c, "imports", "Imports", &d, refused)
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
		return web.RenderPart(c, "imports", "refused", p)
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
			col.Choices = append(col.Choices, web.Choice{Value: f.Name, Label: f.Label})
		}
		col.Choices = append(col.Choices, web.Choice{Value: sheet.CustomTarget(h), Label: "a custom field “" + strings.TrimPrefix(sheet.CustomTarget(h), sheet.CustomPrefix) + "”"},
			web.Choice{Value: sheet.Ignore, Label: "do not import"})
		for _, r := range u.Sheet.Rows[:min(len(u.Sheet.Rows), 3)] {
			if i < len(r.Cells) && strings.TrimSpace(r.Cells[i]) != "" {
				col.Values = append(col.Values, r.Cells[i])
			}
		}
		m.Columns = append(m.Columns, col)
	}
	for _, r := range p.Sample {
		for _, e := range r.Errors {
			m.Errors = append(m.Errors, "row "+strconv.Itoa(r.Row)+": "+e.Field+" "+e.Reason)
		}
	}
	for _, e := range p.MappingErrors {
		m.Errors = append(m.Errors, e.Field+": "+e.Reason)
	}
	return web.RenderPart(c, "imports", "match", &m)
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
		return lead.Invalid(lead.FieldError{Field: "mapping", Reason: "does not fit the file's columns; match the columns again"})
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
// to its rows to fix.
func importJob(im store.Import) *web.Job {
	n := strconv.Itoa
	job := &web.Job{Status: im.Status, Processed: im.Processed, Total: im.Total,
		Rows: []web.JobRow{row("File", im.FileName), row("Rows", n(im.Total)), row("Processed", n(im.Processed)),
			row("Created", n(im.Created)), row("Merged", n(im.Merged)), row("Rejected", n(im.Rejected)), row("Failed", n(im.Failed)),
			row("Imported before", n(im.AlreadyImported)), row("Warnings", n(im.Warnings)), row("Started", im.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"))}}
	if im.Error != "" {
		job.Rows = append(job.Rows, row("Error", im.Error))
	}
	if im.Status == store.JobRunning {
		job.Poll = "/imports/" + im.ID + "/progress"
	}
	if im.Rejected+im.Failed+im.Warnings > 0 {
		job.Download = &web.Link{URL: "/imports/" + im.ID + "/errors.csv", Label: "Download the rows to fix (CSV)"}
	}
	return job
}
