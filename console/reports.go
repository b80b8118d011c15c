package console

import (
	"slices"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/web"
)

// This file is the console's rejection report (the report of GET
// /api/v1/reports/rejections: service.Rejections, over the same viewer)
// and the duplicate-policy settings (GET and PUT
// /api/v1/settings/duplicates: service.DuplicatePolicies and
// SetDuplicatePolicies, staff read and admins change, as service.Gates says).

// consoleReports registers the rejection report and the duplicate settings.
func (s *Server) consoleReports(get, post func(string, fiber.Handler)) {
	get("/reports/rejections", s.rejectionsPage)
	get("/settings/duplicates", s.only(service.GateStaff, s.duplicatesPage))
	post("/settings/duplicates", s.only(service.GateAdmin, s.saveDuplicates))
}

// rejectionsPage is the rejections of a period (the dashboard's period
// form: a bare date is midnight in the reader's zone), most frequent first.
func (s *Server) rejectionsPage(c *fiber.Ctx) error {
	p := consolePage(c, "rejections.title", "rejections")
	f := pagePeriod(c, &p)
	rep, err := s.Service.Rejections(c.UserContext(), httpx.Caller(c), f)
	if err != nil {
		return err
	}
	l := localeOf(c)
	d := web.RejectionsPage{PeriodForm: periodForm(c, "/reports/rejections"), PeriodFrom: l.When(f.From), PeriodTo: l.When(f.To)}
	for _, r := range rep.Items {
		row := web.RejectionRow{RejectionRow: r, Kind: "rejections.kind." + r.RuleKind}
		if r.RuleKind == store.RejectValidation && r.Rule != "" {
			row.RuleURL = "/rules/validation"
		}
		d.Rows = append(d.Rows, row)
		d.Total += r.Count
	}
	p.Data = d
	return render(c, "rejections", p)
}

func (s *Server) duplicatesPage(c *fiber.Ctx) error {
	pol, err := s.Service.DuplicatePolicies(c.UserContext(), httpx.Caller(c))
	if err != nil {
		return s.consoleRefusal(c, err)
	}
	return s.showDuplicates(c, pol, map[string]string{"saved": "duplicates.saved"}[c.Query("done")], nil)
}

// showDuplicates renders every source's duplicate policy; an admin may
// change those of the sources whose creator is a user (the public
// channels always merge).
func (s *Server) showDuplicates(c *fiber.Ctx, pol map[string]lead.DuplicatePolicy, notice string, refusal error) error {
	d := web.DuplicatesPage{CanEdit: service.Allowed(httpx.Caller(c), service.GateAdmin) == nil, Errors: map[string]string{},
		Policies: []string{string(lead.DuplicateMerge), string(lead.DuplicateWarn), string(lead.DuplicateReject)}}
	sources := make([]string, 0, len(pol))
	for src := range pol {
		sources = append(sources, src)
	}
	slices.Sort(sources)
	for _, src := range sources {
		d.Sources = append(d.Sources, web.DuplicateSource{Source: src, Policy: string(pol[src]), Public: lead.PublicSource(src)})
	}
	return showPage(c, "duplicates", "duplicates.title", "duplicates", notice, &d, &d.Errors, refusal)
}

// saveDuplicates sets the policies of the form's sources (those it may
// change), as PUT /api/v1/settings/duplicates does.
func (s *Server) saveDuplicates(c *fiber.Ctx) error {
	ctx, me := c.UserContext(), httpx.Caller(c)
	current, err := s.Service.DuplicatePolicies(ctx, me)
	if err != nil {
		return s.consoleRefusal(c, err)
	}
	in := map[string]lead.DuplicatePolicy{}
	for src := range current {
		if v := c.FormValue(src); v != "" && !lead.PublicSource(src) {
			in[src] = lead.DuplicatePolicy(v)
		}
	}
	if _, err := s.Service.SetDuplicatePolicies(ctx, me, in); err != nil {
		if webProblem(err) == nil {
			return err
		}
		for src, v := range in {
			current[src] = v // as typed
		}
		return s.showDuplicates(c, current, "", err)
	}
	return c.Redirect("/settings/duplicates?done=saved", fiber.StatusSeeOther)
}
