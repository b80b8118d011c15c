package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestEditIdentity (seed 004): the main phone, the company and the country
// can be changed; the dedup key follows, and an edit that would duplicate a
// live lead is refused, naming it only to who may see it.
func TestEditIdentity(t *testing.T) {
	w := apptest.NewWorld(t)
	a := w.Assigned()
	var got lead.Lead
	w.Expect(w.Do("PATCH", "/api/v1/leads/"+a.ID, w.Tokens[apptest.SubOwner],
		`{"company":"Renamed Holdings Ltd","phone":"+86 139 0013 9999","country":"CN"}`), 200).JSON(t, &got)
	if got.Company != "Renamed Holdings Ltd" || got.PhoneE164 != "+8613900139999" {
		t.Fatalf("edited: %+v", got)
	}
	var admin lead.Lead
	w.Expect(w.Do("GET", "/api/v1/leads/"+a.ID, w.Admin, ""), 200).JSON(t, &admin)
	if admin.DedupKey != lead.DedupKey("Renamed Holdings Ltd", "+8613900139999", "CN") {
		t.Fatalf("dedup key not recomputed: %q", admin.DedupKey)
	}
	// Another live lead, the owner's too: renaming it into a duplicate is refused with its id.
	b := w.Assigned()
	p := w.Expect(w.Do("PATCH", "/api/v1/leads/"+b.ID, w.Tokens[apptest.SubOwner],
		`{"company":"RENAMED HOLDINGS","phone":"13900139999"}`), 409).Problem(t)
	if !strings.Contains(strings.Join(p.Reasons, ";"), a.ID) {
		t.Fatalf("the refusal does not name the visible duplicate: %+v", p)
	}
	// A lead the editor cannot see is not named.
	w.Expect(w.Do("POST", "/api/v1/leads/"+a.ID+"/reclaim", w.Admin, ""), 200)
	w.Expect(w.Do("POST", "/api/v1/leads/"+a.ID+"/transfer", w.Admin, fmt.Sprintf(`{"pool_id":%q}`, w.PoolB)), 200)
	p = w.Expect(w.Do("PATCH", "/api/v1/leads/"+b.ID, w.Tokens[apptest.SubOwner],
		`{"company":"RENAMED HOLDINGS","phone":"13900139999"}`), 409).Problem(t)
	if strings.Contains(strings.Join(p.Reasons, ";"), a.ID) {
		t.Fatalf("the refusal names a lead the editor cannot see: %+v", p)
	}
	apptest.FieldProblem(t, w.Do("PATCH", "/api/v1/leads/"+b.ID, w.Tokens[apptest.SubOwner], `{"phone":" "}`), "phone")
	apptest.FieldProblem(t, w.Do("PATCH", "/api/v1/leads/"+b.ID, w.Tokens[apptest.SubOwner], `{"country":"China"}`), "country")
}

// TestLeadFilters (seed 004): phone and e-mail filters search every number
// and address, the agent is an id or a name, tag and channel match in any
// case, and the time frame may be on the assignment.
func TestLeadFilters(t *testing.T) {
	s := apptest.NewStack(t)
	repID, rep := s.CreateRep("Fiona", 10)
	s.Expect(s.Do("PUT", "/api/v1/options/sources", s.Admin, `{"items":["Website","Trade Fair"]}`), 200) // a lead's channel is one of them
	l := s.CreateLead(`{"company":"Filter Fabrics","phone":"13800138301","country":"CN","channel":"Trade Fair","tags":["VIP"]}`)
	other := s.CreateLead(`{"company":"Other Fabrics","phone":"13800138302","country":"CN"}`)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 200)
	s.Expect(s.Do("PATCH", "/api/v1/leads/"+l.ID, rep, `{"phones":["+1 650 555 0199"],"emails":["buyer@fabrics.example"]}`), 200)
	only := func(query string, want ...string) {
		t.Helper()
		var page struct{ Items []lead.Lead }
		s.Expect(s.Do("GET", "/api/v1/leads?"+query, s.Admin, ""), 200).JSON(t, &page)
		var got []string
		for _, x := range page.Items {
			if x.ID == l.ID || x.ID == other.ID {
				got = append(got, x.ID)
			}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("%s: %v, want %v", query, got, want)
		}
	}
	only("phone=555+0199", l.ID)
	only("email=buyer%40fabrics", l.ID)
	only("agent=fio", l.ID)
	only("agent="+repID, l.ID)
	only("tag=vip", l.ID)
	only("channel=trade+fair", l.ID)
	only("time_field=assigned&created_from=2000-01-01", l.ID)
	only("time_field=last_follow_up&created_from=2000-01-01")
	only("q=Fabrics", other.ID, l.ID)
	apptest.FieldProblem(t, s.Do("GET", "/api/v1/leads?time_field=yesterday", s.Admin, ""), "time_field")
}

// TestRepCreatedLeadIsTheirs (seed 002 ②): a lead a rep creates lands in
// their own leads while they have room, else routing decides.
func TestRepCreatedLeadIsTheirs(t *testing.T) {
	s := apptest.NewStack(t)
	repID, rep := s.CreateRep("Gina", 1)
	var mine lead.Lead
	s.Expect(s.Do("POST", "/api/v1/leads", rep, `{"company":"Own Lead Trading","phone":"13800138311","country":"CN"}`), 201).JSON(t, &mine)
	if mine.Status != lead.StatusAssigned || mine.OwnerID != repID || mine.Source != lead.SourceManual {
		t.Fatalf("the rep's own lead: %+v", mine)
	}
	var full lead.Lead
	s.Expect(s.Do("POST", "/api/v1/leads", rep, `{"company":"Second Own Trading","phone":"13800138312","country":"CN"}`), 201).JSON(t, &full)
	if full.Status != lead.StatusPooled || full.OwnerID != "" {
		t.Fatalf("a full rep's new lead: %+v", full)
	}
	routed := false
	for _, e := range s.History(full.ID) {
		routed = routed || (e.Type == lead.EventPooled && strings.Contains(e.Reason, "capacity"))
	}
	if !routed {
		t.Fatalf("the history does not say why the rep did not get it: %+v", s.History(full.ID))
	}
}
