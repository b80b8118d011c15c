package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestPoolMasksContactsForReps (issue 29, 领取前加密): a pool whose policy
// says mask_contacts shows a rep its unclaimed leads' phones and e-mails
// masked in the lead, the list, the history and an export, until the rep
// claims the lead; the pool's manager and an admin see them; a pool
// without the setting masks nothing.
func TestPoolMasksContactsForReps(t *testing.T) {
	s := apptest.NewStack(t)
	repID, rep := s.CreateRep("Mei", 10)
	mgrID, mgr := s.PoolStaff("Mark", lead.RoleManager)
	poolID := s.CreatePool(fmt.Sprintf(`{"name":"Masked pool","scope":"global","member_ids":[%q],"admin_ids":[%q],"policy":{"distribution":"claim_only","mask_contacts":true}}`, repID, mgrID))
	l := s.CreateLead(`{"company":"Mask Trading","phone":"13800138000","email":"zhao@mask.example","country":"CN"}`)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/transfer", s.Admin, fmt.Sprintf(`{"pool_id":%q}`, poolID)), 200)
	s.Expect(s.Do("PATCH", "/api/v1/leads/"+l.ID, s.Admin, `{"phones":["13900139000"],"emails":["sales@mask.example"]}`), 200)

	read := func(token string) lead.Lead {
		var got lead.Lead
		s.Expect(s.Do("GET", "/api/v1/leads/"+l.ID, token, ""), 200).JSON(t, &got)
		return got
	}
	got := read(rep)
	if got.Phone != "138****8000" || got.Email != "zh***@mask.example" || !got.ContactsMasked ||
		len(got.Phones) != 1 || got.Phones[0] != "139****9000" || len(got.Emails) != 1 || got.Emails[0] != "sa***@mask.example" ||
		strings.Contains(got.PhoneE164, "0013") {
		t.Fatalf("a rep reads an unclaimed lead of a masking pool: %+v", got)
	}
	for _, token := range []string{mgr, s.Admin} {
		if got := read(token); got.Phone != "13800138000" || got.Email != "zhao@mask.example" || got.ContactsMasked {
			t.Fatalf("the pool's manager or an admin: %+v", got)
		}
	}
	var list struct {
		Items []lead.Lead `json:"items"`
	}
	s.Expect(s.Do("GET", "/api/v1/leads?pool_id="+poolID, rep, ""), 200).JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0].Phone != "138****8000" {
		t.Fatalf("the rep's list: %+v", list.Items)
	}
	var history struct {
		Items []lead.Event `json:"items"`
	}
	s.Expect(s.Do("GET", "/api/v1/leads/"+l.ID+"/history", rep, ""), 200).JSON(t, &history)
	edited := false
	for _, e := range history.Items {
		if e.Type == lead.EventEdited {
			edited = true
			if b := fmt.Sprint(e.Data); strings.Contains(b, "13900139000") || strings.Contains(b, "sales@") || !strings.Contains(b, "139****9000") {
				t.Fatalf("the edit in the rep's history: %s", b)
			}
		}
	}
	if !edited {
		t.Fatalf("no edit in the history: %+v", history.Items)
	}
	if consent := string(s.Expect(s.Do("GET", "/api/v1/leads/"+l.ID+"/consent", rep, ""), 200).Body); strings.Contains(consent, "13800138000") ||
		strings.Contains(consent, "zhao@") || !strings.Contains(consent, "+861******8000") {
		t.Fatalf("the rep's consent page of the lead: %s", consent)
	}
	x := s.RunExport(rep, fmt.Sprintf(`{"format":"csv","filters":{"pool_id":%q},"fields":["company","phone","email"]}`, poolID))
	if body := string(s.Expect(s.Do("GET", x.FileURL, rep, ""), 200).Body); !strings.Contains(body, "138****8000") || strings.Contains(body, "13800138000") {
		t.Fatalf("the rep's export: %s", body)
	}

	var claimed lead.Lead
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 200).JSON(t, &claimed)
	if claimed.Phone != "13800138000" || claimed.ContactsMasked {
		t.Fatalf("the claim's answer: %+v", claimed)
	}
	if got := read(rep); got.Phone != "13800138000" || got.Phones[0] != "13900139000" || got.ContactsMasked {
		t.Fatalf("the rep's own lead: %+v", got)
	}

	// Without the setting nothing is masked.
	s.Expect(s.Do("PATCH", "/api/v1/pools/"+poolID, s.Admin, `{"policy":{"mask_contacts":false}}`), 200)
	other := s.CreateLead(`{"company":"Open Trading","phone":"13700137000","country":"CN"}`)
	s.Expect(s.Do("POST", "/api/v1/leads/"+other.ID+"/transfer", s.Admin, fmt.Sprintf(`{"pool_id":%q}`, poolID)), 200)
	var open lead.Lead
	s.Expect(s.Do("GET", "/api/v1/leads/"+other.ID, rep, ""), 200).JSON(t, &open)
	if open.Phone != "13700137000" || open.ContactsMasked {
		t.Fatalf("a pool that does not mask: %+v", open)
	}
	s.Expect(s.Do("PATCH", "/api/v1/pools/"+poolID, s.Admin, `{"policy":{"mask_contacts":"yes"}}`), 422)
}
