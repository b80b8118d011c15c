package console

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/i18n"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/web"
)

// This file is the console's lead list and its tabs: my leads, and one tab
// per pool the user may claim from. Filters are those of GET /api/v1/leads
// (service.ParseLeadFilter), kept in the URL so a filtered list can be
// bookmarked; the list is the service's (service.Leads).

// listFilters are the filters the list page offers, in order; each is
// labelled by its message id ("leads.filter.<name>", the newer ones
// "views.filter.<name>").
var listFilters = []web.Field{
	{Name: "name"}, {Name: "phone"}, {Name: "email"}, {Name: "company"}, {Name: "tag"}, {Name: "agent"}, {Name: "channel"}, {Name: "group"},
	{Name: "status", Options: []string{"pooled", "offered", "assigned", "converted", "closed", "rejected", "merged", "received"}},
	{Name: "stage"}, {Name: "source"}, {Name: "profession"}, {Name: "address"}, {Name: "district"}, {Name: "division"},
	{Name: "pool_id"}, {Name: "owner_id"}, {Name: "score_min", Type: "number"}, {Name: "score_max", Type: "number"}, {Name: "custom"},
	{Name: "time_field", Options: []string{"created", "assigned", "last_follow_up", "last_activity", "next_follow_up", "reclaim"}},
	{Name: "period", Options: []string{"today", "yesterday", "tomorrow", "this week", "this month", "last 24 hours", "last 7 days",
		"last 30 days", "next 24 hours", "next 7 days", "older than 3 days", "older than 7 days"}},
	{Name: "created_from", Type: "date"}, {Name: "created_to", Type: "date"},
	{Name: "sort", Options: []string{"created", "assigned", "last_follow_up", "score", "company", "reclaim"}},
}

func (s *Server) leadsPage(c *fiber.Ctx) error {
	me := httpx.Caller(c)
	pools, err := s.Service.ClaimPools(c.UserContext(), me)
	if err != nil {
		return err
	}
	tab := c.Query("tab")
	title := "leads.my_leads"
	data := web.LeadList{Tab: tab, Clear: "/leads"}
	data.Tabs = append(data.Tabs, web.Tab{Label: title, URL: "/leads", Active: tab == "" && c.Query("view") == ""})
	found := tab == ""
	for _, p := range pools {
		data.Tabs = append(data.Tabs, web.Tab{Label: p.Name, URL: "/leads?tab=" + url.QueryEscape(p.ID), Active: tab == p.ID})
		if tab == p.ID {
			found, title, data.Clear = true, p.Name, "/leads?tab="+url.QueryEscape(p.ID)
		}
	}
	var view service.LeadView
	for _, v := range service.ViewsFor(me, pools) {
		data.Tabs = append(data.Tabs, web.Tab{Label: "leads.view." + v.Key, URL: "/leads?tab=" + v.Key, Active: tab == v.Key})
		if tab == v.Key {
			found, title, data.Clear, data.View, view = true, "leads.view."+v.Key, "/leads?tab="+v.Key, v.Key, v
		}
	}
	saved, err := s.savedTabs(c, &data)
	if err != nil {
		return err
	}
	if saved != nil {
		title, data.Clear = data.Saved[slices.IndexFunc(data.Saved, func(t web.ViewTab) bool { return t.Active })].Label, "/leads?view="+url.QueryEscape(saved.ID)
	}
	if !found {
		return s.consoleMessage(c, fiber.StatusNotFound, "leads.pool_not_found", "leads.pool_not_yours")
	}
	for _, f := range listFilters {
		f.Label, f.Value = filterLabel(f.Name), c.Query(f.Name)
		// The filters' box opens on the filters typed, not on a view's own.
		data.Filtered = data.Filtered || (f.Value != "" && f.Name != "sort")
		if saved != nil && f.Value == "" {
			f.Value = savedParam(*saved, f.Name)
		}
		if f.Value != "" && f.Name != "sort" {
			data.Filters++
		}
		data.Fields = append(data.Fields, f)
	}
	selects, err := s.selectFilters(c, &data)
	if err != nil {
		return err
	}
	p := consolePage(c, title, "leads")
	p.Data = &data
	params := withSelects(inZone(c, "created_from", "created_to"), selects)
	var f store.LeadFilter
	if saved != nil {
		f, err = s.Service.ViewFilter(c.UserContext(), me, *saved, params)
	} else {
		f, err = service.ParseLeadFilter(params, httpx.SameName)
	}
	if err := s.listColumns(c, &data, saved); err != nil {
		return err
	}
	if err != nil {
		p.Problem = webProblem(err)
		c.Status(fiber.StatusUnprocessableEntity)
		return render(c, "leads", p)
	}
	// ?sort= is in f (ParseLeadFilter): the query sorts the whole list.
	in := service.LeadsInput{Filter: f, Limit: 50, Cursor: c.Query("cursor"), Mine: tab == "" && saved == nil, Pool: tab}
	if data.View != "" {
		in.Pool, in.Filter.Review = "", view.Review
		if view.Status != "" {
			in.Filter.Status = string(view.Status)
		}
	}
	leads, next, err := s.Service.Leads(c.UserContext(), me, in)
	if err != nil {
		if p.Problem = webProblem(err); p.Problem == nil {
			return err
		}
		return render(c, "leads", p)
	}
	data.Leads = leads
	if data.Bulk, err = s.bulkBar(c, in); err != nil {
		return err
	}
	data.Names = s.listNames(c, leads)
	if data.NextSteps, err = s.Service.NextSteps(c.UserContext(), leads); err != nil {
		return err
	}
	q, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
	q.Set("sort", "reclaim")
	q.Del("cursor") // a sorted list starts at its first page
	data.SortURL = "/leads?" + q.Encode()
	if next != "" {
		q, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
		q.Set("cursor", next)
		data.Next = "/leads?" + q.Encode()
	}
	return render(c, "leads", p)
}

// webProblem is a refusal as a page shows it (a domain refusal, or a
// problem such as a rule set that does not compile); nil for an error that
// is not a refusal (a failure).
func webProblem(err error) *web.Problem {
	var le *lead.Error
	var pe *httpx.ProblemError
	var p *web.Problem
	var fields []lead.FieldError
	switch {
	case errors.As(err, &le):
		p, fields = &web.Problem{Title: le.Message, Reasons: le.Reasons}, le.Fields
	case errors.As(err, &pe) && pe.P.Status < 500:
		p, fields = &web.Problem{Title: pe.P.Title, Reasons: pe.P.Reasons}, pe.P.Errors
	default:
		return nil
	}
	if len(fields) > 0 {
		p.Fields = map[string]string{}
		for _, f := range fields {
			p.Fields[f.Field] = f.Reason
			if id := "reason." + f.Code; f.Code != "" && i18n.Has(i18n.EN, id) {
				p.Fields[f.Field] = id // the page says it in the reader's language
			}
		}
	}
	return p
}

// refusalStatus is the HTTP status of a refusal, as the API answers it.
func refusalStatus(err error) int {
	var le *lead.Error
	if errors.As(err, &le) {
		if st, ok := httpx.StatusOf[le.Code]; ok {
			return st
		}
	}
	var pe *httpx.ProblemError
	if errors.As(err, &pe) {
		return pe.P.Status
	}
	return fiber.StatusInternalServerError
}

// formTime reads a datetime-local field (in the user's time zone) or an
// RFC 3339 one; nil when empty.
func formTime(bad *lead.Fields, c *fiber.Ctx, field string) *time.Time {
	v := strings.TrimSpace(c.FormValue(field))
	if v == "" {
		return nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", time.RFC3339} {
		if t, err := time.ParseInLocation(layout, v, localeOf(c).Zone); err == nil {
			return &t
		}
	}
	bad.Add(field, "lead.reason.datetime") // a message id: the page says it in the reader's language
	return nil
}

// consoleActions registers the lead page's forms: each calls the same
// service method as the API's route (Claim, FollowUp, Convert, DoMove, Edit).
func (s *Server) consoleActions(post func(path string, h fiber.Handler)) {
	post("/leads/:id/claim", s.leadForm("claim", func(c *fiber.Ctx, key string) error {
		var bad lead.Fields
		in := service.ClaimInput{Reason: c.FormValue("reason"), ExpectedAt: formTime(&bad, c, "expected_follow_up_at"),
			ExpectedIn: c.FormValue("expected_follow_up_in")}
		if err := bad.Err(); err != nil {
			return err
		}
		_, err := s.Service.Claim(c.UserContext(), httpx.Caller(c), c.Params("id"), key, in)
		return err
	}))
	post("/leads/:id/follow-ups", s.leadForm("follow-up", func(c *fiber.Ctx, key string) error {
		var bad lead.Fields
		in := service.FollowUpInput{Type: c.FormValue("type"), Content: c.FormValue("content"), NextStep: c.FormValue("next_step"),
			NextAt: formTime(&bad, c, "next_at"), Stage: c.FormValue("stage")}
		if err := bad.Err(); err != nil {
			return err
		}
		_, err := s.Service.FollowUp(c.UserContext(), httpx.Caller(c), c.Params("id"), key, in)
		return err
	}))
	post("/leads/:id/convert", s.leadForm("convert", func(c *fiber.Ctx, key string) error {
		_, err := s.Service.Convert(c.UserContext(), httpx.Caller(c), c.Params("id"), key, nil, nil)
		return err
	}))
	post("/leads/:id/edit", s.leadForm("edit", s.editForm))
	post("/leads/:id/reopen", s.leadForm("reopen", func(c *fiber.Ctx, key string) error {
		in := service.ReopenInput{PoolID: c.FormValue("pool_id"), Reason: c.FormValue("reason")}
		_, err := s.Service.Reopen(c.UserContext(), httpx.Caller(c), c.Params("id"), key, in)
		return err
	}))
	post("/leads/:id/readmit", s.leadForm("readmit", func(c *fiber.Ctx, key string) error {
		_, err := s.Service.Readmit(c.UserContext(), httpx.Caller(c), c.Params("id"), key, service.ReadmitInput{Reason: c.FormValue("reason")})
		return err
	}))
	for _, m := range service.Moves {
		post("/leads/:id/"+m.Path, s.leadForm(m.Path, func(c *fiber.Ctx, key string) error {
			in := service.MoveInput{RepID: c.FormValue("rep_id"), PoolID: c.FormValue("pool_id"), Reason: c.FormValue("reason")}
			_, err := s.Service.DoMove(c.UserContext(), httpx.Caller(c), c.Params("id"), key, m, in)
			return err
		}))
	}
}

// leadForm runs one of the lead page's forms: on success back to the lead
// (a redirect, so a reload does not post again), else the lead page with
// the refusal.
func (s *Server) leadForm(form string, do func(c *fiber.Ctx, key string) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		// The page's request id is the action's idempotency key, as the
		// API's Idempotency-Key header is: a form sent twice applies once.
		key := ""
		if id := c.FormValue("request_id"); id != "" {
			if len(id) > 64 {
				return s.showLead(c, "", lead.Invalid(lead.FieldError{Field: "request_id", Reason: "lead.reason.request_id"}), form)
			}
			key = "console:" + id
		}
		if err := do(c, key); err != nil {
			if webProblem(err) == nil {
				return err
			}
			return s.showLead(c, "", err, form)
		}
		return c.Redirect("/leads/"+url.PathEscape(c.Params("id"))+"?done="+url.QueryEscape(form), fiber.StatusSeeOther)
	}
}
