package api_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

func TestOptionListsDriveValidation(t *testing.T) {
	s := apptest.NewStack(t)
	repID, rep := s.CreateRep("Olga", 5)
	l := s.CreateLead(`{"company":"Options Trading Ltd","phone":"13800138011","country":"CN"}`)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/assign", s.Admin, fmt.Sprintf(`{"rep_id":%q}`, repID)), 200)

	var all map[string][]string
	s.Expect(s.Do("GET", "/api/v1/options", rep, ""), 200).JSON(t, &all)
	for _, n := range lead.OptionLists {
		if len(all[n]) == 0 {
			t.Fatalf("list %s is empty: %v", n, all)
		}
	}
	// A reason not on the list is refused, naming the field.
	p := s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/return", rep, `{"reason":"wrong industry"}`), 422).Problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "reason" {
		t.Fatalf("problem: %+v", p)
	}
	// Only admins change lists; bad lists are refused.
	body := `{"items":["unreachable","wrong industry"]}`
	s.Expect(s.Do("PUT", "/api/v1/options/invalid_reasons", rep, body), 403)
	s.Expect(s.Do("PUT", "/api/v1/options/colours", s.Admin, body), 404)
	s.Expect(s.Do("PUT", "/api/v1/options/invalid_reasons", s.Admin, `{"items":[]}`), 422)
	s.Expect(s.Do("PUT", "/api/v1/options/invalid_reasons", s.Admin, `{"items":["a","A"]}`), 422)
	s.Expect(s.Do("PUT", "/api/v1/options/invalid_reasons", s.Admin, body), 200)
	var got struct{ Items []string }
	s.Expect(s.Do("GET", "/api/v1/options/invalid_reasons", rep, ""), 200).JSON(t, &got)
	if !slices.Equal(got.Items, []string{"unreachable", "wrong industry"}) {
		t.Fatalf("items %v", got.Items)
	}
	// The new reason is accepted at once; a follow-up type must be on its list too.
	s.Expect(s.Do("PUT", "/api/v1/options/follow_up_types", s.Admin, `{"items":["call","wechat"]}`), 200)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/follow-ups", rep, `{"type":"visit","content":"met"}`), 422)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/follow-ups", rep, `{"type":"wechat","content":"sent the quote"}`), 201)
	var back lead.Lead
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/return", rep, `{"reason":"wrong industry"}`), 200).JSON(t, &back)
	if back.InvalidReason != "wrong industry" || back.Status != lead.StatusPooled {
		t.Fatalf("returned: %+v", back)
	}
}
