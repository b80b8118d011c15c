package service

import (
	"context"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// Saved views of the lead list (issue 28): each user keeps their own;
// managers share theirs with the members of their pools, admins with
// everyone (lead.AuthorizeShare); every user also has the default views
// (BuiltinViews). A view's filter is the list's parameters as written, so
// a relative period is resolved in the reader's zone each time it is read.

// BuiltinViews are the default views: the assigned leads whose next
// follow-up is due today, those without a follow-up for 3 days, and those
// reclaimed within 24 hours.
var BuiltinViews = []lead.SavedView{
	{ID: "due-today", Name: "Due today", Filter: map[string]string{"status": "assigned", "time_field": "next_follow_up", "period": "today"},
		Sort: "reclaim"},
	{ID: "no-follow-up", Name: "No follow-up for 3 days", Filter: map[string]string{"status": "assigned", "time_field": "last_activity",
		"period": "older than 3 days"}, Sort: "reclaim"},
	{ID: "reclaim-soon", Name: "Reclaimed soon", Filter: map[string]string{"status": "assigned", "time_field": "reclaim",
		"period": "next 24 hours"}, Sort: "reclaim"},
}

// ViewInput is the body of a view's create (name required) or patch
// (absent fields are left as they are).
type ViewInput struct {
	Name       *string            `json:"name"`
	Filter     *map[string]string `json:"filter"`
	Sort       *string            `json:"sort"`
	Columns    *[]string          `json:"columns"`
	SharedWith *string            `json:"shared_with"`
}

// Views are the views me sees, the default ones first, each with the
// number of leads me sees in it.
func (s *Service) Views(ctx context.Context, me lead.User) ([]lead.SavedView, error) {
	saved, err := s.db.Views(ctx, me.ID)
	if err != nil {
		return nil, err
	}
	views := append(builtinViews(me), saved...)
	for i := range views {
		f, err := s.ViewFilter(ctx, me, views[i], nil)
		if err != nil {
			return nil, err
		}
		n, err := s.db.CountLeads(ctx, f)
		if err != nil {
			return nil, err
		}
		views[i].Count = &n
	}
	return views, nil
}

// builtinViews are BuiltinViews as me's.
func builtinViews(me lead.User) []lead.SavedView {
	out := make([]lead.SavedView, len(BuiltinViews))
	for i, v := range BuiltinViews {
		v.Builtin, v.OwnerID, v.SharedWith, v.Columns, v.Filter = true, me.ID, lead.ShareMe, []string{}, maps.Clone(v.Filter)
		out[i] = v
	}
	return out
}

// View is view id (a default view's key, or a saved view's id) when me sees it.
func (s *Service) View(ctx context.Context, me lead.User, id string) (lead.SavedView, error) {
	for _, v := range builtinViews(me) {
		if v.ID == id {
			return v, nil
		}
	}
	return s.db.View(ctx, me.ID, id)
}

// ViewFilter is view v's filter for me, its period resolved in me's zone,
// with the list's parameters override puts over it (nil: none).
func (s *Service) ViewFilter(ctx context.Context, me lead.User, v lead.SavedView, override func(string) string) (store.LeadFilter, error) {
	get := func(k string) string {
		if override != nil {
			if o := override(k); o != "" {
				return o
			}
		}
		return viewParams(v)(k)
	}
	f, err := ParseLeadFilter(get, func(k string) string { return "filter." + k })
	if err != nil {
		return f, err
	}
	f.Viewer = store.ViewerOf(me)
	s.resolvePeriod(ctx, me, &f)
	return f, nil
}

// CreateView saves a new view of me's. key is the request's idempotency
// key: a retry answers the view it created.
func (s *Service) CreateView(ctx context.Context, me lead.User, key string, in ViewInput) (lead.SavedView, error) {
	v := lead.SavedView{ID: LeadID(key, "view\x00"+me.ID), OwnerID: me.ID, Filter: map[string]string{}, Columns: []string{}, SharedWith: lead.ShareMe}
	if in.Name == nil {
		in.Name = new(string)
	}
	if err := applyView(me, &v, in); err != nil {
		return v, err
	}
	return s.db.SaveView(ctx, v, true)
}

// UpdateView changes view id, which me sees and may change (lead.AuthorizeViewChange).
func (s *Service) UpdateView(ctx context.Context, me lead.User, id string, in ViewInput) (lead.SavedView, error) {
	v, err := s.changeableView(ctx, me, id)
	if err != nil {
		return v, err
	}
	if err := applyView(me, &v, in); err != nil {
		return v, err
	}
	return s.db.SaveView(ctx, v, false)
}

// DeleteView deletes view id, which me sees and may change.
func (s *Service) DeleteView(ctx context.Context, me lead.User, id string) error {
	v, err := s.changeableView(ctx, me, id)
	if err != nil {
		return err
	}
	return s.db.DeleteView(ctx, v.ID)
}

// changeableView is view id when me sees it (else not found) and may change it (else forbidden).
func (s *Service) changeableView(ctx context.Context, me lead.User, id string) (lead.SavedView, error) {
	v, err := s.View(ctx, me, id)
	if err != nil {
		return v, err
	}
	return v, lead.AuthorizeViewChange(me, v)
}

// applyView checks change in and applies it to v.
func applyView(me lead.User, v *lead.SavedView, in ViewInput) error {
	var bad lead.Fields
	if in.Name != nil {
		v.Name = strings.TrimSpace(*in.Name)
		if v.Name == "" || utf8.RuneCountInString(v.Name) > 100 {
			bad.Add("name", "must be 1 to 100 characters")
		}
	}
	if in.Filter != nil {
		v.Filter = map[string]string{}
		for _, k := range slices.Sorted(maps.Keys(*in.Filter)) {
			if val := strings.TrimSpace((*in.Filter)[k]); !slices.Contains(LeadFilterNames, k) {
				bad.Add("filter."+k, "is not a filter of the lead list; the filters are "+strings.Join(LeadFilterNames, ", "))
			} else if val != "" {
				v.Filter[k] = val
			}
		}
	}
	if in.Sort != nil {
		v.Sort = *in.Sort
	}
	if in.Columns != nil {
		v.Columns = *in.Columns
		lead.CheckColumns(&bad, "columns", v.Columns)
	}
	if in.SharedWith != nil {
		v.SharedWith = *in.SharedWith
	}
	if _, err := ParseLeadFilter(viewParams(*v), func(k string) string {
		if k == "sort" {
			return k
		}
		return "filter." + k
	}); err != nil {
		fs, _ := lead.FieldsOf(err)
		bad = append(bad, fs...)
	}
	if err := bad.Err(); err != nil {
		return err
	}
	return lead.AuthorizeShare(me, v.SharedWith)
}

// viewParams reads view v's list parameters: its filter and its sort.
func viewParams(v lead.SavedView) func(string) string {
	return func(k string) string {
		if k == "sort" {
			return v.Sort
		}
		return v.Filter[k]
	}
}

// ListColumns are the columns me chose for the lead list (empty: lead.DefaultColumns).
func (s *Service) ListColumns(ctx context.Context, me lead.User) ([]string, error) {
	return s.db.ListColumns(ctx, me.ID)
}

// ShownColumns are the columns a list shows for the choice cols: cols, or
// lead.DefaultColumns when none.
func ShownColumns(cols []string) []string {
	if len(cols) == 0 {
		return lead.DefaultColumns
	}
	return cols
}

// SetListColumns stores me's choice of the lead list's columns (empty: the default).
func (s *Service) SetListColumns(ctx context.Context, me lead.User, cols []string) error {
	var bad lead.Fields
	lead.CheckColumns(&bad, "columns", cols)
	if err := bad.Err(); err != nil {
		return err
	}
	return s.db.SetListColumns(ctx, me.ID, cols)
}

// NextSteps are the next steps of the latest follow-ups of leads, which a
// page of the lead list gave me, by lead id.
func (s *Service) NextSteps(ctx context.Context, leads []lead.Lead) (map[string]string, error) {
	ids := make([]string, len(leads))
	for i, l := range leads {
		ids[i] = l.ID
	}
	return s.db.NextSteps(ctx, ids)
}
