package api_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestSavedViews (issue 28): a view keeps the list's parameters (a
// relative period as written), answers with its count for each reader,
// is personal unless a manager shares it with their pools or an admin
// with everyone, and every user has the default views.
func TestSavedViews(t *testing.T) {
	s := apptest.NewStack(t)
	repID, rep := s.CreateRep("Vera", 10)
	_, other := s.CreateRep("Otto", 10)
	pool := s.CreatePool(fmt.Sprintf(`{"name":"Views pool","scope":"global","member_ids":[%q],"policy":{"distribution":"claim_only","no_follow_up_after":"12h"}}`, repID))
	for i := range 3 {
		l := s.CreateLead(fmt.Sprintf(`{"company":"View %c Trading","phone":"1380013%04d","country":"CN"}`, 'A'+i, 8100+i))
		s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/transfer", s.Admin, fmt.Sprintf(`{"pool_id":%q}`, pool)), 200)
		if i < 2 {
			s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 200)
		}
	}
	views := func(token string) map[string]lead.SavedView {
		var page struct{ Items []lead.SavedView }
		s.Expect(s.Do("GET", "/api/v1/views", token, ""), 200).JSON(t, &page)
		out := map[string]lead.SavedView{}
		for _, v := range page.Items {
			out[v.Name] = v
		}
		return out
	}
	count := func(v lead.SavedView) int {
		if v.Count == nil {
			t.Fatalf("view %q has no count", v.Name)
		}
		return *v.Count
	}
	got := views(rep)
	for name, want := range map[string]int{"Due today": 0, "No follow-up for 3 days": 0, "Reclaimed soon": 2} {
		if v, ok := got[name]; !ok || !v.Builtin || count(v) != want {
			t.Errorf("default view %q: %+v, want a builtin view counting %d", name, v, want)
		}
	}
	if n := count(views(other)["Reclaimed soon"]); n != 0 {
		t.Errorf("another rep's reclaimed soon counts %d, want 0", n)
	}

	body := `{"name":"Mine this week","filter":{"status":"assigned","time_field":"assigned","period":"last 7 days"},"sort":"company","columns":["company","reclaim"]}`
	var v, again lead.SavedView
	s.Expect(s.Do("POST", "/api/v1/views", rep, body, "Idempotency-Key", "view-1"), 201).JSON(t, &v)
	s.Expect(s.Do("POST", "/api/v1/views", rep, body, "Idempotency-Key", "view-1"), 201).JSON(t, &again)
	if v.ID == "" || again.ID != v.ID || v.Filter["period"] != "last 7 days" || v.SharedWith != lead.ShareMe {
		t.Fatalf("the view and its retry: %+v, %+v", v, again)
	}
	if n := count(views(rep)["Mine this week"]); n != 2 {
		t.Errorf("the rep's view counts %d, want 2", n)
	}
	if _, seen := views(other)["Mine this week"]; seen {
		t.Error("another rep sees a personal view")
	}
	s.Expect(s.Do("PATCH", "/api/v1/views/"+v.ID, other, `{"name":"Taken"}`), 404)

	// Sharing: reps keep views for themselves; managers share with their pools, admins with everyone.
	s.Expect(s.Do("POST", "/api/v1/views", rep, `{"name":"Shared","shared_with":"pools"}`), 403)
	s.Expect(s.Do("POST", "/api/v1/views", rep, `{"name":"Shared","shared_with":"everyone"}`), 403)
	var shared lead.SavedView
	s.Expect(s.Do("POST", "/api/v1/views", s.Admin, `{"name":"Everyone's pooled","filter":{"status":"pooled"},"shared_with":"everyone"}`), 201).JSON(t, &shared)
	if n := count(views(rep)["Everyone's pooled"]); n != 1 {
		t.Errorf("the shared view counts %d for the rep, want 1", n)
	}
	s.Expect(s.Do("PATCH", "/api/v1/views/"+shared.ID, rep, `{"name":"Mine now"}`), 403)
	s.Expect(s.Do("DELETE", "/api/v1/views/due-today", rep, ""), 403)

	// Bad input names its field.
	for field, b := range map[string]string{
		"name":          `{"name":" "}`,
		"filter.bogus":  `{"name":"x","filter":{"bogus":"1"}}`,
		"filter.period": `{"name":"x","filter":{"period":"since forever"}}`,
		"filter.status": `{"name":"x","filter":{"status":"lost"}}`,
		"sort":          `{"name":"x","sort":"owner"}`,
		"columns":       `{"name":"x","columns":["company","secret"]}`,
		"shared_with":   `{"name":"x","shared_with":"team"}`,
	} {
		apptest.FieldProblem(t, s.Do("POST", "/api/v1/views", rep, b), field)
	}

	// The view's owner changes and deletes it.
	var patched lead.SavedView
	s.Expect(s.Do("PATCH", "/api/v1/views/"+v.ID, rep, `{"filter":{"status":"pooled"}}`), 200).JSON(t, &patched)
	if patched.Name != "Mine this week" || patched.Filter["status"] != "pooled" || patched.Sort != "company" {
		t.Errorf("patched: %+v", patched)
	}
	s.Expect(s.Do("DELETE", "/api/v1/views/"+v.ID, rep, ""), 204)
	s.Expect(s.Do("PATCH", "/api/v1/views/"+v.ID, rep, `{"name":"gone"}`), 404)

	// The rep's own columns; none chosen is the default.
	var cols struct{ Columns []string }
	s.Expect(s.Do("GET", "/api/v1/me/columns", rep, ""), 200).JSON(t, &cols)
	if strings.Join(cols.Columns, ",") != strings.Join(lead.DefaultColumns, ",") {
		t.Errorf("the default columns: %v", cols.Columns)
	}
	apptest.FieldProblem(t, s.Do("PUT", "/api/v1/me/columns", rep, `{"columns":["company","ip"]}`), "columns")
	s.Expect(s.Do("PUT", "/api/v1/me/columns", rep, `{"columns":["company","score"]}`), 200)
	s.Expect(s.Do("GET", "/api/v1/me/columns", rep, ""), 200).JSON(t, &cols)
	if strings.Join(cols.Columns, ",") != "company,score" {
		t.Errorf("the rep's columns: %v", cols.Columns)
	}
}

// TestLeadsSortByColumns (issue 28): every column's order runs over the
// whole list with a stable keyset, page after page.
func TestLeadsSortByColumns(t *testing.T) {
	s := apptest.NewStack(t)
	repID, rep := s.CreateRep("Cole", 10)
	pool := s.CreatePool(fmt.Sprintf(`{"name":"Columns pool","scope":"global","member_ids":[%q],"policy":{"distribution":"claim_only"}}`, repID))
	ids := map[string]string{}
	for i, n := range []string{"D", "B", "E", "A", "C"} {
		l := s.CreateLead(fmt.Sprintf(`{"company":"%s Column Trading","phone":"1380013%04d","country":"CN"}`, n, 8200+i))
		ids[l.ID] = n
		s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/transfer", s.Admin, fmt.Sprintf(`{"pool_id":%q}`, pool)), 200)
		if n != "E" {
			s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 200)
		}
	}
	list := func(sort string) string {
		var out []string
		cursor := ""
		for page := 0; page < 10; page++ {
			q := url.Values{"limit": {"2"}, "pool_id": {pool}, "sort": {sort}}
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			var body struct {
				Items      []lead.Lead `json:"items"`
				NextCursor string      `json:"next_cursor"`
			}
			s.Expect(s.Do("GET", "/api/v1/leads?"+q.Encode(), s.Admin, ""), 200).JSON(t, &body)
			for _, l := range body.Items {
				out = append(out, ids[l.ID])
			}
			if cursor = body.NextCursor; cursor == "" {
				break
			}
		}
		return strings.Join(out, "")
	}
	for sort, want := range map[string]string{"company": "ABCDE", "created": "CAEBD", "assigned": "CABDE"} {
		if got := list(sort); got != want {
			t.Errorf("sort=%s over pages of 2: %s, want %s", sort, got, want)
		}
	}
	if got := list("score"); len(got) != 5 {
		t.Errorf("sort=score over pages of 2: %s, want all five leads once", got)
	}
	for _, bad := range []string{"score_min=high", "period=someday", "custom=nocolon", "period=today&created_from=2026-01-01"} {
		q, _ := url.ParseQuery(bad)
		field := strings.SplitN(bad, "=", 2)[0]
		apptest.FieldProblem(t, s.Do("GET", "/api/v1/leads?"+q.Encode(), s.Admin, ""), field)
	}
	var page struct{ Items []lead.Lead }
	s.Expect(s.Do("GET", "/api/v1/leads?pool_id="+pool+"&status=assigned&time_field=assigned&period=last+24+hours", s.Admin, ""), 200).JSON(t, &page)
	if len(page.Items) != 4 {
		t.Errorf("assigned in the last 24 hours: %d leads, want 4", len(page.Items))
	}
}
