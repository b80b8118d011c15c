package api_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/leadflow/leadflow/lead"
)

func TestOptionListsDriveValidation(t *testing.T) {
	s := newStack(t)
	repID, rep := s.createRep("Olga", 5)
	l := s.createLead(`{"company":"Options Trading Ltd","phone":"13800138011","country":"CN"}`)
	s.expect(s.do("POST", "/api/v1/leads/"+l.ID+"/assign", s.admin, fmt.Sprintf(`{"rep_id":%q}`, repID)), 200)

	var all map[string][]string
	s.expect(s.do("GET", "/api/v1/options", rep, ""), 200).json(t, &all)
	for _, n := range lead.OptionLists {
		if len(all[n]) == 0 {
			t.Fatalf("list %s is empty: %v", n, all)
		}
	}
	// A reason not on the list is refused, naming the field.
	p := s.expect(s.do("POST", "/api/v1/leads/"+l.ID+"/return", rep, `{"reason":"wrong industry"}`), 422).problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "reason" {
		t.Fatalf("problem: %+v", p)
	}
	// Only admins change lists; bad lists are refused.
	body := `{"items":["unreachable","wrong industry"]}`
	s.expect(s.do("PUT", "/api/v1/options/invalid_reasons", rep, body), 403)
	s.expect(s.do("PUT", "/api/v1/options/colours", s.admin, body), 404)
	s.expect(s.do("PUT", "/api/v1/options/invalid_reasons", s.admin, `{"items":[]}`), 422)
	s.expect(s.do("PUT", "/api/v1/options/invalid_reasons", s.admin, `{"items":["a","A"]}`), 422)
	s.expect(s.do("PUT", "/api/v1/options/invalid_reasons", s.admin, body), 200)
	var got struct{ Items []string }
	s.expect(s.do("GET", "/api/v1/options/invalid_reasons", rep, ""), 200).json(t, &got)
	if !slices.Equal(got.Items, []string{"unreachable", "wrong industry"}) {
		t.Fatalf("items %v", got.Items)
	}
	// The new reason is accepted at once; a follow-up type must be on its list too.
	s.expect(s.do("PUT", "/api/v1/options/follow_up_types", s.admin, `{"items":["call","wechat"]}`), 200)
	s.expect(s.do("POST", "/api/v1/leads/"+l.ID+"/follow-ups", rep, `{"type":"visit","content":"met"}`), 422)
	s.expect(s.do("POST", "/api/v1/leads/"+l.ID+"/follow-ups", rep, `{"type":"wechat","content":"sent the quote"}`), 201)
	var back lead.Lead
	s.expect(s.do("POST", "/api/v1/leads/"+l.ID+"/return", rep, `{"reason":"wrong industry"}`), 200).json(t, &back)
	if back.InvalidReason != "wrong industry" || back.Status != lead.StatusPooled {
		t.Fatalf("returned: %+v", back)
	}
}
