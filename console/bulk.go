package console

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/web"
)

// This file is the console's bulk actions: the action bar of a lead list
// (the leads ticked, or every lead its filter selects), the confirmation
// with the count, the job's page with a progress bar that updates itself
// until the summary, and the list of the reader's jobs. Each calls the
// service methods the API's /bulk-actions routes call.

// consoleBulk registers the bulk action pages.
func (s *Server) consoleBulk(get, post func(string, fiber.Handler)) {
	post("/bulk-actions/confirm", s.confirmBulk)
	post("/bulk-actions", s.startBulkPage)
	get("/bulk-actions", s.bulkListPage)
	page, progress := jobPages(s, "leads", "bulk.not_found", s.Service.BulkAction,
		func(c *fiber.Ctx, b store.BulkAction) string {
			return tr(c, "bulk.title", "Action", tr(c, "bulk.action."+b.Action))
		}, bulkJob)
	get("/bulk-actions/:id", page)
	get("/bulk-actions/:id/progress", progress)
	post("/bulk-actions/:id/cancel", s.cancelBulkPage)
	get("/bulk-actions/:id/refused.csv", httpx.BulkRefused(s.Service))
}

// bulkBar is the action bar of the lead list in shows.
func (s *Server) bulkBar(c *fiber.Ctx, in service.LeadsInput) (*web.BulkBar, error) {
	ctx, me := c.UserContext(), httpx.Caller(c)
	actions, reps, pools, err := s.Service.BulkChoices(ctx, me)
	if err != nil {
		return nil, err
	}
	bar := &web.BulkBar{CSRF: csrfOf(c), Actions: actions}
	filter := httpx.FilterMap(service.ListFilter(me, in))
	for _, k := range slices.Sorted(maps.Keys(filter)) {
		bar.Filter = append(bar.Filter, web.Field{Name: k, Value: filter[k]})
	}
	for _, u := range reps {
		bar.Reps = append(bar.Reps, web.Choice{Value: u.ID, Label: u.Name})
	}
	for _, p := range pools {
		bar.Pools = append(bar.Pools, web.Choice{Value: p.ID, Label: p.Name})
	}
	if slices.Contains(actions, "enroll") {
		qs, _, err := s.Service.Sequences(ctx, me, 100, "")
		if err != nil {
			return nil, err
		}
		for _, q := range qs {
			bar.Sequences = append(bar.Sequences, web.Choice{Value: q.ID, Label: q.Name})
		}
	}
	for list, dst := range map[string]*[]string{lead.OptionStages: &bar.Stages, lead.OptionInvalidReasons: &bar.Reasons} {
		if *dst, err = s.Service.Options(ctx, me, list); err != nil {
			return nil, err
		}
	}
	return bar, nil
}

// csrfOf is the session's CSRF token, for a form a page part holds.
func csrfOf(c *fiber.Ctx) string {
	csrf, _ := c.Locals(csrfKey{}).(string)
	return csrf
}

// bulkParamFields are the form's fields each action takes as its params.
var bulkParamFields = map[string][]string{"assign": {"rep_id"}, "transfer": {"pool_id"}, "return": {"reason"},
	"add_tags": {"tags"}, "remove_tags": {"tags"}, "set_stage": {"stage"}, "enroll": {"sequence_id"}}

// bulkForm reads a bulk action form: the action, its params, and the
// leads (those ticked, or with all=1 the list's filter), with the form's
// fields that say it again.
func bulkForm(c *fiber.Ctx) (service.BulkInput, []web.Field) {
	in := service.BulkInput{Action: c.FormValue("action")}
	hidden := []web.Field{{Name: "action", Value: in.Action}}
	params := map[string]any{}
	for _, name := range bulkParamFields[in.Action] {
		v := strings.TrimSpace(c.FormValue(name))
		hidden = append(hidden, web.Field{Name: name, Value: v})
		if name == "tags" {
			params[name] = strings.Split(v, ",")
		} else if v != "" {
			params[name] = v
		}
	}
	if in.Action == "export" {
		params["format"] = "csv"
	}
	in.Params, _ = json.Marshal(params) // strings only: always marshals
	if c.FormValue("all") == "1" {
		hidden = append(hidden, web.Field{Name: "all", Value: "1"})
		in.Filter = map[string]string{}
		c.Request().PostArgs().VisitAll(func(k, v []byte) {
			if name, ok := strings.CutPrefix(string(k), "filter."); ok && len(v) > 0 {
				in.Filter[name] = string(v)
				hidden = append(hidden, web.Field{Name: string(k), Value: string(v)})
			}
		})
		return in, hidden
	}
	in.LeadIDs = []string{}
	for _, v := range c.Request().PostArgs().PeekMulti("lead_ids") {
		in.LeadIDs = append(in.LeadIDs, string(v))
		hidden = append(hidden, web.Field{Name: "lead_ids", Value: string(v)})
	}
	return in, hidden
}

// confirmBulk asks to confirm a bulk action with the number of leads it
// acts on (a refused one says why).
func (s *Server) confirmBulk(c *fiber.Ctx) error {
	in, hidden := bulkForm(c)
	d := web.BulkConfirm{Sentence: "bulk.confirm." + in.Action, Hidden: hidden, Key: uuid.NewString(), Back: "/leads"}
	p := consolePage(c, "bulk.confirm.title", "leads")
	p.Data = &d
	if len(in.LeadIDs) == 0 && in.Filter == nil {
		return render(c, "bulkconfirm", p) // nothing ticked: nothing to confirm
	}
	n, err := s.Service.CheckBulk(c.UserContext(), httpx.Caller(c), in)
	if err != nil {
		return s.bulkRefused(c, p, err)
	}
	d.Count, d.Target = n, s.bulkTarget(c, in)
	return render(c, "bulkconfirm", p)
}

// bulkRefused shows a refused bulk action on page p, its status the refusal's.
func (s *Server) bulkRefused(c *fiber.Ctx, p web.Page, err error) error {
	if p.Problem = webProblem(err); p.Problem == nil {
		return err
	}
	c.Status(refusalStatus(err))
	return render(c, "bulkconfirm", p)
}

// bulkTarget names what a bulk action's params say: the rep, the pool,
// the tags, the sequence, the stage or the reason.
func (s *Server) bulkTarget(c *fiber.Ctx, in service.BulkInput) string {
	var p map[string]any
	_ = json.Unmarshal(in.Params, &p) // bulkForm made it
	switch {
	case p["rep_id"] != nil:
		return s.Service.UserName(c.UserContext(), fmt.Sprint(p["rep_id"]))
	case p["pool_id"] != nil:
		return s.Service.PoolName(c.UserContext(), fmt.Sprint(p["pool_id"]))
	case p["tags"] != nil:
		tags, _ := p["tags"].([]any)
		words := make([]string, len(tags))
		for i, t := range tags {
			words[i] = strings.TrimSpace(fmt.Sprint(t))
		}
		return strings.Join(words, ", ")
	case p["sequence_id"] != nil:
		if q, err := s.Service.Sequence(c.UserContext(), httpx.Caller(c), fmt.Sprint(p["sequence_id"])); err == nil {
			return q.Name
		}
		return fmt.Sprint(p["sequence_id"])
	case p["stage"] != nil:
		return fmt.Sprint(p["stage"])
	case p["reason"] != nil:
		return fmt.Sprint(p["reason"])
	}
	return ""
}

// startBulkPage starts a confirmed bulk action (its key makes a second
// click the same job) and opens its page; an export opens the export's.
func (s *Server) startBulkPage(c *fiber.Ctx) error {
	in, hidden := bulkForm(c)
	b, err := s.Service.StartBulk(c.UserContext(), httpx.Caller(c), c.FormValue("key"), in)
	if err != nil {
		p := consolePage(c, "bulk.confirm.title", "leads")
		p.Data = &web.BulkConfirm{Sentence: "bulk.confirm." + in.Action, Hidden: hidden, Key: c.FormValue("key"), Back: "/leads"}
		return s.bulkRefused(c, p, err)
	}
	if b.ExportID != "" {
		return c.Redirect("/exports/"+b.ExportID, fiber.StatusSeeOther)
	}
	return c.Redirect("/bulk-actions/"+b.ID, fiber.StatusSeeOther)
}

// cancelBulkPage stops a bulk action and shows its page again.
func (s *Server) cancelBulkPage(c *fiber.Ctx) error {
	b, err := s.Service.CancelBulk(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if lead.ErrorCode(err) == lead.CodeNotFound {
		return s.consoleMessage(c, fiber.StatusNotFound, "bulk.not_found", "page.not_yours")
	}
	if err != nil {
		return err
	}
	return c.Redirect("/bulk-actions/"+b.ID, fiber.StatusSeeOther)
}

// bulkListPage lists the reader's bulk actions, newest first.
func (s *Server) bulkListPage(c *fiber.Ctx) error {
	items, next, err := s.Service.BulkActionsPage(c.UserContext(), httpx.Caller(c), 50, c.Query("cursor"))
	if err != nil {
		return err
	}
	p := consolePage(c, "bulk.list_title", "leads")
	p.Data = &web.BulkList{Next: jobListNext("/bulk-actions", next), Jobs: jobItems(items, func(b store.BulkAction) web.JobItem {
		return web.JobItem{URL: "/bulk-actions/" + b.ID, Title: tr(c, "bulk.action."+b.Action), Status: b.Status,
			Summary: bulkSummary(c, b), Created: b.CreatedAt}
	})}
	return render(c, "bulkactions", p)
}

// bulkSummary says how far a bulk action went, in the reader's language.
func bulkSummary(c *fiber.Ctx, b store.BulkAction) string {
	if b.Error != "" {
		return b.Error
	}
	return tr(c, "bulk.summary", "Total", b.Total, "Succeeded", b.Succeeded, "Refused", b.Refused, "Failed", b.Failed)
}

// bulkJob is a bulk action's page data: its progress while it runs (and
// the button that stops it), then its summary, the refusals by reason and
// the CSV of the refused leads.
func bulkJob(c *fiber.Ctx, b store.BulkAction) *web.Job {
	l := localeOf(c)
	leads := tr(c, "bulk.chosen", "Count", len(b.LeadIDs))
	if b.Filter != nil {
		leads = filterWords(c, httpx.FilterMap(*b.Filter))
	}
	job := &web.Job{Status: b.Status, Processed: b.Done, Total: b.Total, DoneLabel: "bulk.leads_done",
		Rows: []web.JobRow{row("bulk.action", tr(c, "bulk.action."+b.Action)), row("job.leads", leads),
			row("bulk.succeeded", strconv.Itoa(b.Succeeded)), row("bulk.refused", strconv.Itoa(b.Refused)),
			row("bulk.failed", strconv.Itoa(b.Failed)), row("job.started", l.When(b.CreatedAt))}}
	reasons := make([]string, 0, len(b.RefusedByReason))
	for _, r := range slices.Sorted(maps.Keys(b.RefusedByReason)) {
		reasons = append(reasons, tr(c, "bulk.reason."+r)+": "+strconv.Itoa(b.RefusedByReason[r]))
	}
	if len(reasons) > 0 {
		job.Rows = append(job.Rows, row("bulk.refused_by_reason", strings.Join(reasons, tr(c, "job.sep"))))
	}
	if b.FinishedAt != nil {
		job.Rows = append(job.Rows, row("bulk.finished_at", l.When(*b.FinishedAt)))
	}
	if b.Error != "" {
		job.Rows = append(job.Rows, row("job.error", b.Error))
	}
	if b.Status == store.BulkRunning {
		job.Poll, job.Cancel, job.CSRF = "/bulk-actions/"+b.ID+"/progress", "/bulk-actions/"+b.ID+"/cancel", csrfOf(c)
	}
	if b.Refused+b.Failed > 0 {
		job.Download = &web.Link{URL: "/bulk-actions/" + b.ID + "/refused.csv", Label: "bulk.refused_csv"}
	}
	return job
}
