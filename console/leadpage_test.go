package console_test

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// assignOptions are the rep ids of the "Assign to" list of a lead page.
func assignOptions(t *testing.T, page apptest.Response) []string {
	t.Helper()
	sel := regexp.MustCompile(`(?s)<select id="assign-rep".*?</select>`).Find(page.Body)
	var out []string
	for _, m := range regexp.MustCompile(`<option value="([0-9a-f-]{36})">`).FindAllSubmatch(sel, -1) {
		out = append(out, string(m[1]))
	}
	slices.Sort(out)
	return out
}

// TestAssignListIsWhoRESTAccepts (bug 1): the "Assign to" list is exactly
// the users an assignment through the API accepts: a team rep who may
// claim from the team pool without being an explicit member is in it;
// reps outside the pool, inactive or full reps, staff who may not claim
// from the pool and the lead's own owner are not, for a manager and for
// an admin alike.
func TestAssignListIsWhoRESTAccepts(t *testing.T) {
	w := apptest.NewWorld(t)
	teamA := w.TeamOf(apptest.SubMember)
	rep := func(name string, capacity int, patch string) string {
		id, _ := w.CreateRep(name, capacity)
		w.Expect(w.Do("PATCH", "/api/v1/users/"+id, w.Admin, fmt.Sprintf(`{"team_id":%q%s}`, teamA, patch)), 200)
		return id
	}
	teamRep := rep("Tilda", 50, "")
	inactive := rep("Ivo", 50, `,"active":false`)
	full := rep("Fay", 1, "")
	w.Expect(w.Do("POST", "/api/v1/leads/"+w.Pooled().ID+"/assign", w.Admin, fmt.Sprintf(`{"rep_id":%q}`, full)), 200)

	var users struct{ Items []lead.User }
	w.Expect(w.Do("GET", "/api/v1/users?limit=200", w.Admin, ""), 200).JSON(t, &users)
	for _, lf := range []struct {
		name string
		make func() lead.Lead
	}{{"pooled", w.Pooled}, {"assigned", w.Assigned}} {
		l := lf.make()
		// Who the API accepts: each user tried on a copy of the lead (the same pool and status).
		var accepted []string
		for _, u := range users.Items {
			c := lf.make()
			r := w.Do("POST", "/api/v1/leads/"+c.ID+"/assign", w.Tokens[apptest.SubMgr], fmt.Sprintf(`{"rep_id":%q}`, u.ID))
			switch {
			case r.Status == 200:
				accepted = append(accepted, u.ID)
			case r.Status != 409:
				t.Fatalf("assigning %s: %d %s", u.Name, r.Status, r.Body)
			}
		}
		slices.Sort(accepted)
		for _, id := range []string{teamRep, w.IDs[apptest.SubMember]} {
			if !slices.Contains(accepted, id) {
				t.Fatalf("%s lead: the API refuses %s", lf.name, id)
			}
		}
		for _, id := range []string{inactive, full, w.IDs[apptest.SubOutsider], w.IDs[apptest.SubAdmin], w.IDs[apptest.SubMgr]} {
			if slices.Contains(accepted, id) {
				t.Fatalf("%s lead: the API accepts %s", lf.name, id)
			}
		}
		if lf.name == "assigned" && slices.Contains(accepted, w.IDs[apptest.SubOwner]) {
			t.Fatalf("the API assigns a lead to its owner again")
		}
		for _, sub := range []int{apptest.SubMgr, apptest.SubAdmin} {
			b := w.Browser()
			b.SignIn(w.Tokens[sub], "/leads")
			page := w.Expect(b.Get("/leads/"+l.ID), 200)
			if got := assignOptions(t, page); !slices.Equal(got, accepted) {
				t.Errorf("%s lead, %s: the list offers %v, the API accepts %v", lf.name, apptest.SubjectNames[sub], got, accepted)
			}
		}
	}
}

// TestAdminOpensTeamPoolTab (bug 2): an admin has a tab for every pool,
// a team pool they are no member of included, and it lists its leads.
func TestAdminOpensTeamPoolTab(t *testing.T) {
	w := apptest.NewWorld(t)
	l := w.Pooled()
	admin := w.Browser()
	admin.SignIn(w.Admin, "/leads")
	list := w.Expect(admin.Get("/leads?tab="+w.PoolA), 200)
	apptest.WantText(t, list, l.Company, `href="/leads?tab=`+w.PoolB+`"`, "<h1>Pool A</h1>")
	w.Expect(admin.Get("/leads?tab="+w.PoolB), 200)
	w.Expect(admin.Get("/leads?tab=00000000-0000-0000-0000-00000000dead"), 404)
}

// TestLeadListViews: admins list rejected leads with their reasons,
// merged leads with a link to the lead that survived, leads under review
// and closed leads; a manager the closed leads and those under review of
// the pools they administer (rejected and merged leads have no pool: the
// access table shows them to admins only); a rep none of these tabs.
func TestLeadListViews(t *testing.T) {
	w := apptest.NewWorld(t)
	kept := w.CreateLead(`{"company":"Survivor Trading Co","phone":"13800139001","country":"CN"}`)
	var merged lead.Lead
	w.Expect(w.Do("POST", "/api/v1/leads", w.Admin, `{"company":"Survivor Trading Co","phone":"13800139001","country":"CN","duplicate_policy":"merge"}`), 200).JSON(t, &merged)
	w.Expect(w.Do("POST", "/api/v1/leads", w.Admin, `{"company":"Survivor Trading Co","phone":"13800139001","country":"CN","duplicate_policy":"reject"}`), 409)
	closedA, closedB := w.Pooled(), w.NewLead()
	w.Expect(w.Do("POST", "/api/v1/leads/"+closedB.ID+"/transfer", w.Admin, fmt.Sprintf(`{"pool_id":%q}`, w.PoolB)), 200)
	for _, l := range []lead.Lead{closedA, closedB} {
		w.Expect(w.Do("POST", "/api/v1/leads/"+l.ID+"/close", w.Admin, `{"reason":"not a company"}`), 200)
	}

	admin := w.Browser()
	admin.SignIn(w.Admin, "/leads")
	tabs := w.Expect(admin.Get("/leads"), 200)
	apptest.WantText(t, tabs, `href="/leads?tab=rejected"`, `href="/leads?tab=merged"`, `href="/leads?tab=review"`, `href="/leads?tab=closed"`)
	rejected := w.Expect(admin.Get("/leads?tab=rejected"), 200)
	apptest.WantText(t, rejected, "Survivor Trading Co", `class="reasons"`, kept.ID, `<span class="status status-rejected">rejected</span>`)
	mergedPage := w.Expect(admin.Get("/leads?tab=merged"), 200)
	apptest.WantText(t, mergedPage, `href="/leads/`+merged.ID+`"`, `<a href="/leads/`+kept.ID+`" class="merged-into">`)
	closed := w.Expect(admin.Get("/leads?tab=closed"), 200)
	apptest.WantText(t, closed, closedA.Company, closedB.Company)
	w.Expect(admin.Get("/leads?tab=review"), 200)
	zh := w.Expect(admin.Get("/leads?tab=rejected", "Accept-Language", "zh-CN"), 200)
	apptest.WantText(t, zh, "<h1>已拒绝</h1>", "拒绝原因")

	mgr := w.Browser()
	mgr.SignIn(w.Tokens[apptest.SubMgr], "/leads")
	page := w.Expect(mgr.Get("/leads"), 200)
	apptest.WantText(t, page, `href="/leads?tab=closed"`, `href="/leads?tab=review"`)
	if strings.Contains(string(page.Body), `href="/leads?tab=rejected"`) || strings.Contains(string(page.Body), `href="/leads?tab=merged"`) {
		t.Errorf("a manager has tabs of leads they may not read")
	}
	mc := w.Expect(mgr.Get("/leads?tab=closed"), 200)
	apptest.WantText(t, mc, closedA.Company)
	if strings.Contains(string(mc.Body), closedB.Company) {
		t.Errorf("a manager lists a closed lead of a pool they do not administer")
	}
	w.Expect(mgr.Get("/leads?tab=rejected"), 404)

	rep := w.Browser()
	rep.SignIn(w.Tokens[apptest.SubMember], "/leads")
	if strings.Contains(string(w.Expect(rep.Get("/leads"), 200).Body), `tab=closed`) {
		t.Errorf("a rep has the closed tab")
	}
	for _, v := range []string{"closed", "rejected", "merged", "review"} {
		w.Expect(rep.Get("/leads?tab="+v), 404)
	}
}

// TestLeadPageShowsEverything: the page shows every field, the extra
// phones and e-mails with the main one marked, the custom fields, the
// pool and owner by name, the timers with their reasons in the reader's
// language, the follow-ups newest first beside the history (names for
// ids, a link to the rule version), and a link to the conversion form;
// the edit form changes every field, and a required custom field is
// enforced.
func TestLeadPageShowsEverything(t *testing.T) {
	w := apptest.NewWorld(t)
	l := w.Assigned()
	w.Expect(w.Do("POST", "/api/v1/fields", w.Admin, `{"entity":"lead","name":"budget","label":"Budget","type":"number","required":true}`), 201)
	w.Expect(w.Do("POST", "/api/v1/fields", w.Admin, `{"entity":"lead","name":"size","label":"Size","type":"select","options":["S","M","L"]}`), 201)
	w.Expect(w.Do("POST", "/api/v1/fields", w.Admin, `{"entity":"lead","name":"langs","label":"Languages","type":"multi_select","options":["en","zh"]}`), 201)
	w.Expect(w.Do("PATCH", "/api/v1/pools/"+w.PoolA, w.Admin, `{"policy":{"no_follow_up_after":"20h","no_conversion_after":"30d","remind_before":"2h"}}`), 200)
	w.Expect(w.Do("PATCH", "/api/v1/leads/"+l.ID, w.Admin, `{"phones":["13900000001"],"emails":["b@x.example"],"email":"a@x.example",
		"profession":"buyer","address":"1 Road","district":"Pudong","division":"Shanghai","custom":{"budget":1200,"size":"M","langs":["zh"]}}`), 200)
	owner := w.Tokens[apptest.SubOwner]
	for i, content := range []string{"first call", "second call"} {
		w.Expect(w.Do("POST", "/api/v1/leads/"+l.ID+"/follow-ups", owner, fmt.Sprintf(`{"type":"call","content":%q,"next_step":"step %d"}`, content, i)), 201)
	}

	b := w.Browser()
	b.SignIn(owner, "/leads")
	page := w.Expect(b.Get("/leads/"+l.ID), 200)
	body := string(page.Body)
	apptest.WantText(t, page, "13900000001", "b@x.example", `a@x.example <span class="main-mark">main</span>`, "Pool A", "Owen",
		"buyer", "Pudong", "Shanghai", "<dt>Budget</dt><dd>1200</dd>", "<dt>Size</dt><dd>M</dd>",
		"Back to the pool: no follow-up within 20h", `class="timer timer-reclaim soon"`, "Reclaim warning: back to the pool in 2h",
		`href="/leads/`+l.ID+`/convert" id="convert"`, `id="edit-custom.budget"`, `name="custom.budget" value="1200" type="number" step="any" required`,
		`<option selected>M</option>`, `<option selected>zh</option>`, `name="phone_main" value="0" checked`, "by Owen", "Assigned")
	if strings.Index(body, "second call") > strings.Index(body, "first call") {
		t.Errorf("follow-ups are not newest first")
	}
	if strings.Contains(body, `action="/leads/`+l.ID+`/convert"`) {
		t.Errorf("convert is still a form on the lead page")
	}
	zh := w.Expect(b.Get("/leads/"+l.ID, "Accept-Language", "zh-CN"), 200)
	apptest.WantText(t, zh, "收回公海：20小时内未跟进", "跟进记录", "操作记录", "转为客户")

	// The edit form: the extra phone becomes the main one, an e-mail is
	// added, the custom fields change; clearing the required one is refused.
	form := url.Values{"company": {l.Company}, "name": {"Li Lei"}, "phones": {l.Phone, "13900000001", ""}, "phone_main": {"1"},
		"emails": {"a@x.example", "b@x.example", "c@x.example"}, "email_main": {"0"}, "country": {"CN"}, "tags": {"expo"},
		"channel": {"Referral"}, "group": {"SME"}, "profession": {"buyer"}, "address": {"2 Road"}, "district": {"Pudong"},
		"division": {"Shanghai"}, "stage": {"Started"}, "notes": {"n"}, "custom.budget": {"99.5"}, "custom.size": {"L"}, "custom.langs": {"en", "zh"}}
	apptest.WantRedirect(t, b.Post(page, "/leads/"+l.ID+"/edit", form), "/leads/"+l.ID+"?done=edit")
	got := w.GetLead(l.ID)
	if got.Phone != "13900000001" || !slices.Equal(got.Phones, []string{l.Phone}) || !slices.Equal(got.Emails, []string{"b@x.example", "c@x.example"}) ||
		got.Name != "Li Lei" || got.Channel != "Referral" || got.Group != "SME" || got.Address != "2 Road" || got.Stage != "Started" ||
		got.Custom["budget"] != 99.5 || got.Custom["size"] != "L" || fmt.Sprint(got.Custom["langs"]) != "[en zh]" {
		t.Fatalf("after the edit: %+v", got)
	}
	form.Set("custom.budget", "")
	apptest.WantText(t, w.Expect(b.Post(page, "/leads/"+l.ID+"/edit", form), 422), "custom.budget")
	// A refused form says why in the reader's language, next to the field.
	b.Get("/lang/zh-CN?next=/leads")
	bad := w.Expect(b.Post(page, "/leads/"+l.ID+"/follow-ups", url.Values{"type": {"call"}, "content": {"x"}, "next_at": {"soon"}}), 422)
	apptest.WantText(t, bad, `<div class="err">请填写日期和时间（如 2026-01-31 14:00）</div>`)

	// The manager sees the history with names and the rule version's link.
	mgr := w.Browser()
	mgr.SignIn(w.Tokens[apptest.SubMgr], "/leads")
	mp := w.Expect(mgr.Get("/leads/"+l.ID), 200)
	apptest.WantText(t, mp, `class="rule-link"`, "<dt>Owner</dt><dd>Owen</dd>", "<dt>To pool</dt><dd>Pool A</dd>")
	if regexp.MustCompile(`<dd>[0-9a-f]{8}-[0-9a-f]{4}-`).Match(mp.Body) {
		t.Errorf("the history shows an id instead of a name")
	}
}

// TestLeadPageActions: a lead's page offers each subject exactly the
// actions the access table lets them take on the lead as it stands, and
// no other (accept and decline of an offer included); a lead they may
// not read is not found.
func TestLeadPageActions(t *testing.T) {
	w := apptest.NewWorld(t)
	staffOn := map[string][]string{
		"pooled":   {"assign", "claim", "close", "edit", "transfer"},
		"assigned": {"assign", "close", "convert", "edit", "follow-up", "reclaim", "return", "transfer"},
		"offered":  {"accept", "assign", "close", "decline", "edit", "reclaim", "transfer"},
	}
	want := map[string]map[int][]string{ // nil: not found
		"pooled": {apptest.SubAdmin: staffOn["pooled"], apptest.SubMgr: staffOn["pooled"], apptest.SubMember: {"claim"},
			apptest.SubOwner: {"claim"}, apptest.SubOffered: {"claim"}},
		"assigned": {apptest.SubAdmin: staffOn["assigned"], apptest.SubMgr: staffOn["assigned"],
			apptest.SubOwner: {"convert", "edit", "follow-up", "return"}},
		"offered": {apptest.SubAdmin: staffOn["offered"], apptest.SubMgr: staffOn["offered"], apptest.SubOffered: {"accept", "decline"}},
	}
	leads := map[string]lead.Lead{"pooled": w.Pooled(), "assigned": w.Assigned(), "offered": w.Offered()}
	action := regexp.MustCompile(`id="(claim|accept|decline|follow-up|convert|return|assign|transfer|reclaim|close|edit)"`)
	for sub := range apptest.Subjects {
		b := w.Browser()
		b.SignIn(w.Tokens[sub], "/leads")
		for state, l := range leads {
			page := b.Get("/leads/" + l.ID)
			acts, visible := want[state][sub]
			if !visible {
				if page.Status != 404 {
					t.Errorf("%s, %s lead: %d, want 404", apptest.SubjectNames[sub], state, page.Status)
				}
				continue
			}
			var got []string
			for _, m := range action.FindAllSubmatch(page.Body, -1) {
				got = append(got, string(m[1]))
			}
			slices.Sort(got)
			if page.Status != 200 || !slices.Equal(got, acts) {
				t.Errorf("%s, %s lead: %d, actions %v, want %v", apptest.SubjectNames[sub], state, page.Status, got, acts)
			}
		}
	}
}
