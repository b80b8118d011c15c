package api_test

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/leadflow/leadflow/lead"
)

// signedIn is a browser signed in as subject sub of the world.
func (w *world) signedIn(sub int) *browser {
	w.t.Helper()
	b := w.browser()
	wantRedirect(w.t, b.signIn(w.tokens[sub], "/leads"), "/leads")
	return b
}

// pool reads a pool through the API.
func (s *stack) pool(id string) lead.Pool {
	s.t.Helper()
	var p lead.Pool
	s.expect(s.do("GET", "/api/v1/pools/"+id, s.admin, ""), 200).json(s.t, &p)
	return p
}

// fieldError is the refusal a page shows next to a field (an element with class err).
func fieldError(t *testing.T, r response, id string) string {
	t.Helper()
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `">([^<]*)<`).FindSubmatch(r.body)
	if m == nil {
		t.Fatalf("no element %s on the page: %.2000s", id, r.body)
	}
	return string(m[1])
}

// policyForm is the policy form with every field as the pool has it, and changes.
func policyForm(p lead.Policy, changes map[string]string) url.Values {
	v := url.Values{"distribution": {p.Distribution}, "accept_timeout": {p.AcceptTimeout.String()},
		"first_contact_sla": {p.FirstContactSLA.String()}, "no_follow_up_after": {p.NoFollowUpAfter.String()},
		"no_conversion_after": {p.NoConversionAfter.String()}, "remind_before": {p.RemindBefore.String()},
		"cooldown": {p.Cooldown.String()}, "claim_when": {p.ClaimWhen}, "reclaim_exempt_when": {p.ReclaimExemptWhen}}
	if p.AutoAccept {
		v.Set("auto_accept", "on")
	}
	for k, x := range changes {
		v.Set(k, x)
	}
	return v
}

// TestConsolePoolManager: the manager of pool A lists and edits A (policy
// with its refusals next to each field, members, weights, recipients,
// ownership), may not change its name, team or admins (an admin may), and
// cannot open or change pool B; a rep gets no pool forms.
func TestConsolePoolManager(t *testing.T) {
	w := newWorld(t)
	mgr := w.signedIn(subMgr)
	list := w.expect(mgr.get("/pools"), 200)
	wantText(t, list, `href="/pools/`+w.poolA+`"`, "Pool A2", `href="/pools"`, `href="/users"`)
	if body := string(list.body); strings.Contains(body, w.poolB) || strings.Contains(body, `id="create-pool-form"`) ||
		strings.Contains(body, `href="/outbox"`) {
		t.Errorf("a manager's pools page shows pool B, the admins' create form or their outbox link")
	}

	page := w.expect(mgr.get("/pools/"+w.poolA), 200)
	wantText(t, page, `id="policy-form"`, `name="no_follow_up_after"`, "at least 1s")
	before := w.pool(w.poolA)

	// The API's refusals, each next to its field, and nothing saved.
	bad := w.expect(mgr.post(page, "/pools/"+w.poolA+"/policy", policyForm(before.Policy, map[string]string{
		"no_follow_up_after": "500ms", "first_contact_sla": "0"})), 422)
	wantText(t, bad, `id="problem"`, `value="500ms"`)
	if got := fieldError(t, bad, "err-no_follow_up_after"); got != "must be 0 (off) or at least 1s" {
		t.Errorf("no_follow_up_after refusal: %q", got)
	}
	bad = w.expect(mgr.post(page, "/pools/"+w.poolA+"/policy", policyForm(before.Policy, map[string]string{"cooldown": "soon"})), 422)
	if got := fieldError(t, bad, "err-cooldown"); !strings.Contains(got, "invalid duration") {
		t.Errorf("cooldown refusal: %q", got)
	}
	bad = w.expect(mgr.post(page, "/pools/"+w.poolA+"/policy", policyForm(before.Policy, map[string]string{
		"no_follow_up_after": "2d", "remind_before": "3d"})), 422)
	if got := fieldError(t, bad, "err-remind_before"); !strings.Contains(got, "shorter than no_follow_up_after") {
		t.Errorf("remind_before refusal: %q", got)
	}
	bad = w.expect(mgr.post(page, "/pools/"+w.poolA+"/policy", policyForm(before.Policy, map[string]string{"claim_when": "lead.country =="})), 422)
	if got := fieldError(t, bad, "err-claim_when"); got == "" {
		t.Errorf("a claim_when that does not compile is not refused next to its field")
	}
	if got := w.pool(w.poolA); got.Policy != before.Policy {
		t.Fatalf("a refused form changed the policy: %+v", got.Policy)
	}
	wantRedirect(t, mgr.post(page, "/pools/"+w.poolA+"/policy", policyForm(before.Policy, map[string]string{
		"no_follow_up_after": "3d", "remind_before": "1d", "distribution": "round_robin", "auto_accept": "on"})), "/pools/"+w.poolA+"?done=policy")
	got := w.pool(w.poolA).Policy
	if got.NoFollowUpAfter.String() != "3d" || got.RemindBefore.String() != "1d" || got.Distribution != "round_robin" || !got.AutoAccept {
		t.Fatalf("policy after the form: %+v", got)
	}
	wantText(t, w.expect(mgr.get("/pools/"+w.poolA+"?done=policy"), 200), "The policy is saved", `value="3d"`)

	// Members: add the outsider, remove them; an unknown user is refused under member_ids.
	outsider := w.ids[subOutsider]
	wantRedirect(t, mgr.post(page, "/pools/"+w.poolA+"/members", url.Values{"op": {"add"}, "user_id": {outsider}}), "/pools/"+w.poolA+"?done=members")
	if !slices.Contains(w.pool(w.poolA).MemberIDs, outsider) {
		t.Fatalf("the member was not added")
	}
	wantText(t, w.expect(mgr.get("/pools/"+w.poolA), 200), `id="remove-member-`+outsider+`"`, "Oscar")
	wantRedirect(t, mgr.post(page, "/pools/"+w.poolA+"/members", url.Values{"op": {"remove"}, "user_id": {outsider}}), "/pools/"+w.poolA+"?done=members")
	if slices.Contains(w.pool(w.poolA).MemberIDs, outsider) {
		t.Fatalf("the member was not removed")
	}
	bad = w.expect(mgr.post(page, "/pools/"+w.poolA+"/members", url.Values{"op": {"add"}, "user_id": {uuid.NewString()}}), 422)
	wantText(t, bad, "member_ids")

	// Admins are for admins: the manager is shown no admins' forms, and
	// theirs is refused naming admin_ids. For an admin, the owner cannot
	// be removed before the ownership moves, and a rep is no admin.
	if body := string(page.body); strings.Contains(body, `id="add-admin-form"`) || strings.Contains(body, `id="details-form"`) {
		t.Errorf("a pool's manager is shown the admins' or the details form")
	}
	bad = w.expect(mgr.post(page, "/pools/"+w.poolA+"/admins", url.Values{"op": {"add"}, "user_id": {w.ids[subOtherMgr]}}), 403)
	wantText(t, bad, "admin_ids: may be changed by admins only")
	admin := w.signedIn(subAdmin)
	adminPage := w.expect(admin.get("/pools/"+w.poolA), 200)
	wantText(t, adminPage, `id="add-admin-form"`, `id="details-form"`)
	bad = w.expect(admin.post(adminPage, "/pools/"+w.poolA+"/admins", url.Values{"op": {"remove"}, "user_id": {w.ids[subMgr]}}), 422)
	wantText(t, bad, "transfer the ownership first")
	w.expect(admin.post(adminPage, "/pools/"+w.poolA+"/admins", url.Values{"op": {"add"}, "user_id": {w.ids[subMember]}}), 422)
	if p := w.pool(w.poolA); !slices.Equal(p.AdminIDs, []string{w.ids[subMgr]}) {
		t.Fatalf("the admins after the refused forms: %+v", p.AdminIDs)
	}

	// Recipients: exactly the users checked.
	wantRedirect(t, mgr.post(page, "/pools/"+w.poolA+"/recipients", url.Values{"user_ids": {w.ids[subMember]}}), "/pools/"+w.poolA+"?done=recipients")
	var rec struct{ Items []lead.Recipient }
	w.expect(w.do("GET", "/api/v1/pools/"+w.poolA+"/recipients", w.admin, ""), 200).json(t, &rec)
	for _, r := range rec.Items {
		if r.Notify != (r.UserID == w.ids[subMember]) {
			t.Errorf("recipient %s notify %v after the form", r.Name, r.Notify)
		}
	}

	// Ownership of A2: hand it to the other manager, who becomes its admin;
	// the former owner stays a member and may manage it no more.
	page2 := w.expect(mgr.get("/pools/"+w.poolA2), 200)
	wantText(t, page2, `id="transfer-form"`, `<option value="`+w.ids[subOtherMgr]+`">Bo (manager)</option>`)
	bad = w.expect(mgr.post(page2, "/pools/"+w.poolA2+"/transfer", url.Values{"admin_id": {w.ids[subMember]}}), 422)
	if got := fieldError(t, bad, "err-admin_id"); !strings.Contains(got, "must be a manager or an admin") {
		t.Errorf("transfer to a rep: %q", got)
	}
	wantRedirect(t, mgr.post(page2, "/pools/"+w.poolA2+"/transfer", url.Values{"admin_id": {w.ids[subOtherMgr]}}), "/pools?done=owner")
	if p := w.pool(w.poolA2); p.OwnerID != w.ids[subOtherMgr] || !slices.Contains(p.MemberIDs, w.ids[subMgr]) {
		t.Fatalf("after the transfer: %+v", p)
	}
	wantText(t, w.expect(mgr.get("/pools?done=owner"), 200), "The ownership is transferred.")
	w.expect(mgr.get("/pools/"+w.poolA2), 403)
	w.expect(mgr.post(page2, "/pools/"+w.poolA2+"/transfer", url.Values{"admin_id": {w.ids[subMgr]}}), 403)
	other := w.signedIn(subOtherMgr)
	wantText(t, w.expect(other.get("/pools/"+w.poolA2), 200), `id="pool-owner">Bo<`)

	// Pool B is not theirs: 403 as PATCH /api/v1/pools/{id} answers, and
	// its forms change nothing; a pool that does not exist is not found.
	w.expect(mgr.get("/pools/"+w.poolB), 403)
	w.expect(mgr.post(page, "/pools/"+w.poolB+"/policy", policyForm(lead.Policy{}, map[string]string{"no_follow_up_after": "1d"})), 403)
	w.expect(mgr.post(page, "/pools/"+w.poolB+"/members", url.Values{"op": {"add"}, "user_id": {w.ids[subMember]}}), 403)
	w.expect(mgr.post(page, "/pools/"+w.poolB+"/recipients", url.Values{"user_ids": {w.ids[subOtherMgr]}}), 403)
	if p := w.pool(w.poolB); p.Policy.NoFollowUpAfter != 0 || slices.Contains(p.MemberIDs, w.ids[subMember]) {
		t.Fatalf("a manager of pool A changed pool B: %+v", p)
	}
	w.expect(mgr.get("/pools/"+uuid.NewString()), 404)

	// Pool A's name (the manager's form is refused, an admin's saved), and
	// its members' weights once it distributes by weight.
	bad = w.expect(mgr.post(page, "/pools/"+w.poolA+"/details", url.Values{"name": {"Pool A North"}, "scope": {"team"},
		"team_id": {w.teamOf(subOutsider)}}), 403)
	wantText(t, bad, "name: may be changed by admins only", "team_id: may be changed by admins only")
	if p := w.pool(w.poolA); p.Name != "Pool A" || p.TeamID != w.teamOf(subMember) {
		t.Fatalf("the manager's details form changed the pool: %+v", p)
	}
	bad = w.expect(admin.post(adminPage, "/pools/"+w.poolA+"/details", url.Values{"name": {" "}, "scope": {"team"}, "team_id": {w.teamOf(subMember)}}), 422)
	if got := fieldError(t, bad, "err-name"); got != "is required" {
		t.Errorf("name refusal: %q", got)
	}
	wantRedirect(t, admin.post(adminPage, "/pools/"+w.poolA+"/details", url.Values{"name": {"Pool A North"}, "scope": {"team"},
		"team_id": {w.teamOf(subMember)}}), "/pools/"+w.poolA+"?done=details")
	wantRedirect(t, mgr.post(page, "/pools/"+w.poolA+"/policy", policyForm(w.pool(w.poolA).Policy, map[string]string{"distribution": "weighted"})),
		"/pools/"+w.poolA+"?done=policy")
	wantText(t, w.expect(mgr.get("/pools/"+w.poolA), 200), `id="weights-form"`, `name="weight.`+w.ids[subMember]+`" inputmode="numeric" value="1"`)
	for v, want := range map[string]string{"lots": "must be a whole number", "0": "must be from 1 to 1000"} {
		bad = w.expect(mgr.post(page, "/pools/"+w.poolA+"/weights", url.Values{"weight." + w.ids[subMember]: {v}}), 422)
		if got := fieldError(t, bad, "err-weights"); !strings.Contains(got, want) {
			t.Errorf("weight %q refused with %q, want %q", v, got, want)
		}
	}
	wantRedirect(t, mgr.post(page, "/pools/"+w.poolA+"/weights", url.Values{"weight." + w.ids[subMember]: {"5"}}), "/pools/"+w.poolA+"?done=weights")
	if p := w.pool(w.poolA); p.Name != "Pool A North" || p.Weights[w.ids[subMember]] != 5 || p.Weights[w.ids[subOwner]] != 1 {
		t.Fatalf("after the details and weights forms: %+v", p)
	}

	// A rep sees no pool forms, and its nav has no management links.
	rep := w.signedIn(subMember)
	leads := w.expect(rep.get("/leads"), 200)
	for _, r := range []response{w.expect(rep.get("/pools"), 403), w.expect(rep.get("/pools/"+w.poolA), 403), leads} {
		if body := string(r.body); strings.Contains(body, `id="policy-form"`) || strings.Contains(body, `id="create-pool-form"`) ||
			strings.Contains(body, `href="/pools"`) {
			t.Errorf("a rep is shown a pool form or link: %.500s", body)
		}
	}
	w.expect(rep.post(leads, "/pools/"+w.poolA+"/policy", policyForm(got, map[string]string{"no_follow_up_after": "1d"})), 403)
	w.expect(rep.post(leads, "/pools", url.Values{"name": {"Rep Pool"}, "scope": {"global"}}), 403)
	if p := w.pool(w.poolA); p.Policy.NoFollowUpAfter.String() != "3d" || p.Name != "Pool A North" {
		t.Fatalf("a rep's form changed the policy: %+v", p.Policy)
	}
}

// TestConsolePoolAdmin: an admin sees every pool and creates one, with
// the API's refusals next to the fields.
func TestConsolePoolAdmin(t *testing.T) {
	s := newStack(t)
	mgrID, _ := s.poolStaff("Greta", lead.RoleManager)
	admin := s.browser()
	admin.signIn(s.admin, "/pools")
	list := s.expect(admin.get("/pools"), 200)
	wantText(t, list, `id="create-pool-form"`, `href="/pools/`+lead.DefaultPoolID+`"`, `href="/outbox"`)
	bad := s.expect(admin.post(list, "/pools", url.Values{"name": {"Country Pool"}, "scope": {"country"}}), 422)
	wantText(t, bad, "is required for a country pool", `value="Country Pool"`)
	r := admin.post(list, "/pools", url.Values{"name": {"Country Pool"}, "scope": {"country"}, "country": {"cn"}, "admin_id": {mgrID},
		"distribution": {"least_loaded"}})
	loc := r.header.Get("Location")
	if r.status != 303 || !strings.HasPrefix(loc, "/pools/") || !strings.HasSuffix(loc, "?done=created") {
		t.Fatalf("create pool: %d to %q; %.500s", r.status, loc, r.body)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(loc, "/pools/"), "?done=created")
	p := s.pool(id)
	if p.Country != "CN" || p.OwnerID != mgrID || p.Policy.Distribution != "least_loaded" {
		t.Fatalf("created pool: %+v", p)
	}
	wantText(t, s.expect(admin.get(loc), 200), "The pool is created.", "Greta")
}

// TestConsoleUserAdmin: an admin creates a user with a role and a team
// (the token shown once works), issues a one-time sign-in link and a new
// token, creates a team and sets its recipients, defines custom fields
// and edits option lists, and reads the outbox; a manager only reads users.
func TestConsoleUserAdmin(t *testing.T) {
	s := newStack(t)
	admin := s.browser()
	admin.signIn(s.admin, "/users")
	teams := s.expect(admin.get("/teams"), 200)
	wantRedirect(t, admin.post(teams, "/teams", url.Values{"name": {"North"}}), "/teams?done=created")
	wantText(t, s.expect(admin.post(teams, "/teams", url.Values{"name": {"North"}}), 409), "already exists")
	var team lead.Team
	for _, tm := range s.teams() {
		if tm.Name == "North" {
			team = tm
		}
	}

	users := s.expect(admin.get("/users"), 200)
	bad := s.expect(admin.post(users, "/users", url.Values{"name": {"Nina"}, "email": {"not-an-address"}, "role": {"rep"}}), 422)
	if got := fieldError(t, bad, "err-email"); got == "" {
		t.Errorf("no refusal next to the e-mail field")
	}
	wantText(t, bad, `value="Nina"`)
	created := s.expect(admin.post(users, "/users", url.Values{"name": {"Nina"}, "email": {"nina@example.com"}, "role": {"rep"},
		"team_id": {team.ID}}), 200)
	token := secretOf(t, created)
	var me lead.User
	s.expect(s.do("GET", "/api/v1/me", token, ""), 200).json(t, &me)
	if me.Name != "Nina" || me.Role != lead.RoleRep || me.TeamID != team.ID {
		t.Fatalf("the created user: %+v", me)
	}
	if strings.Contains(string(s.expect(admin.get("/users"), 200).body), token) {
		t.Errorf("the token is shown again")
	}

	// A one-time sign-in link signs Nina in, once.
	linked := s.expect(admin.post(users, "/users/"+me.ID+"/sign-in-link", nil), 200)
	link, err := url.Parse(secretOf(t, linked))
	if err != nil || !strings.HasPrefix(link.Path, "/login/") {
		t.Fatalf("sign-in link %v (%v)", link, err)
	}
	nina := s.browser()
	confirm := s.expect(nina.get(link.Path), 200)
	wantRedirect(t, nina.post(confirm, "/login/code", url.Values{"code": {strings.TrimPrefix(link.Path, "/login/")}}), "/leads")
	wantText(t, s.expect(nina.get("/leads"), 200), "Nina (rep)")

	// A new token: the old one stops working.
	rotated := secretOf(t, s.expect(admin.post(users, "/users/"+me.ID+"/token", nil), 200))
	s.expect(s.do("GET", "/api/v1/me", token, ""), 401)
	s.expect(s.do("GET", "/api/v1/me", rotated, ""), 200)

	// Her form: a capacity that is no number is refused next to it; then she
	// leaves the team and is deactivated, and may not sign in any more.
	form := s.expect(admin.get("/users/"+me.ID), 200)
	wantText(t, form, `value="Nina"`, `<option value="`+team.ID+`" selected>North</option>`)
	userForm := url.Values{"name": {"Nina"}, "role": {"rep"}, "team_id": {team.ID}, "capacity": {"lots"}, "daily_claim_limit": {"20"}, "active": {"on"}}
	bad = s.expect(admin.post(form, "/users/"+me.ID, userForm), 422)
	if got := fieldError(t, bad, "err-capacity"); got != "must be a whole number" {
		t.Errorf("capacity refusal: %q", got)
	}
	wantText(t, bad, `value="lots"`)
	userForm.Set("capacity", "7")
	wantRedirect(t, admin.post(form, "/users/"+me.ID, userForm), "/users/"+me.ID+"?done=saved")
	var changed lead.User
	s.expect(s.do("GET", "/api/v1/users/"+me.ID, s.admin, ""), 200).json(t, &changed)
	if changed.Capacity != 7 || changed.TeamID != team.ID || !changed.Active {
		t.Fatalf("after the user form: %+v", changed)
	}

	// The team's recipients.
	teamPage := s.expect(admin.get("/teams/"+team.ID), 200)
	wantText(t, teamPage, "Nina")
	wantRedirect(t, admin.post(teamPage, "/teams/"+team.ID+"/recipients", url.Values{"user_ids": {me.ID}}), "/teams/"+team.ID+"?done=recipients")
	var rec struct{ Items []lead.Recipient }
	s.expect(s.do("GET", "/api/v1/teams/"+team.ID+"/recipients", s.admin, ""), 200).json(t, &rec)
	if len(rec.Items) != 1 || !rec.Items[0].Notify {
		t.Errorf("team recipients after the form: %+v", rec.Items)
	}

	// A manager reads the users, without the admins' forms.
	_, mgrToken := s.poolStaff("Max", lead.RoleManager)
	mgr := s.browser()
	mgr.signIn(mgrToken, "/users")
	mgrUsers := s.expect(mgr.get("/users"), 200)
	wantText(t, mgrUsers, "Nina", "nina@example.com")
	if body := string(mgrUsers.body); strings.Contains(body, `id="create-user-form"`) || strings.Contains(body, "/sign-in-link") {
		t.Errorf("a manager is shown the admins' user forms")
	}
	s.expect(mgr.post(mgrUsers, "/users", url.Values{"name": {"Sneaky"}, "email": {"sneaky@example.com"}, "role": {"admin"}}), 403)
	s.expect(mgr.post(mgrUsers, "/users/"+me.ID+"/sign-in-link", nil), 403)
	s.expect(mgr.post(mgrUsers, "/teams/"+team.ID+"/recipients", url.Values{}), 403)
	s.expect(mgr.get("/outbox"), 403)
	s.expect(mgr.get("/users/"+me.ID), 403)

	// Deactivated, Nina gets no sign-in link and her token stops working.
	userForm.Del("active")
	userForm.Set("team_id", "")
	wantRedirect(t, admin.post(form, "/users/"+me.ID, userForm), "/users/"+me.ID+"?done=saved")
	s.expect(s.do("GET", "/api/v1/me", rotated, ""), 401)
	wantText(t, s.expect(admin.post(users, "/users/"+me.ID+"/sign-in-link", nil), 409), "the user is inactive")
	var inactive lead.User
	s.expect(s.do("GET", "/api/v1/users/"+me.ID, s.admin, ""), 200).json(t, &inactive)
	if inactive.Active || inactive.TeamID != "" {
		t.Fatalf("after deactivating: %+v", inactive)
	}
}

// secretOf is the token or link a users page shows once.
func secretOf(t *testing.T, r response) string {
	t.Helper()
	m := regexp.MustCompile(`id="secret-value" value="([^"]+)"`).FindSubmatch(r.body)
	if m == nil {
		t.Fatalf("no secret on the page: %.2000s", r.body)
	}
	return strings.ReplaceAll(string(m[1]), "&amp;", "&")
}

// teams lists the teams through the API.
func (s *stack) teams() []lead.Team {
	var list struct{ Items []lead.Team }
	s.expect(s.do("GET", "/api/v1/teams", s.admin, ""), 200).json(s.t, &list)
	return list.Items
}
