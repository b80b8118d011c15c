package console_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestConsoleReopenAndReadmit: the lead page offers reopen on a closed
// lead to the pool's manager and re-admit on a rejected lead to an admin
// only; each form calls the same service as the REST action, asks for a
// reason, and the lead's page says what happened.
func TestConsoleReopenAndReadmit(t *testing.T) {
	s := apptest.NewStack(t)
	repID, rep := s.CreateRep("Remy", 5)
	mgrID, mgr := s.PoolStaff("Mona", lead.RoleManager)
	poolID := s.CreatePool(fmt.Sprintf(`{"name":"Reopen pool","scope":"global","member_ids":[%q],"admin_ids":[%q],"policy":{"distribution":"claim_only"}}`, repID, mgrID))
	l := s.CreateLead(`{"company":"Reopened Console Trading","phone":"13800138777","country":"CN"}`)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/transfer", s.Admin, fmt.Sprintf(`{"pool_id":%q}`, poolID)), 200)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 200)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/close", mgr, `{"reason":"no budget"}`), 200)

	rb := s.Browser()
	rb.SignIn(rep, "/leads")
	if strings.Contains(string(s.Expect(rb.Get("/leads/"+l.ID), 200).Body), `id="reopen-form"`) {
		t.Errorf("the rep is offered reopen")
	}
	mb := s.Browser()
	mb.SignIn(mgr, "/leads")
	page := s.Expect(mb.Get("/leads/"+l.ID), 200)
	apptest.WantText(t, page, `id="reopen-form"`)
	if strings.Contains(string(page.Body), `id="readmit-form"`) {
		t.Errorf("a closed lead offers re-admit")
	}
	noReason := mb.Post(page, "/leads/"+l.ID+"/reopen", url.Values{"request_id": {"r1"}})
	if noReason.Status != 422 {
		t.Fatalf("reopen without a reason: %d", noReason.Status)
	}
	apptest.WantRedirect(t, mb.Post(page, "/leads/"+l.ID+"/reopen", url.Values{"request_id": {"r2"}, "reason": {"budget approved"}}),
		"/leads/"+l.ID+"?done=reopen")
	if got := s.GetLead(l.ID); got.Status != lead.StatusPooled || got.PoolID != poolID {
		t.Fatalf("reopened: %+v", got)
	}
	apptest.WantText(t, s.Expect(mb.Get("/leads/"+l.ID+"?done=reopen"), 200), "The lead is back in a pool.")

	// A rejected lead: an admin re-admits it; a manager is not offered it.
	r := s.CreateLead(`{"company":"Rejected Console Trading","phone":"123","country":"CN"}`)
	if r.Status != lead.StatusRejected {
		t.Fatalf("not rejected: %+v", r)
	}
	if got := mb.Get("/leads/" + r.ID); got.Status == 200 && strings.Contains(string(got.Body), `id="readmit-form"`) {
		t.Errorf("the manager is offered re-admit")
	}
	ab := s.Browser()
	ab.SignIn(s.Admin, "/leads")
	rp := s.Expect(ab.Get("/leads/"+r.ID), 200)
	apptest.WantText(t, rp, `id="readmit-form"`)
	apptest.WantRedirect(t, ab.Post(rp, "/leads/"+r.ID+"/readmit", url.Values{"request_id": {"a1"}, "reason": {"the number is right"}}),
		"/leads/"+r.ID+"?done=readmit")
	if got := s.GetLead(r.ID); got.Status == lead.StatusRejected {
		t.Fatalf("still rejected: %+v", got)
	}
}

// TestConsoleReviewOfAnIPBurst: a lead an IP burst put under review shows
// its reasons and the keep and reject buttons to admins only; keep takes
// it out of review, in both languages.
func TestConsoleReviewOfAnIPBurst(t *testing.T) {
	w := apptest.NewWorld(t)
	l := w.Flagged()
	mb := w.Browser()
	mb.SignIn(w.Tokens[apptest.SubMgr], "/leads")
	if page := w.Expect(mb.Get("/leads/"+l.ID), 200); strings.Contains(string(page.Body), `id="review-form"`) {
		t.Errorf("the pool's manager is offered the review")
	}
	ab := w.Browser()
	ab.SignIn(w.Admin, "/leads")
	page := w.Expect(ab.Get("/leads/"+l.ID), 200)
	apptest.WantText(t, page, `id="review-form"`, "3 or more registrations from one IP", "Keep the lead", "Reject the lead")
	apptest.WantText(t, w.Expect(ab.Get("/leads?tab=review"), 200), "Burst")
	apptest.WantRedirect(t, ab.Post(page, "/leads/"+l.ID+"/review/keep", url.Values{"request_id": {"k1"}, "reason": {"called them"}}),
		"/leads/"+l.ID+"?done=review%2Fkeep")
	if got := w.GetLead(l.ID); len(got.ReviewReasons) != 0 || got.Status != lead.StatusPooled {
		t.Fatalf("kept: %+v", got)
	}
	after := w.Expect(ab.Get("/leads/"+l.ID+"?done=review%2Fkeep"), 200)
	apptest.WantText(t, after, "The lead is kept: it is no longer under review.")
	if strings.Contains(string(after.Body), `id="review-form"`) {
		t.Errorf("a kept lead still offers the review")
	}
	w.Expect(w.Do("PATCH", "/api/v1/me", w.Admin, `{"language":"zh-CN"}`), 200)
	apptest.WantText(t, w.Expect(ab.Get("/leads/"+w.Flagged().ID), 200), "复核", "保留线索", "拒绝线索")
}
