package console_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/leadflow/leadflow/internal/apptest"
)

// TestConsoleSavedViews (issue 28): the lead list shows the default views
// as tabs with their counts; a rep saves the filtered list as a view,
// which opens with its filters, order and columns; the reader's columns
// apply to the plain list; the view is deleted by its owner.
func TestConsoleSavedViews(t *testing.T) {
	s := apptest.NewStack(t)
	repID, rep := s.CreateRep("Vik", 10)
	pool := s.CreatePool(fmt.Sprintf(`{"name":"Tabs pool","scope":"global","member_ids":[%q],"policy":{"distribution":"claim_only","no_follow_up_after":"12h"}}`, repID))
	for i, company := range []string{"Zeta Tabs Trading", "Alpha Tabs Trading"} {
		l := s.CreateLead(fmt.Sprintf(`{"company":%q,"phone":"1380013%04d","country":"CN","email":"x%d@example.com"}`, company, 8300+i, i))
		s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/transfer", s.Admin, fmt.Sprintf(`{"pool_id":%q}`, pool)), 200)
		s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 200)
	}
	for _, lang := range []string{"en", "zh-CN"} {
		b := s.Browser()
		b.SignIn(rep, "/leads")
		b.Get("/lang/" + lang)
		page := s.Expect(b.Get("/leads"), 200)
		soon := map[string]string{"en": "Reclaimed soon", "zh-CN": "即将被回收"}[lang]
		apptest.WantText(t, page, `data-view="reclaim-soon"`, soon+` <span class="count">2</span>`, `id="save-view"`, `id="columns-form"`)
		s.Expect(b.Get("/leads?view=reclaim-soon"), 200)
		s.Expect(b.Get("/leads?view=00000000-0000-0000-0000-0000000000aa"), 404)
	}

	b := s.Browser()
	b.SignIn(rep, "/leads")
	page := s.Expect(b.Get("/leads?status=assigned&sort=company"), 200)
	done := b.Post(page, "/leads/views", url.Values{"view_name": {"A to Z"}, "shared_with": {"me"}, "status": {"assigned"},
		"sort": {"company"}, "columns": {"company", "email", "reclaim"}, "request_id": {"view-form-1"}})
	loc := done.Header.Get("Location")
	if done.Status != 303 || !strings.HasPrefix(loc, "/leads?view=") {
		t.Fatalf("save view: %d to %q", done.Status, loc)
	}
	view := s.Expect(b.Get(loc), 200)
	body := string(view.Body)
	apptest.WantText(t, view, "A to Z", `class="view-tab on"`, "x1@example.com", `id="delete-view"`, `<option value="company" selected>`)
	if a, z := strings.Index(body, "Alpha Tabs"), strings.Index(body, "Zeta Tabs"); a < 0 || z < a {
		t.Errorf("the view is not sorted by company")
	}
	if strings.Contains(body, `class="col-country"`) {
		t.Error("the view shows a column it did not choose")
	}
	// A rep shares with nobody else.
	s.Expect(b.Post(page, "/leads/views", url.Values{"view_name": {"Team"}, "shared_with": {"pools"}}), 403)

	apptest.WantRedirect(t, b.Post(page, "/leads/columns", url.Values{"columns": {"company", "score"}, "back": {"/leads"}}), "/leads")
	plain := string(s.Expect(b.Get("/leads"), 200).Body)
	if !strings.Contains(plain, `class="col-score"`) || strings.Contains(plain, `class="col-phone"`) {
		t.Error("the plain list does not show the rep's columns")
	}
	// A custom field of type select is a filter of its own.
	s.Expect(s.Do("POST", "/api/v1/fields", s.Admin, `{"entity":"lead","name":"industry","label":"Industry","type":"select","options":["retail","tech"]}`), 201)
	var mine struct {
		Items []struct{ ID, Company string }
	}
	s.Expect(s.Do("GET", "/api/v1/leads?company=Alpha", rep, ""), 200).JSON(t, &mine)
	s.Expect(s.Do("PATCH", "/api/v1/leads/"+mine.Items[0].ID, s.Admin, `{"custom":{"industry":"retail"}}`), 200)
	retail := s.Expect(b.Get("/leads?cf.industry=retail"), 200)
	apptest.WantText(t, retail, `id="f-cf.industry"`, "Alpha Tabs")
	if strings.Contains(string(retail.Body), "Zeta Tabs") {
		t.Error("the select filter keeps a lead of another industry")
	}
	id := strings.TrimPrefix(loc, "/leads?view=")
	apptest.WantRedirect(t, b.Post(view, "/leads/views/"+id+"/delete", nil), "/leads")
	s.Expect(b.Get(loc), 404)
}

// TestConsolePoolArchiving (issue 28): the pool page refuses to archive a
// pool that holds leads, saying how many and linking to them; an empty
// pool is archived, leaves the pool list for the archived one, and is
// restored.
func TestConsolePoolArchiving(t *testing.T) {
	s := apptest.NewStack(t)
	pool := s.CreatePool(`{"name":"Winding down","scope":"global","policy":{"distribution":"claim_only"}}`)
	l := s.CreateLead(`{"company":"Held Archive Trading","phone":"13800138501","country":"CN"}`)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/transfer", s.Admin, fmt.Sprintf(`{"pool_id":%q}`, pool)), 200)
	for _, lang := range []string{"en", "zh-CN"} {
		b := s.Browser()
		b.SignIn(s.Admin, "/pools")
		b.Get("/lang/" + lang)
		page := s.Expect(b.Get("/pools/"+pool), 200)
		apptest.WantText(t, page, `id="archive-form"`, `href="/leads?pool_id=`+pool+`"`)
		refused := s.Expect(b.Post(page, "/pools/"+pool+"/archive", nil), 409)
		apptest.WantText(t, refused, "1 leads are still in the pool", "/leads?pool_id="+pool)
	}
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/transfer", s.Admin, `{"pool_id":"00000000-0000-0000-0000-000000000001"}`), 200)
	b := s.Browser()
	b.SignIn(s.Admin, "/pools")
	page := s.Expect(b.Get("/pools/"+pool), 200)
	apptest.WantRedirect(t, b.Post(page, "/pools/"+pool+"/archive", nil), "/pools/"+pool+"?done=archived")
	apptest.WantText(t, s.Expect(b.Get("/pools/"+pool+"?done=archived"), 200), "The pool is archived.", `id="restore-form"`, `id="pool-archived"`)
	if strings.Contains(string(s.Expect(b.Get("/pools"), 200).Body), "Winding down") {
		t.Error("the archived pool is in the pool list")
	}
	apptest.WantText(t, s.Expect(b.Get("/pools?archived=true"), 200), "Winding down")
	if strings.Contains(string(s.Expect(b.Get("/leads"), 200).Body), "/leads?tab="+pool) {
		t.Error("the archived pool has a tab")
	}
	apptest.WantRedirect(t, b.Post(page, "/pools/"+pool+"/restore", nil), "/pools/"+pool+"?done=restored")
}
