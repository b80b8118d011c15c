package api_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/server"
	"github.com/leadflow/leadflow/workflows"
)

// publicStack is a stack whose app believes X-Forwarded-For, so each test
// registration can come from its own client IP.
func publicStack(t *testing.T, rateLimit int) *apptest.Stack {
	s := apptest.NewStack(t)
	s.App = server.New(server.Config{Store: s.DB, Temporal: s.TC, UpdateTimeout: 20 * time.Second, MinPolicyDuration: time.Second,
		TrustedProxies: []string{"0.0.0.0/0", "::/0"}, RegisterRateLimit: rateLimit, PublicURL: "https://leads.example.com"})
	return s
}

func TestInviteLinkRegistration(t *testing.T) {
	s := publicStack(t, 100)
	repID, rep := s.CreateRep("Ivy", 1)
	tok := s.InviteToken(rep)
	if again := s.InviteToken(rep); again != tok {
		t.Fatalf("the invite token changed between reads: %s, %s", tok, again)
	}
	page := s.Expect(s.Do("GET", "/r/"+tok, "", ""), 200)
	if !strings.Contains(string(page.Body), "<form") || !strings.Contains(string(page.Body), "/api/v1/register/"+tok) {
		t.Fatalf("registration page: %s", page.Body)
	}
	s.Expect(s.Do("GET", "/r/nope", "", ""), 404)

	// A registration through the link goes straight to the rep.
	r := s.Expect(s.Register("/api/v1/register/"+tok, "198.51.100.1", `{"company":"Invited Widgets Ltd","name":"Wu","phone":"13800138020","country":"CN"}`), 202)
	if strings.Contains(string(r.Body), repID) || strings.Contains(string(r.Body), "pool") {
		t.Fatalf("the public answer reveals the pipeline: %s", r.Body)
	}
	mine := s.LeadsOf("owner_id=" + repID)
	if len(mine) != 1 || mine[0].Status != lead.StatusAssigned || mine[0].Source != lead.SourceInvite || mine[0].IP != "198.51.100.1" {
		t.Fatalf("the invited lead: %+v", mine)
	}
	// The rep is full (capacity 1): the next one is routed to the default pool.
	s.Expect(s.Register("/api/v1/register/"+tok, "198.51.100.2", `{"company":"Second Widgets Ltd","phone":"13800138021","country":"CN"}`), 202)
	if got := s.LeadsOf("company=Second+Widgets"); len(got) != 1 || got[0].Status != lead.StatusPooled || got[0].OwnerID != "" {
		t.Fatalf("the overflow lead: %+v", got)
	}

	// Field errors are named so the customer can correct them.
	p := s.Expect(s.Register("/api/v1/register/"+tok, "198.51.100.3", `{"company":"Bad Phone Trading","phone":"123","country":"CN"}`), 422).Problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "phone" {
		t.Fatalf("phone problem: %+v", p)
	}
	p = s.Expect(s.Register("/api/v1/register", "198.51.100.4", `{"company":"Abc","phone":"13800138022","country":"CN"}`), 422).Problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "company" {
		t.Fatalf("company problem: %+v", p)
	}
	// The public form cannot steer the lead.
	p = s.Expect(s.Register("/api/v1/register", "198.51.100.4", `{"company":"Xyzzy Corp","phone":"13800138023","country":"CN","owner_id":"x"}`), 422).Problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "owner_id" {
		t.Fatalf("unknown field problem: %+v", p)
	}

	// The fraud rule (3 companies from one IP in 10 minutes) answers generically.
	ip := "203.0.113.9"
	for i, c := range []string{"Fraud One Trading", "Fraud Two Trading"} {
		s.Expect(s.Register("/api/v1/register", ip, fmt.Sprintf(`{"company":%q,"phone":"1380013803%d","country":"CN"}`, c, i)), 202)
	}
	r = s.Expect(s.Register("/api/v1/register", ip, `{"company":"Fraud Three Trading","phone":"13800138039","country":"CN"}`), 422)
	p = r.Problem(t)
	if len(p.Errors) != 0 || len(p.Reasons) != 0 || strings.Contains(strings.ToLower(string(r.Body)), "ip") {
		t.Fatalf("the fraud refusal says too much: %s", r.Body)
	}

	// Rotating the link retires the old one.
	var rotated struct{ Token string }
	s.Expect(s.Do("POST", "/api/v1/me/invite/rotate", rep, ""), 200).JSON(t, &rotated)
	if rotated.Token == "" || rotated.Token == tok {
		t.Fatalf("rotate: %+v", rotated)
	}
	s.Expect(s.Register("/api/v1/register/"+tok, "198.51.100.5", `{"company":"Late Widgets Ltd","phone":"13800138024","country":"CN"}`), 404)
	s.Expect(s.Do("GET", "/r/"+rotated.Token, "", ""), 200)
}

func TestRegistrationRateLimit(t *testing.T) {
	s := publicStack(t, 2)
	// The limit counts in fixed one-minute windows (store.Hit): the test's
	// requests must not straddle a minute's end, or the third counts afresh.
	if now := time.Now(); now.Second() >= 45 {
		time.Sleep(now.Truncate(time.Minute).Add(time.Minute + 100*time.Millisecond).Sub(now))
	}
	body := `{"company":"Abc","phone":"123","country":"CN"}` // refused by validation: no lead work needed
	s.Expect(s.Register("/api/v1/register", "192.0.2.7", body), 422)
	s.Expect(s.Register("/api/v1/register", "192.0.2.7", body), 422)
	if p := s.Expect(s.Register("/api/v1/register", "192.0.2.7", body), 429).Problem(t); p.Code != "rate_limited" {
		t.Fatalf("rate limit problem: %+v", p)
	}
	s.Expect(s.Register("/api/v1/register", "192.0.2.8", body), 422) // another client is not limited

	// Behind one trusted proxy (the test's peer) that appends the client's
	// address, an address a client writes at the front changes nothing: the
	// limit holds, and the lead records the address the proxy saw.
	behind := apptest.NewStack(t)
	behind.App = server.New(server.Config{Store: behind.DB, Temporal: behind.TC, UpdateTimeout: 20 * time.Second,
		TrustedProxies: []string{"0.0.0.0/32"}, RegisterRateLimit: 2})
	for i, want := range []int{422, 422, 429} {
		behind.Expect(behind.Register("/api/v1/register", fmt.Sprintf("203.0.113.%d, 198.51.100.77", i), body), want)
	}
	behind.Expect(behind.Register("/api/v1/register", "203.0.113.9, 198.51.100.78",
		`{"company":"Proxied Pumps Trading","phone":"13800138090","country":"CN"}`), 202)
	if got := behind.LeadsOf("company=Proxied"); len(got) != 1 || got[0].IP != "198.51.100.78" {
		t.Fatalf("the lead's IP: %+v", got)
	}
}

// Seed 000: a duplicate owned by another rep, or in another team's pool, is
// merged there and the inviter does not get it; the owner's history shows
// the re-registration.
func TestDuplicateOfAnotherRepsLeadIsMergedThere(t *testing.T) {
	s := publicStack(t, 100)
	ownerID, _ := s.CreateRep("Olive", 5)
	inviterID, inviter := s.CreateRep("Ian", 5)
	x := s.CreateLead(`{"company":"Shenzhen Duplicate Electronics Co., Ltd.","phone":"+86 138 0013 8050","country":"CN"}`)
	s.Expect(s.Do("POST", "/api/v1/leads/"+x.ID+"/assign", s.Admin, fmt.Sprintf(`{"rep_id":%q}`, ownerID)), 200)

	// The same company, written differently, with the same phone and country.
	tok := s.InviteToken(inviter)
	s.Expect(s.Register("/api/v1/register/"+tok, "198.51.100.20", `{"company":"shenzhen duplicate electronics","name":"Mei","phone":"13800138050","country":"CN","email":"mei@example.cn"}`), 202)

	if got := s.LeadsOf("owner_id=" + inviterID); len(got) != 0 {
		t.Fatalf("the inviter got the duplicate: %+v", got)
	}
	merged := s.LeadsOf("status=merged")
	if len(merged) != 1 || merged[0].MergedInto != x.ID || merged[0].Source != lead.SourceInvite {
		t.Fatalf("merged leads: %+v", merged)
	}
	after := s.GetLead(x.ID)
	if after.OwnerID != ownerID || after.Status != lead.StatusAssigned || after.Email != "" || after.Name != "" {
		t.Fatalf("the owner's lead changed hands or was written over by a public form: %+v", after)
	}
	var suggested map[string]any
	for _, e := range s.History(x.ID) {
		if e.Type == lead.EventRegistered {
			suggested, _ = e.Data["suggested"].(map[string]any)
		}
	}
	if suggested["email"] != "mei@example.cn" || suggested["name"] != "Mei" {
		t.Fatalf("the re-registration does not suggest the new details: %+v", s.History(x.ID))
	}

	// In another team's public pool: merged there, it stays in that pool.
	var north, south struct{ ID string }
	s.Expect(s.Do("POST", "/api/v1/teams", s.Admin, `{"name":"North"}`), 201).JSON(t, &north)
	s.Expect(s.Do("POST", "/api/v1/teams", s.Admin, `{"name":"South"}`), 201).JSON(t, &south)
	s.Expect(s.Do("PATCH", "/api/v1/users/"+inviterID, s.Admin, fmt.Sprintf(`{"team_id":%q}`, south.ID)), 200)
	northPool := s.CreatePool(fmt.Sprintf(`{"name":"North pool","scope":"team","team_id":%q,"policy":{"distribution":"claim_only"}}`, north.ID))
	y := s.CreateLead(`{"company":"Northern Lights Trading","phone":"13800138051","country":"CN"}`)
	s.Expect(s.Do("POST", "/api/v1/leads/"+y.ID+"/transfer", s.Admin, fmt.Sprintf(`{"pool_id":%q}`, northPool)), 200)
	s.Expect(s.Register("/api/v1/register/"+tok, "198.51.100.21", `{"company":"Northern Lights Trading","phone":"13800138051","country":"CN"}`), 202)
	// Wait until the merged duplicate's workflow has finished (its signal to
	// the lead is delivered), then ask the lead's workflow, whose query
	// answers after it has handled that signal.
	var dup lead.Lead
	for _, m := range s.LeadsOf("status=merged") {
		if m.MergedInto == y.ID {
			dup = m
		}
	}
	if dup.ID == "" {
		t.Fatalf("no lead merged into %s", y.ID)
	}
	ctx := context.Background()
	if err := s.TC.GetWorkflow(ctx, workflows.WorkflowID(dup.ID), "").Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	v, err := s.TC.QueryWorkflow(ctx, workflows.WorkflowID(y.ID), "", workflows.QueryLead)
	if err != nil {
		t.Fatal(err)
	}
	var seen lead.Lead
	if err := v.Get(&seen); err != nil || seen.Status != lead.StatusPooled || seen.OwnerID != "" {
		t.Fatalf("the workflow of the lead in another team's pool: %+v %v", seen, err)
	}
	if got := s.GetLead(y.ID); got.Status != lead.StatusPooled || got.PoolID != northPool || got.OwnerID != "" {
		t.Fatalf("the lead in another team's pool moved: %+v", got)
	}
	if !hasEvent(s.History(y.ID), lead.EventRegistered) {
		t.Fatalf("no re-registration in the team pool lead's history")
	}
}

// Seed 000: a duplicate in a country or global public pool is merged and
// assigned to the inviter.
func TestDuplicateInPublicPoolGoesToInviter(t *testing.T) {
	s := publicStack(t, 100)
	inviterID, inviter := s.CreateRep("Ines", 5)
	x := s.CreateLead(`{"company":"Global Pool Pumps","phone":"13800138060","country":"CN"}`)
	if x.Status != lead.StatusPooled {
		t.Fatalf("lead: %+v", x)
	}
	s.Expect(s.Register("/api/v1/register/"+s.InviteToken(inviter), "198.51.100.30",
		`{"company":"Global Pool Pumps Co., Ltd.","phone":"13800138060","country":"CN"}`), 202)
	s.WaitFor(10*time.Second, "the merged lead to reach the inviter", func() bool {
		l := s.GetLead(x.ID)
		return l.Status == lead.StatusAssigned && l.OwnerID == inviterID
	})
	if n := len(s.LeadsOf("company=Global+Pool+Pumps")); n != 2 {
		t.Fatalf("%d rows for the company, want the lead and its merged duplicate", n)
	}
}

// Seed 000: two registrations of the same company at the same moment give
// one lead, never two (the dedup key is unique among live leads in PostgreSQL).
func TestSimultaneousRegistrationsGiveOneLead(t *testing.T) {
	s := publicStack(t, 100)
	var wg sync.WaitGroup
	codes := make([]int, 6)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = s.Register("/api/v1/register", fmt.Sprintf("198.51.100.%d", 40+i),
				`{"company":"Simultaneous Cables Inc","phone":"13800138070","country":"CN"}`).Status
		}()
	}
	wg.Wait()
	for _, c := range codes {
		if c != 202 {
			t.Fatalf("answers %v, want all 202", codes)
		}
	}
	rows := s.LeadsOf("company=Simultaneous")
	live, merged := 0, 0
	for _, l := range rows {
		switch l.Status {
		case lead.StatusPooled:
			live++
		case lead.StatusMerged:
			merged++
		}
	}
	if live != 1 || merged != len(codes)-1 {
		t.Fatalf("%d live and %d merged leads, want 1 and %d: %+v", live, merged, len(codes)-1, rows)
	}
}

// Seed 004: the duplicate policy of a source decides: warn (201, a second
// row, a warning), reject (409), merge (200, merged).
func TestDuplicatePolicies(t *testing.T) {
	s := apptest.NewStack(t)
	x := s.CreateLead(`{"company":"Policy Paper Mills","phone":"13800138080","country":"CN"}`)
	var warned struct {
		lead.Lead
		Warnings []string
	}
	s.Expect(s.Do("POST", "/api/v1/leads", s.Admin, `{"company":"Policy Paper Mills","phone":"13800138080","country":"CN"}`), 201).JSON(t, &warned)
	if warned.ID == x.ID || warned.DuplicateOf != x.ID || len(warned.Warnings) != 1 || !strings.Contains(warned.Warnings[0], x.ID) {
		t.Fatalf("warn: %+v", warned)
	}
	var policies map[string]string
	s.Expect(s.Do("GET", "/api/v1/settings/duplicates", s.Admin, ""), 200).JSON(t, &policies)
	if policies["api"] != "warn" || policies["invite"] != "merge" {
		t.Fatalf("policies: %v", policies)
	}
	s.Expect(s.Do("PUT", "/api/v1/settings/duplicates", s.Admin, `{"api":"sometimes"}`), 422)
	s.Expect(s.Do("PUT", "/api/v1/settings/duplicates", s.Admin, `{"web":"warn"}`), 422)
	s.Expect(s.Do("PUT", "/api/v1/settings/duplicates", s.Admin, `{"api":"reject"}`), 200)
	p := s.Expect(s.Do("POST", "/api/v1/leads", s.Admin, `{"company":"Policy Paper Mills","phone":"13800138080","country":"CN"}`), 409).Problem(t)
	if !strings.Contains(strings.Join(p.Reasons, ";"), x.ID) {
		t.Fatalf("reject: %+v", p)
	}
	// A request may choose its policy.
	var merged lead.Lead
	r := s.Expect(s.Do("POST", "/api/v1/leads", s.Admin, `{"company":"Policy Paper Mills","phone":"13800138080","country":"CN","duplicate_policy":"merge"}`), 200)
	r.JSON(t, &merged)
	if merged.Status != lead.StatusMerged || merged.MergedInto != x.ID || r.Header.Get("Location") != "/api/v1/leads/"+x.ID {
		t.Fatalf("merge: %+v", merged)
	}
	s.Expect(s.Do("POST", "/api/v1/leads", s.Admin, `{"company":"Policy Paper Mills","phone":"13800138080","country":"CN","duplicate_policy":"maybe"}`), 422)
}
