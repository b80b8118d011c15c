package console_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestConsoleReturnToAnotherPool: an admin names on the policy form the
// pools a pool's leads may go back to and where the timers reclaim them;
// the rep's return form then offers those pools, and returning into one
// moves the lead there.
func TestConsoleReturnToAnotherPool(t *testing.T) {
	s := apptest.NewStack(t)
	repID, rep := s.CreateRep("Rui", 10)
	recycle := s.CreatePool(`{"name":"Recycle pool","scope":"global"}`)
	src := s.CreatePool(fmt.Sprintf(`{"name":"Source pool","scope":"global","member_ids":[%q],"policy":{"distribution":"claim_only"}}`, repID))

	admin := s.Browser()
	admin.SignIn(s.Admin, "/pools")
	page := s.Expect(admin.Get("/pools/"+src), 200)
	form := policyForm(s.Pool(src).Policy, map[string]string{"reclaim_to": recycle})
	s.Expect(admin.Post(page, "/pools/"+src+"/policy", form), 422) // reclaim_to must be one of return_to
	form["return_to"] = []string{recycle}
	apptest.WantRedirect(t, admin.Post(page, "/pools/"+src+"/policy", form), "/pools/"+src+"?done=policy")
	if pol := s.Pool(src).Policy; len(pol.ReturnTo) != 1 || pol.ReturnTo[0] != recycle || pol.ReclaimTo != recycle {
		t.Fatalf("the policy form saved %+v", pol)
	}
	if got := string(admin.Get("/pools/" + src).Body); !strings.Contains(got, `value="`+recycle+`" checked`) || !strings.Contains(got, `value="`+recycle+`" selected`) {
		t.Fatalf("the policy form does not show return_to and reclaim_to: %s", got)
	}

	l := s.CreateLead(`{"company":"Back Elsewhere","phone":"13800138001","country":"CN"}`)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/transfer", s.Admin, fmt.Sprintf(`{"pool_id":%q}`, src)), 200)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 200)
	b := s.Browser()
	b.SignIn(rep, "/leads")
	leadPage := s.Expect(b.Get("/leads/"+l.ID, "Accept-Language", "zh-CN"), 200)
	if got := string(leadPage.Body); !strings.Contains(got, `id="return-pool"`) || !strings.Contains(got, "Recycle pool") || !strings.Contains(got, "原线索池") {
		t.Fatalf("the return form offers no pool: %s", got)
	}
	b.Post(leadPage, "/leads/"+l.ID+"/return", url.Values{"reason": {"unreachable"}, "pool_id": {recycle}, "request_id": {"r1"}})
	if got := s.GetLead(l.ID); got.PoolID != recycle || got.Status != lead.StatusPooled {
		t.Fatalf("the console's return: %+v", got)
	}
}
