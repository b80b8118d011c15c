package api_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/server"
)

// TestIPBurstPutsEarlierRegistrationsUnderReview: seed 000's "≥3 accounts
// by same IP with different company info at the same time … will be
// failed". The third registration from one IP in 10 minutes is refused;
// the two before it, already accepted (one in a rep's hands), go under
// review with the rule's reason, an event each, their owner told by
// e-mail. Only an admin keeps or rejects them.
func TestIPBurstPutsEarlierRegistrationsUnderReview(t *testing.T) {
	s, sg := apptest.NewMailStack(t)
	s.App = server.New(server.Config{Store: s.DB, Temporal: s.TC, UpdateTimeout: 20 * time.Second, MinPolicyDuration: time.Second,
		TrustedProxies: []string{"0.0.0.0/0", "::/0"}, RegisterRateLimit: 100, PublicURL: "https://leads.example.com"})
	repID, rep := s.CreateRep("Rita", 10)
	_, mgr := s.PoolStaff("Manon", lead.RoleManager)
	ip, other := "203.0.113.77", "203.0.113.78"

	s.Expect(s.Register("/api/v1/register/"+s.InviteToken(rep), ip, `{"company":"Burst One Trading","phone":"13800138101","country":"CN"}`), 202)
	s.Expect(s.Register("/api/v1/register", ip, `{"company":"Burst Two Trading","phone":"13800138102","country":"CN"}`), 202)
	s.Expect(s.Register("/api/v1/register", other, `{"company":"Bystander Trading","phone":"13800138103","country":"CN"}`), 202)
	first, second, bystander := s.LeadsOf("company=Burst+One")[0], s.LeadsOf("company=Burst+Two")[0], s.LeadsOf("company=Bystander")[0]
	if first.OwnerID != repID || len(first.ReviewReasons) != 0 || second.Status != lead.StatusPooled {
		t.Fatalf("before the burst: %+v / %+v", first, second)
	}
	s.Expect(s.Register("/api/v1/register", ip, `{"company":"Burst Three Trading","phone":"13800138104","country":"CN"}`), 422)

	const reason = "3 or more registrations from one IP with different company info within 10 minutes"
	third := s.LeadsOf("company=Burst+Three&status=rejected")
	if len(third) != 1 {
		t.Fatalf("the third registration: %+v", third)
	}
	for _, l := range []lead.Lead{first, second} {
		got := s.GetLead(l.ID)
		if !slices.Equal(got.ReviewReasons, []string{reason}) || got.Status != l.Status || got.OwnerID != l.OwnerID {
			t.Fatalf("%s after the burst: review %q, status %s (was %s), owner %q", l.Company, got.ReviewReasons, got.Status, l.Status, got.OwnerID)
		}
		var flagged []lead.Event
		for _, e := range s.History(l.ID) {
			if e.Type == lead.EventFlagged {
				flagged = append(flagged, e)
			}
		}
		if len(flagged) != 1 || flagged[0].Reason != reason || flagged[0].Data["refused_lead_id"] != third[0].ID {
			t.Fatalf("%s: flagged events %+v", l.Company, flagged)
		}
	}
	if got := s.GetLead(bystander.ID); len(got.ReviewReasons) != 0 {
		t.Fatalf("a registration from another IP went under review: %+v", got)
	}
	review := s.LeadsOf("review=true")
	if len(review) != 2 {
		t.Fatalf("the review list: %d leads, want the 2 of the burst", len(review))
	}
	// The owner hears of it, once; the pooled lead has nobody to tell.
	s.WaitFor(20*time.Second, "the owner's e-mail", func() bool { return len(sg.DeliveredTo("rita@example.com")) > 0 })
	var told []string
	for _, m := range sg.DeliveredTo("rita@example.com") {
		if subj := m.Subject + m.Personalizations[0].Subject; strings.Contains(subj, "under review") {
			told = append(told, subj)
		}
	}
	if len(told) != 1 || !strings.Contains(told[0], "Burst One Trading") {
		t.Fatalf("the owner's review e-mails: %q", told)
	}

	// Only admins decide: the owner and a manager may not.
	s.Expect(s.Do("POST", "/api/v1/leads/"+first.ID+"/review/keep", rep, ""), 403)
	s.Expect(s.Do("POST", "/api/v1/leads/"+first.ID+"/review/keep", mgr, ""), 404)
	var kept lead.Lead
	s.Expect(s.Do("POST", "/api/v1/leads/"+first.ID+"/review/keep", s.Admin, `{"reason":"a real customer"}`, "Idempotency-Key", "keep-1"), 200).JSON(t, &kept)
	if len(kept.ReviewReasons) != 0 || kept.Status != lead.StatusAssigned || kept.OwnerID != repID {
		t.Fatalf("kept: %+v", kept)
	}
	s.Expect(s.Do("POST", "/api/v1/leads/"+first.ID+"/review/keep", s.Admin, `{"reason":"a real customer"}`, "Idempotency-Key", "keep-1"), 200)
	s.Expect(s.Do("POST", "/api/v1/leads/"+first.ID+"/review/keep", s.Admin, ""), 409)
	var rejected lead.Lead
	s.Expect(s.Do("POST", "/api/v1/leads/"+second.ID+"/review/reject", s.Admin, `{"reason":"the same fraud"}`), 200).JSON(t, &rejected)
	if rejected.Status != lead.StatusRejected || !slices.Equal(rejected.RejectReasons, []string{reason}) || rejected.PoolID != "" {
		t.Fatalf("rejected: %+v", rejected)
	}
	if n := len(s.LeadsOf("review=true")); n != 0 {
		t.Fatalf("%d leads still under review", n)
	}
	types := func(id string) (out []string) {
		for _, e := range s.History(id) {
			out = append(out, string(e.Type))
		}
		return out
	}
	if h := types(first.ID); !slices.Contains(h, string(lead.EventReviewKept)) {
		t.Fatalf("the kept lead's history: %v", h)
	}
	if h := types(second.ID); h[len(h)-1] != string(lead.EventRejected) {
		t.Fatalf("the rejected lead's history: %v", h)
	}
	// Rejected after review, it may be readmitted like any rejected lead.
	s.Expect(s.Do("POST", "/api/v1/leads/"+second.ID+"/readmit", s.Admin, fmt.Sprintf(`{"reason":%q}`, "checked by phone")), 200)
}
