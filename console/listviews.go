package console

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/i18n"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/web"
)

// This file is the lead list's saved views (service/views.go) and its
// columns: the views' tabs with their counts, the "save as view" form,
// deleting a view, and the reader's choice of columns.

// consoleViews registers the saved views' and the columns' forms.
func (s *Server) consoleViews(post func(path string, h fiber.Handler)) {
	post("/leads/views", s.saveViewForm)
	post("/leads/views/:id/delete", s.deleteViewForm)
	post("/leads/columns", s.columnsForm)
}

// savedTabs adds the saved views' tabs to data and answers the active
// one (?view=), nil for none; a view the reader does not see is not found.
func (s *Server) savedTabs(c *fiber.Ctx, data *web.LeadList) (*lead.SavedView, error) {
	me := httpx.Caller(c)
	views, err := s.Service.Views(c.UserContext(), me)
	if err != nil {
		return nil, err
	}
	id := c.Query("view")
	var active *lead.SavedView
	for i, v := range views {
		t := web.ViewTab{Label: v.Name, ID: v.ID, URL: "/leads?view=" + url.QueryEscape(v.ID), Builtin: v.Builtin, Count: *v.Count, Active: v.ID == id}
		if v.Builtin {
			t.Label = "views.builtin." + v.ID
		}
		if t.Active {
			active, data.SavedView, data.CanChange = &views[i], v.ID, lead.AuthorizeViewChange(me, v) == nil
		}
		data.Saved = append(data.Saved, t)
	}
	if id != "" && active == nil {
		return nil, lead.Errorf(lead.CodeNotFound, "view not found")
	}
	for _, sh := range []string{lead.ShareMe, lead.SharePools, lead.ShareEveryone} {
		if lead.AuthorizeShare(me, sh) == nil {
			data.Shares = append(data.Shares, sh)
		}
	}
	return active, nil
}

// savedParam is list parameter name as view v sets it.
func savedParam(v lead.SavedView, name string) string {
	if name == "sort" {
		return v.Sort
	}
	return v.Filter[name]
}

// filterLabel is the message id of filter name's label.
func filterLabel(name string) string {
	if id := "leads.filter." + name; i18n.Has(i18n.EN, id) {
		return id
	}
	return "views.filter." + name
}

// listColumns sets the columns the list shows: the active view's, else
// the reader's choice, else the default; a pool's tab has no reclaim.
func (s *Server) listColumns(c *fiber.Ctx, data *web.LeadList, v *lead.SavedView) error {
	cols, err := s.Service.ListColumns(c.UserContext(), httpx.Caller(c))
	if err != nil {
		return err
	}
	if v != nil && len(v.Columns) > 0 {
		cols = v.Columns
	}
	cols = service.ShownColumns(cols)
	if data.Tab != "" {
		cols = slices.DeleteFunc(slices.Clone(cols), func(c string) bool { return c == "reclaim" })
	}
	data.Columns, data.Choices, data.RequestID = cols, lead.ListColumns, uuid.NewString()
	for _, f := range data.Fields {
		if f.Value != "" {
			data.Params = append(data.Params, web.Field{Name: f.Name, Value: f.Value})
		}
	}
	return nil
}

// listNames are the names of the owners and pools of leads, by id.
func (s *Server) listNames(c *fiber.Ctx, leads []lead.Lead) map[string]string {
	names := map[string]string{}
	for _, l := range leads {
		for id, name := range map[string]func() string{
			l.OwnerID: func() string { return s.Service.UserName(c.UserContext(), l.OwnerID) },
			l.PoolID:  func() string { return s.Service.PoolName(c.UserContext(), l.PoolID) },
		} {
			if _, ok := names[id]; id != "" && !ok {
				names[id] = name()
			}
		}
	}
	return names
}

// saveViewForm saves the list as it is filtered now as a view: its name,
// whom it is shared with, the filters, the order and the columns chosen.
func (s *Server) saveViewForm(c *fiber.Ctx) error {
	name, shared, sort := c.FormValue("view_name"), c.FormValue("shared_with"), c.FormValue("sort")
	filter := map[string]string{}
	var selects []string
	c.Request().PostArgs().VisitAll(func(k, _ []byte) {
		if n, ok := strings.CutPrefix(string(k), "cf."); ok {
			selects = append(selects, n)
		}
	})
	get := withSelects(func(k string) string { return c.FormValue(k) }, selects)
	for _, f := range listFilters {
		if v := get(f.Name); v != "" && f.Name != "sort" {
			filter[f.Name] = v
		}
	}
	cols := formList(c, "columns")
	in := service.ViewInput{Name: &name, Filter: &filter, Sort: &sort, Columns: &cols, SharedWith: &shared}
	key := ""
	if id := c.FormValue("request_id"); id != "" && len(id) <= 64 {
		key = "console:" + id
	}
	v, err := s.Service.CreateView(c.UserContext(), httpx.Caller(c), key, in)
	if err != nil {
		return s.listRefused(c, err)
	}
	return c.Redirect("/leads?view="+url.QueryEscape(v.ID), fiber.StatusSeeOther)
}

// deleteViewForm deletes a view the reader may change.
func (s *Server) deleteViewForm(c *fiber.Ctx) error {
	if err := s.Service.DeleteView(c.UserContext(), httpx.Caller(c), c.Params("id")); err != nil {
		return s.listRefused(c, err)
	}
	return c.Redirect("/leads", fiber.StatusSeeOther)
}

// columnsForm stores the reader's choice of columns (none: the default).
func (s *Server) columnsForm(c *fiber.Ctx) error {
	if err := s.Service.SetListColumns(c.UserContext(), httpx.Caller(c), formList(c, "columns")); err != nil {
		return s.listRefused(c, err)
	}
	back := c.FormValue("back")
	if len(back) < 6 || back[:6] != "/leads" {
		back = "/leads"
	}
	return c.Redirect(back, fiber.StatusSeeOther)
}

// listRefused answers a refused list form: a page saying why, with the API's status.
func (s *Server) listRefused(c *fiber.Ctx, err error) error {
	p := webProblem(err)
	if p == nil {
		return err
	}
	page := consolePage(c, "views.refused", "leads")
	page.Problem = p
	page.Data = "views.refused_text"
	c.Status(refusalStatus(err))
	return render(c, "message", page)
}

// poolArchiveForm archives or restores a pool (service.ArchivePool,
// RestorePool): back to its page with a notice, or with the refusal (a
// pool that holds leads: their number and the list to move them from).
func (s *Server) poolArchiveForm(do func(context.Context, lead.User, string) (lead.Pool, error), done string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		_, err := do(c.UserContext(), httpx.Caller(c), c.Params("id"))
		return s.poolFormDone(c, err, done, nil)
	}
}

// selectFilters adds a filter for each custom lead field of type select
// (named "cf.<name>", its options the field's) and answers their names.
func (s *Server) selectFilters(c *fiber.Ctx, data *web.LeadList) ([]string, error) {
	defs, err := s.Service.Fields(c.UserContext(), httpx.Caller(c), "lead")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, d := range defs {
		if d.Type != "select" || len(d.Options) == 0 {
			continue
		}
		label := d.Label
		if label == "" {
			label = d.Name
		}
		f := web.Field{Name: "cf." + d.Name, Label: label, Options: d.Options, Value: c.Query("cf." + d.Name)}
		data.Filtered = data.Filtered || f.Value != ""
		data.Fields = append(data.Fields, f)
		names = append(names, d.Name)
	}
	return names, nil
}

// withSelects reads the list's parameters from get, with the custom
// select filters ("cf.<name>") added to the custom filter (name:value).
func withSelects(get func(string) string, names []string) func(string) string {
	return func(k string) string {
		v := get(k)
		if k != "custom" {
			return v
		}
		for _, n := range names {
			if sel := get("cf." + n); sel != "" {
				if v != "" {
					v += ","
				}
				v += n + ":" + sel
			}
		}
		return v
	}
}
