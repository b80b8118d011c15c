package api_test

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// checkRow compares a funnel row with the counts wanted, in the order
// registered, rejected, merged, pooled, assigned, followed up, converted,
// reclaimed, returned, and its median with median (NaN: none).
func checkRow(t *testing.T, who string, got store.FunnelRow, label string, median float64, counts ...int64) {
	t.Helper()
	have := []int64{got.Registered, got.Rejected, got.Merged, got.Pooled, got.Assigned, got.FollowedUp, got.Converted, got.Reclaimed, got.Returned}
	if !slices.Equal(have, counts) || got.Label != label {
		t.Errorf("%s: row %q (%s) counts %v, want %v (%s)", who, got.Key, got.Label, have, counts, label)
	}
	if rate := float64(counts[6]) / float64(counts[0]); math.Abs(got.ConversionRate-rate) > 1e-9 {
		t.Errorf("%s: row %q conversion rate %v, want %v", who, got.Key, got.ConversionRate, rate)
	}
	switch m := got.MedianFirstContactSeconds; {
	case math.IsNaN(median) && m != nil:
		t.Errorf("%s: row %q median first contact %v, want none", who, got.Key, *m)
	case !math.IsNaN(median) && (m == nil || math.Abs(*m-median) > 1e-3):
		t.Errorf("%s: row %q median first contact %v, want %v", who, got.Key, m, median)
	}
}

// TestFunnelAndRejectionReports creates leads through the API and walks
// them through claims, follow-ups, a conversion, a reclaim and a return,
// then checks every number of the reports as an admin, the managers of
// both pools and two reps: each sees only the leads they answer for.
func TestFunnelAndRejectionReports(t *testing.T) {
	w := apptest.NewWorld(t)
	admin, mgr, otherMgr := w.Tokens[apptest.SubAdmin], w.Tokens[apptest.SubMgr], w.Tokens[apptest.SubOtherMgr]
	owner, member := w.Tokens[apptest.SubOwner], w.Tokens[apptest.SubMember]
	post := func(token, path, body string, status int) {
		t.Helper()
		w.Expect(w.Do("POST", path, token, body), status)
	}
	claimed := func() lead.Lead { // in pool A, claimed by the owner rep
		l := w.Pooled()
		post(owner, "/api/v1/leads/"+l.ID+"/claim", "", 200)
		return l
	}
	followUp := `{"type":"call","content":"reached them"}`

	converted := claimed()
	post(owner, "/api/v1/leads/"+converted.ID+"/follow-ups", followUp, 201)
	post(owner, "/api/v1/leads/"+converted.ID+"/convert", "", 200)
	reclaimed := claimed()
	post(mgr, "/api/v1/leads/"+reclaimed.ID+"/reclaim", "", 200)
	returned := claimed()
	post(owner, "/api/v1/leads/"+returned.ID+"/return", `{"reason":"unreachable"}`, 200)
	// Pool B's lead, assigned by its manager and followed up by its rep.
	other := w.NewLead()
	post(admin, "/api/v1/leads/"+other.ID+"/transfer", fmt.Sprintf(`{"pool_id":%q}`, w.PoolB), 200)
	post(otherMgr, "/api/v1/leads/"+other.ID+"/assign", fmt.Sprintf(`{"rep_id":%q}`, w.IDs[apptest.SubOutsider]), 200)
	post(w.Tokens[apptest.SubOutsider], "/api/v1/leads/"+other.ID+"/follow-ups", followUp, 201)
	// Refused at intake: by two rules, by one, as a duplicate; and merged.
	for _, body := range []string{`{"company":"Abc","phone":"123","country":"CN"}`, `{"company":"Xyz","phone":"13800138000","country":"CN"}`} {
		if l := w.CreateLead(body); l.Status != lead.StatusRejected {
			t.Fatalf("%s was not rejected: %+v", body, l)
		}
	}
	dup := fmt.Sprintf(`{"company":%q,"phone":%q,"country":"CN","duplicate_policy":"%%s"}`, converted.Company, converted.Phone)
	post(admin, "/api/v1/leads", fmt.Sprintf(dup, "reject"), 409)
	post(admin, "/api/v1/leads", fmt.Sprintf(dup, "merge"), 200)
	// Registered through the owner rep's invite link: straight to them.
	var inv struct{ Token string }
	w.Expect(w.Do("GET", "/api/v1/me/invite", owner, ""), 200).JSON(t, &inv)
	w.Expect(w.Do("POST", "/api/v1/register/"+inv.Token, "", `{"company":"Invited Funnel Works","phone":"13900139111","country":"CN"}`), 202)
	var invited []lead.Lead
	w.WaitFor(10*time.Second, "the invited lead", func() bool {
		var page struct{ Items []lead.Lead }
		w.Expect(w.Do("GET", "/api/v1/leads?source=invite", admin, ""), 200).JSON(t, &page)
		invited = page.Items
		return len(invited) == 1 && invited[0].Status == lead.StatusAssigned
	})

	none := math.NaN()
	d1, d2 := w.FirstContact(converted.ID), w.FirstContact(other.ID)
	// The admin sees every lead: 8 through the API, 1 through the link.
	got := w.FunnelOf(admin, "")
	if len(got) != 2 {
		t.Fatalf("admin's funnel by source: %+v", got)
	}
	//                                                   reg rej mrg pool asg fu conv recl ret
	checkRow(t, "admin", got["api"], "api", (d1+d2)/2, 8, 3, 1, 4, 4, 2, 1, 1, 1)
	checkRow(t, "admin", got["invite"], "invite", none, 1, 0, 0, 0, 1, 0, 0, 0, 0)

	got = w.FunnelOf(admin, "group_by=pool&from="+url.QueryEscape(time.Now().Add(-time.Hour).Format(time.RFC3339)))
	checkRow(t, "admin by pool", got[w.PoolA], "Pool A", d1, 3, 0, 0, 3, 3, 1, 1, 1, 1)
	checkRow(t, "admin by pool", got[w.PoolB], "Pool B", d2, 1, 0, 0, 1, 1, 1, 0, 0, 0)
	checkRow(t, "admin by pool", got[lead.DefaultPoolID], "Global public pool", none, 1, 0, 0, 0, 1, 0, 0, 0, 0)
	checkRow(t, "admin by pool", got[""], "(none)", none, 4, 3, 1, 0, 0, 0, 0, 0, 0)

	got = w.FunnelOf(admin, "group_by=inviter")
	checkRow(t, "admin by inviter", got[w.IDs[apptest.SubOwner]], "Owen", none, 1, 0, 0, 0, 1, 0, 0, 0, 0)
	checkRow(t, "admin by inviter", got[""], "(none)", (d1+d2)/2, 8, 3, 1, 4, 4, 2, 1, 1, 1)

	got = w.FunnelOf(admin, "group_by=owner")
	checkRow(t, "admin by owner", got[w.IDs[apptest.SubOwner]], "Owen", d1, 2, 0, 0, 1, 2, 1, 1, 0, 0)
	checkRow(t, "admin by owner", got[w.IDs[apptest.SubOutsider]], "Oscar", d2, 1, 0, 0, 1, 1, 1, 0, 0, 0)
	checkRow(t, "admin by owner", got[""], "(none)", none, 6, 3, 1, 2, 2, 0, 0, 1, 1)

	// The manager of pool A: its three leads, not pool B's nor the refused ones.
	got = w.FunnelOf(mgr, "group_by=source")
	if len(got) != 1 {
		t.Fatalf("manager's funnel: %+v", got)
	}
	checkRow(t, "manager", got["api"], "api", d1, 3, 0, 0, 3, 3, 1, 1, 1, 1)
	got = w.FunnelOf(otherMgr, "group_by=country")
	if len(got) != 1 {
		t.Fatalf("other manager's funnel: %+v", got)
	}
	checkRow(t, "other manager", got["CN"], "CN", d2, 1, 0, 0, 1, 1, 1, 0, 0, 0)
	// The owner rep: their own leads (the converted one and the invited
	// one), not those reclaimed from or returned by them.
	got = w.FunnelOf(owner, "group_by=owner")
	if len(got) != 1 {
		t.Fatalf("owner rep's funnel: %+v", got)
	}
	checkRow(t, "owner rep", got[w.IDs[apptest.SubOwner]], "Owen", d1, 2, 0, 0, 1, 2, 1, 1, 0, 0)
	// A member of pool A sees its pooled leads in lists, but owns none.
	if got = w.FunnelOf(member, ""); len(got) != 0 {
		t.Fatalf("member rep's funnel: %+v", got)
	}
	// A period without leads.
	if got = w.FunnelOf(admin, "from=2020-01-01&to=2020-02-01"); len(got) != 0 {
		t.Fatalf("funnel of January 2020: %+v", got)
	}

	var rej struct{ Items []store.RejectionRow }
	w.Expect(w.Do("GET", "/api/v1/reports/rejections", admin, ""), 200).JSON(t, &rej)
	want := []store.RejectionRow{
		{RuleKind: "validation", Rule: "company_too_short", Reason: "company name must be longer than 4 characters", Count: 2},
		{RuleKind: "duplicate", Rule: "reject", Reason: "duplicate of a live lead", Count: 1},
		{RuleKind: "validation", Rule: "phone_invalid", Reason: "phone number is not valid for its country", Count: 1},
	}
	if !slices.Equal(rej.Items, want) {
		t.Errorf("rejections: %+v, want %+v", rej.Items, want)
	}
	// Refused leads are in no pool: only admins count them.
	w.Expect(w.Do("GET", "/api/v1/reports/rejections?from=2020-01-01", mgr, ""), 200).JSON(t, &rej)
	if len(rej.Items) != 0 {
		t.Errorf("manager's rejections: %+v", rej.Items)
	}

	// Bad periods and groupings.
	for q, field := range map[string]string{"group_by=team": "group_by", "from=yesterday": "from",
		"from=2026-02-01&to=2026-01-01": "to", "to=2026-13-01": "to"} {
		apptest.FieldProblem(t, w.Do("GET", "/api/v1/reports/funnel?"+q, admin, ""), field)
	}
	apptest.FieldProblem(t, w.Do("GET", "/api/v1/reports/rejections?from=2026-01-01&to=2026-01-01", admin, ""), "to")
}
