package console_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// newLeadForm is a new-lead form with the given fields over a good lead's.
func newLeadForm(page apptest.Response, b *apptest.Browser, kv ...string) url.Values {
	f := url.Values{"request_id": {requestID(page)}, "company": {"Form Fabrics Ltd"}, "phone": {"13800138901"}, "country": {"CN"},
		"name": {"Wang Fang"}, "email": {"wang@fabrics.example"}, "phones": {"+1 650 555 0101", ""}, "emails": {"buyer@fabrics.example"},
		"tags": {"expo, VIP"}, "channel": {"Trade Fair"}, "profession": {"buyer"}, "address": {"1 Silk Road"}, "district": {"Yuexiu"},
		"division": {"Guangdong"}, "notes": {"called about curtains"}, "custom.budget": {"1200"}, "custom.size": {"M"}}
	for i := 0; i+1 < len(kv); i += 2 {
		f[kv[i]] = []string{kv[i+1]}
	}
	return f
}

// requestID is the request id a console form carries.
func requestID(page apptest.Response) string {
	body := string(page.Body)
	i := strings.Index(body, `name="request_id" value="`)
	if i < 0 {
		return ""
	}
	rest := body[i+len(`name="request_id" value="`):]
	return rest[:strings.Index(rest, `"`)]
}

// TestConsoleCreateLead: the new-lead form of a rep, a manager and an
// admin: its fields (custom ones typed and enforced), the pool choice,
// idempotency, the duplicate hint naming only what the user may see, and
// each duplicate policy's outcome.
func TestConsoleCreateLead(t *testing.T) {
	w := apptest.NewWorld(t)
	w.Expect(w.Do("PUT", "/api/v1/options/sources", w.Admin, `{"items":["Website","Trade Fair"]}`), 200)
	w.Expect(w.Do("POST", "/api/v1/fields", w.Admin, `{"entity":"lead","name":"budget","label":"Budget","type":"number","required":true}`), 201)
	w.Expect(w.Do("POST", "/api/v1/fields", w.Admin, `{"entity":"lead","name":"size","label":"Size","type":"select","options":["S","M","L"]}`), 201)

	rep := w.SignedIn(apptest.SubMember)
	page := w.Expect(rep.Get("/leads/new"), 200)
	apptest.WantText(t, page, `name="company"`, `name="phones"`, `name="emails"`, `name="custom.budget"`, `type="number"`,
		`>Trade Fair</option>`, `>M</option>`, `id="own-lead"`, `action="/leads/new"`)
	if strings.Contains(string(page.Body), `name="pool_id"`) {
		t.Errorf("a rep is offered a pool")
	}
	apptest.WantText(t, w.Expect(rep.Get("/leads"), 200), `href="/leads/new"`, `href="/customers"`)

	// A required custom field left empty: refused next to it, what was typed kept.
	refused := w.Expect(rep.Post(page, "/leads/new", newLeadForm(page, rep, "custom.budget", "")), 422)
	apptest.WantText(t, refused, `id="err-custom-budget"`, "is required", `value="Form Fabrics Ltd"`, `650 555 0101"`)

	// Saved: one of the rep's own leads, every field as the API names it.
	form := newLeadForm(page, rep)
	done := w.Expect(rep.Post(page, "/leads/new", form), 200)
	apptest.WantText(t, done, `data-kind="created"`, `id="outcome-lead"`)
	again := w.Expect(rep.Post(page, "/leads/new", form), 200) // the same request id: the same lead
	apptest.WantText(t, again, `data-kind="created"`)
	leads := w.LeadsOf("company=Form+Fabrics")
	if len(leads) != 1 {
		t.Fatalf("%d leads after a double submit", len(leads))
	}
	l := w.GetLead(leads[0].ID)
	if l.Status != lead.StatusAssigned || l.OwnerID != w.IDs[apptest.SubMember] || l.Source != lead.SourceManual ||
		strings.Join(l.Phones, ",") != "+1 650 555 0101" || strings.Join(l.Emails, ",") != "buyer@fabrics.example" ||
		strings.Join(l.Tags, ",") != "expo,VIP" || l.Channel != "Trade Fair" || l.District != "Yuexiu" || l.Custom["size"] != "M" {
		t.Fatalf("the created lead: %+v", l)
	}

	// The hint while typing: the rep sees their lead named; a rep of
	// another team learns only that one exists. With the policy of the
	// manual source, merge, saving would merge the rep's and refuse the
	// other's (they may not edit that lead).
	policy := func(p string) {
		w.Expect(w.Do("PUT", "/api/v1/settings/duplicates", w.Admin, `{"manual":"`+p+`"}`), 200)
	}
	policy("merge")
	hint := w.Expect(rep.Get("/leads/new/check?company=FORM+FABRICS&phone=138+0013+8901&country=CN"), 200)
	apptest.WantText(t, hint, `id="dup-lead"`, l.ID, `data-policy="merge"`)
	outsider := w.SignedIn(apptest.SubOutsider)
	hint = w.Expect(outsider.Get("/leads/new/check?company=Form+Fabrics&phone=13800138901&country=CN"), 200)
	apptest.WantText(t, hint, `id="dup-unnamed"`, `data-policy="reject"`) // a merge into a lead they may not edit is refused
	if strings.Contains(string(hint.Body), l.ID) {
		t.Errorf("the hint names a lead the outsider may not see")
	}
	if got := string(w.Expect(rep.Get("/leads/new/check?company=Another+Co&phone=13800138999&country=CN"), 200).Body); strings.TrimSpace(got) != "" {
		t.Errorf("a hint without a duplicate: %q", got)
	}

	// The duplicate policies of the manual source, on save.
	page = w.Expect(rep.Get("/leads/new"), 200)
	merged := w.Expect(rep.Post(page, "/leads/new", newLeadForm(page, rep, "name", "Wang F.")), 200)
	apptest.WantText(t, merged, `data-kind="merged"`, `id="outcome-into"`, "/leads/"+l.ID)
	policy("reject")
	page = w.Expect(rep.Get("/leads/new"), 200)
	refusedDup := w.Expect(rep.Post(page, "/leads/new", newLeadForm(page, rep)), 409)
	apptest.WantText(t, refusedDup, `data-kind="refused"`, `id="outcome-duplicate"`, `value="Form Fabrics Ltd"`)
	policy("warn")
	page = w.Expect(outsider.Get("/leads/new"), 200)
	warned := w.Expect(outsider.Post(page, "/leads/new", newLeadForm(page, outsider)), 200)
	apptest.WantText(t, warned, `data-kind="warned"`, "a live lead you may not see", `id="outcome-lead"`)
	if strings.Contains(string(warned.Body), l.ID) {
		t.Errorf("the warning names a lead the outsider may not see")
	}
	if n := len(w.LeadsOf("company=Form+Fabrics&status=assigned")); n != 2 {
		t.Errorf("%d live leads after the warn policy, want 2", n)
	}

	// Rejected by the validation rules: the reasons, the form kept.
	page = w.Expect(rep.Get("/leads/new"), 200)
	rejected := w.Expect(rep.Post(page, "/leads/new", newLeadForm(page, rep, "company", "Bad Phone Co", "phone", "123")), 200)
	apptest.WantText(t, rejected, `data-kind="rejected"`, `id="outcome-reasons"`, `value="Bad Phone Co"`)

	// A manager chooses among the pools they administer; an admin among all.
	mgr := w.SignedIn(apptest.SubMgr)
	page = w.Expect(mgr.Get("/leads/new"), 200)
	apptest.WantText(t, page, `name="pool_id"`, `value="`+w.PoolA+`"`)
	if strings.Contains(string(page.Body), w.PoolB) {
		t.Errorf("a manager is offered a pool they do not administer")
	}
	bad := w.Expect(mgr.Post(page, "/leads/new", newLeadForm(page, mgr, "company", "Pool Choice Co", "phone", "13800138902", "pool_id", w.PoolB)), 422)
	apptest.WantText(t, bad, `id="err-pool_id"`, "not a pool you may put leads in")
	w.Expect(mgr.Post(page, "/leads/new", newLeadForm(page, mgr, "company", "Pool Choice Co", "phone", "13800138902", "pool_id", w.PoolA)), 200)
	if got := w.LeadsOf("company=Pool+Choice"); len(got) != 1 || got[0].PoolID != w.PoolA || got[0].Status != lead.StatusPooled {
		t.Fatalf("the manager's lead: %+v", got)
	}
	// Staff's leads are of the API source: its policy decides, naming the
	// duplicate to whoever may see it.
	poolLead := w.LeadsOf("company=Pool+Choice")[0]
	staffPolicy := func(p string) {
		w.Expect(w.Do("PUT", "/api/v1/settings/duplicates", w.Admin, `{"api":"`+p+`"}`), 200)
	}
	dupForm := func(page apptest.Response, b *apptest.Browser) url.Values {
		return newLeadForm(page, b, "company", "Pool Choice Co", "phone", "13800138902", "pool_id", w.PoolA)
	}
	staffPolicy("reject")
	page = w.Expect(mgr.Get("/leads/new"), 200)
	apptest.WantText(t, w.Expect(mgr.Post(page, "/leads/new", dupForm(page, mgr)), 409), `data-kind="refused"`, "/leads/"+poolLead.ID)
	admin := w.SignedIn(apptest.SubAdmin)
	staffPolicy("merge")
	page = w.Expect(admin.Get("/leads/new"), 200)
	apptest.WantText(t, w.Expect(admin.Post(page, "/leads/new", dupForm(page, admin)), 200), `data-kind="merged"`, "/leads/"+poolLead.ID)
	staffPolicy("warn")
	other := w.SignedIn(apptest.SubOtherMgr)
	page = w.Expect(other.Get("/leads/new"), 200)
	warnedMgr := w.Expect(other.Post(page, "/leads/new", newLeadForm(page, other, "company", "Pool Choice Co", "phone", "13800138902")), 200)
	apptest.WantText(t, warnedMgr, `data-kind="warned"`, "a live lead you may not see")
	if strings.Contains(string(warnedMgr.Body), poolLead.ID) {
		t.Errorf("the warning names a lead the other manager may not see")
	}

	page = w.Expect(admin.Get("/leads/new"), 200)
	apptest.WantText(t, page, `value="`+w.PoolB+`"`)
	w.Expect(admin.Post(page, "/leads/new", newLeadForm(page, admin, "company", "Admin Choice Co", "phone", "13800138903", "pool_id", w.PoolB)), 200)
	if got := w.LeadsOf("company=Admin+Choice"); len(got) != 1 || got[0].PoolID != w.PoolB {
		t.Fatalf("the admin's lead: %+v", got)
	}

	// The API takes the same fields: a rep may not choose a pool.
	apptest.FieldProblem(t, w.Do("POST", "/api/v1/leads", w.Tokens[apptest.SubMember],
		`{"company":"Api Pool Co","phone":"13800138904","country":"CN","custom":{"budget":1},"pool_id":"`+w.PoolA+`"}`), "pool_id")
}
