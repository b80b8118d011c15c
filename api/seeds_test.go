package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/leadflow/leadflow/lead"
)

// TestEditIdentity (seed 004): the main phone, the company and the country
// can be changed; the dedup key follows, and an edit that would duplicate a
// live lead is refused, naming it only to who may see it.
func TestEditIdentity(t *testing.T) {
	w := newWorld(t)
	a := w.assigned()
	var got lead.Lead
	w.expect(w.do("PATCH", "/api/v1/leads/"+a.ID, w.tokens[subOwner],
		`{"company":"Renamed Holdings Ltd","phone":"+86 139 0013 9999","country":"CN"}`), 200).json(t, &got)
	if got.Company != "Renamed Holdings Ltd" || got.PhoneE164 != "+8613900139999" {
		t.Fatalf("edited: %+v", got)
	}
	var admin lead.Lead
	w.expect(w.do("GET", "/api/v1/leads/"+a.ID, w.admin, ""), 200).json(t, &admin)
	if admin.DedupKey != lead.DedupKey("Renamed Holdings Ltd", "+8613900139999", "CN") {
		t.Fatalf("dedup key not recomputed: %q", admin.DedupKey)
	}
	// Another live lead, the owner's too: renaming it into a duplicate is refused with its id.
	b := w.assigned()
	p := w.expect(w.do("PATCH", "/api/v1/leads/"+b.ID, w.tokens[subOwner],
		`{"company":"RENAMED HOLDINGS","phone":"13900139999"}`), 409).problem(t)
	if !strings.Contains(strings.Join(p.Reasons, ";"), a.ID) {
		t.Fatalf("the refusal does not name the visible duplicate: %+v", p)
	}
	// A lead the editor cannot see is not named.
	w.expect(w.do("POST", "/api/v1/leads/"+a.ID+"/reclaim", w.admin, ""), 200)
	w.expect(w.do("POST", "/api/v1/leads/"+a.ID+"/transfer", w.admin, fmt.Sprintf(`{"pool_id":%q}`, w.poolB)), 200)
	p = w.expect(w.do("PATCH", "/api/v1/leads/"+b.ID, w.tokens[subOwner],
		`{"company":"RENAMED HOLDINGS","phone":"13900139999"}`), 409).problem(t)
	if strings.Contains(strings.Join(p.Reasons, ";"), a.ID) {
		t.Fatalf("the refusal names a lead the editor cannot see: %+v", p)
	}
	fieldProblem(t, w.do("PATCH", "/api/v1/leads/"+b.ID, w.tokens[subOwner], `{"phone":" "}`), "phone")
	fieldProblem(t, w.do("PATCH", "/api/v1/leads/"+b.ID, w.tokens[subOwner], `{"country":"China"}`), "country")
}

// TestLeadFilters (seed 004): phone and e-mail filters search every number
// and address, the agent is an id or a name, tag and channel match in any
// case, and the time frame may be on the assignment.
func TestLeadFilters(t *testing.T) {
	s := newStack(t)
	repID, rep := s.createRep("Fiona", 10)
	s.expect(s.do("PUT", "/api/v1/options/sources", s.admin, `{"items":["Website","Trade Fair"]}`), 200) // a lead's channel is one of them
	l := s.createLead(`{"company":"Filter Fabrics","phone":"13800138301","country":"CN","channel":"Trade Fair","tags":["VIP"]}`)
	other := s.createLead(`{"company":"Other Fabrics","phone":"13800138302","country":"CN"}`)
	s.expect(s.do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 200)
	s.expect(s.do("PATCH", "/api/v1/leads/"+l.ID, rep, `{"phones":["+1 650 555 0199"],"emails":["buyer@fabrics.example"]}`), 200)
	only := func(query string, want ...string) {
		t.Helper()
		var page struct{ Items []lead.Lead }
		s.expect(s.do("GET", "/api/v1/leads?"+query, s.admin, ""), 200).json(t, &page)
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
	fieldProblem(t, s.do("GET", "/api/v1/leads?time_field=yesterday", s.admin, ""), "time_field")
}

// TestRepCreatedLeadIsTheirs (seed 002 ②): a lead a rep creates lands in
// their own leads while they have room, else routing decides.
func TestRepCreatedLeadIsTheirs(t *testing.T) {
	s := newStack(t)
	repID, rep := s.createRep("Gina", 1)
	var mine lead.Lead
	s.expect(s.do("POST", "/api/v1/leads", rep, `{"company":"Own Lead Trading","phone":"13800138311","country":"CN"}`), 201).json(t, &mine)
	if mine.Status != lead.StatusAssigned || mine.OwnerID != repID || mine.Source != lead.SourceManual {
		t.Fatalf("the rep's own lead: %+v", mine)
	}
	var full lead.Lead
	s.expect(s.do("POST", "/api/v1/leads", rep, `{"company":"Second Own Trading","phone":"13800138312","country":"CN"}`), 201).json(t, &full)
	if full.Status != lead.StatusPooled || full.OwnerID != "" {
		t.Fatalf("a full rep's new lead: %+v", full)
	}
	routed := false
	for _, e := range s.history(full.ID) {
		routed = routed || (e.Type == lead.EventPooled && strings.Contains(e.Reason, "capacity"))
	}
	if !routed {
		t.Fatalf("the history does not say why the rep did not get it: %+v", s.history(full.ID))
	}
}
