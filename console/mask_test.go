package console_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/leadflow/leadflow/internal/apptest"
)

// TestConsoleMasksContacts: the console shows a rep an unclaimed lead of
// a masking pool (领取前加密) with its numbers masked and says why, in
// the list and on the lead's page; the pool's policy form has the setting.
func TestConsoleMasksContacts(t *testing.T) {
	s := apptest.NewStack(t)
	repID, rep := s.CreateRep("Mei", 10)
	poolID := s.CreatePool(fmt.Sprintf(`{"name":"Masked pool","scope":"global","member_ids":[%q],"policy":{"distribution":"claim_only","mask_contacts":true}}`, repID))
	l := s.CreateLead(`{"company":"Mask Trading","phone":"13800138000","email":"zhao@mask.example","country":"CN"}`)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/transfer", s.Admin, fmt.Sprintf(`{"pool_id":%q}`, poolID)), 200)

	b := s.Browser()
	b.SignIn(rep, "/leads")
	for _, path := range []string{"/leads/" + l.ID, "/leads?tab=" + poolID} {
		page := string(s.Expect(b.Get(path, "Accept-Language", "zh-CN"), 200).Body)
		if strings.Contains(page, "13800138000") || strings.Contains(page, "zhao@") || !strings.Contains(page, "138****8000") {
			t.Fatalf("%s shows the rep: %s", path, page)
		}
	}
	if page := string(b.Get("/leads/"+l.ID, "Accept-Language", "zh-CN").Body); !strings.Contains(page, "领取前加密") {
		t.Fatalf("the lead page does not say why its numbers are masked: %s", page)
	}

	admin := s.Browser()
	admin.SignIn(s.Admin, "/pools")
	page := string(s.Expect(admin.Get("/pools/"+poolID), 200).Body)
	if !strings.Contains(page, `name="mask_contacts"`) {
		t.Fatalf("the policy form has no mask_contacts: %s", page)
	}
	if got := string(admin.Get("/leads/" + l.ID).Body); !strings.Contains(got, "13800138000") {
		t.Fatalf("an admin sees the lead masked")
	}
}
