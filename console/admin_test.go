package console_test

import (
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// fieldError is the refusal a page shows next to a field (an element with class err).
func fieldError(t *testing.T, r apptest.Response, id string) string {
	t.Helper()
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `">([^<]*)<`).FindSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no element %s on the page: %.2000s", id, r.Body)
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
	w := apptest.NewWorld(t)
	mgr := w.SignedIn(apptest.SubMgr)
	list := w.Expect(mgr.Get("/pools"), 200)
	apptest.WantText(t, list, `href="/pools/`+w.PoolA+`"`, "Pool A2", `href="/pools"`, `href="/users"`)
	if body := string(list.Body); strings.Contains(body, w.PoolB) || strings.Contains(body, `id="create-pool-form"`) ||
		strings.Contains(body, `href="/outbox"`) {
		t.Errorf("a manager's pools page shows pool B, the admins' create form or their outbox link")
	}

	page := w.Expect(mgr.Get("/pools/"+w.PoolA), 200)
	apptest.WantText(t, page, `id="policy-form"`, `name="no_follow_up_after"`, "at least 1s")
	before := w.Pool(w.PoolA)

	// The API's refusals, each next to its field, and nothing saved.
	bad := w.Expect(mgr.Post(page, "/pools/"+w.PoolA+"/policy", policyForm(before.Policy, map[string]string{
		"no_follow_up_after": "500ms", "first_contact_sla": "0"})), 422)
	apptest.WantText(t, bad, `id="problem"`, `value="500ms"`)
	if got := fieldError(t, bad, "err-no_follow_up_after"); got != "Too short: use 0 (off) or at least the minimum shown under the field." {
		t.Errorf("no_follow_up_after refusal: %q", got)
	}
	bad = w.Expect(mgr.Post(page, "/pools/"+w.PoolA+"/policy", policyForm(before.Policy, map[string]string{"cooldown": "soon"})), 422)
	if got := fieldError(t, bad, "err-cooldown"); got != "Use a duration such as 90m, 36h, 7d, 3 working days or 4 working hours." {
		t.Errorf("cooldown refusal: %q", got)
	}
	bad = w.Expect(mgr.Post(page, "/pools/"+w.PoolA+"/policy", policyForm(before.Policy, map[string]string{
		"no_follow_up_after": "2d", "remind_before": "3d"})), 422)
	if got := fieldError(t, bad, "err-remind_before"); !strings.Contains(got, "shorter than no_follow_up_after") {
		t.Errorf("remind_before refusal: %q", got)
	}
	bad = w.Expect(mgr.Post(page, "/pools/"+w.PoolA+"/policy", policyForm(before.Policy, map[string]string{"claim_when": "lead.country =="})), 422)
	if got := fieldError(t, bad, "err-claim_when"); got == "" {
		t.Errorf("a claim_when that does not compile is not refused next to its field")
	}
	if got := w.Pool(w.PoolA); !reflect.DeepEqual(got.Policy, before.Policy) {
		t.Fatalf("a refused form changed the policy: %+v", got.Policy)
	}
	apptest.WantRedirect(t, mgr.Post(page, "/pools/"+w.PoolA+"/policy", policyForm(before.Policy, map[string]string{
		"no_follow_up_after": "3d", "remind_before": "1d", "distribution": "round_robin", "auto_accept": "on"})), "/pools/"+w.PoolA+"?done=policy")
	got := w.Pool(w.PoolA).Policy
	if got.NoFollowUpAfter.String() != "3d" || got.RemindBefore.String() != "1d" || got.Distribution != "round_robin" || !got.AutoAccept {
		t.Fatalf("policy after the form: %+v", got)
	}
	apptest.WantText(t, w.Expect(mgr.Get("/pools/"+w.PoolA+"?done=policy"), 200), "The policy is saved", `value="3d"`)

	// Members: add the outsider, remove them; an unknown user is refused under member_ids.
	outsider := w.IDs[apptest.SubOutsider]
	apptest.WantRedirect(t, mgr.Post(page, "/pools/"+w.PoolA+"/members", url.Values{"op": {"add"}, "user_id": {outsider}}), "/pools/"+w.PoolA+"?done=members")
	if !slices.Contains(w.Pool(w.PoolA).MemberIDs, outsider) {
		t.Fatalf("the member was not added")
	}
	apptest.WantText(t, w.Expect(mgr.Get("/pools/"+w.PoolA), 200), `id="remove-member-`+outsider+`"`, "Oscar")
	apptest.WantRedirect(t, mgr.Post(page, "/pools/"+w.PoolA+"/members", url.Values{"op": {"remove"}, "user_id": {outsider}}), "/pools/"+w.PoolA+"?done=members")
	if slices.Contains(w.Pool(w.PoolA).MemberIDs, outsider) {
		t.Fatalf("the member was not removed")
	}
	bad = w.Expect(mgr.Post(page, "/pools/"+w.PoolA+"/members", url.Values{"op": {"add"}, "user_id": {uuid.NewString()}}), 422)
	apptest.WantText(t, bad, "member_ids")

	// Admins are for admins: the manager is shown no admins' forms, and
	// theirs is refused naming admin_ids. For an admin, the owner cannot
	// be removed before the ownership moves, and a rep is no admin.
	if body := string(page.Body); strings.Contains(body, `id="add-admin-form"`) || strings.Contains(body, `id="details-form"`) {
		t.Errorf("a pool's manager is shown the admins' or the details form")
	}
	bad = w.Expect(mgr.Post(page, "/pools/"+w.PoolA+"/admins", url.Values{"op": {"add"}, "user_id": {w.IDs[apptest.SubOtherMgr]}}), 403)
	apptest.WantText(t, bad, "admin_ids: may be changed by admins only")
	admin := w.SignedIn(apptest.SubAdmin)
	adminPage := w.Expect(admin.Get("/pools/"+w.PoolA), 200)
	apptest.WantText(t, adminPage, `id="add-admin-form"`, `id="details-form"`)
	bad = w.Expect(admin.Post(adminPage, "/pools/"+w.PoolA+"/admins", url.Values{"op": {"remove"}, "user_id": {w.IDs[apptest.SubMgr]}}), 422)
	apptest.WantText(t, bad, "transfer the ownership first")
	w.Expect(admin.Post(adminPage, "/pools/"+w.PoolA+"/admins", url.Values{"op": {"add"}, "user_id": {w.IDs[apptest.SubMember]}}), 422)
	if p := w.Pool(w.PoolA); !slices.Equal(p.AdminIDs, []string{w.IDs[apptest.SubMgr]}) {
		t.Fatalf("the admins after the refused forms: %+v", p.AdminIDs)
	}

	// Recipients: exactly the users checked.
	apptest.WantRedirect(t, mgr.Post(page, "/pools/"+w.PoolA+"/recipients", url.Values{"user_ids": {w.IDs[apptest.SubMember]}}), "/pools/"+w.PoolA+"?done=recipients")
	var rec struct{ Items []lead.Recipient }
	w.Expect(w.Do("GET", "/api/v1/pools/"+w.PoolA+"/recipients", w.Admin, ""), 200).JSON(t, &rec)
	for _, r := range rec.Items {
		if r.Notify != (r.UserID == w.IDs[apptest.SubMember]) {
			t.Errorf("recipient %s notify %v after the form", r.Name, r.Notify)
		}
	}

	// Ownership of A2: hand it to the other manager, who becomes its admin;
	// the former owner stays a member and may manage it no more.
	page2 := w.Expect(mgr.Get("/pools/"+w.PoolA2), 200)
	apptest.WantText(t, page2, `id="transfer-form"`, `<option value="`+w.IDs[apptest.SubOtherMgr]+`">Bo (manager)</option>`)
	bad = w.Expect(mgr.Post(page2, "/pools/"+w.PoolA2+"/transfer", url.Values{"admin_id": {w.IDs[apptest.SubMember]}}), 422)
	if got := fieldError(t, bad, "err-admin_id"); !strings.Contains(got, "must be a manager or an admin") {
		t.Errorf("transfer to a rep: %q", got)
	}
	apptest.WantRedirect(t, mgr.Post(page2, "/pools/"+w.PoolA2+"/transfer", url.Values{"admin_id": {w.IDs[apptest.SubOtherMgr]}}), "/pools?done=owner")
	if p := w.Pool(w.PoolA2); p.OwnerID != w.IDs[apptest.SubOtherMgr] || !slices.Contains(p.MemberIDs, w.IDs[apptest.SubMgr]) {
		t.Fatalf("after the transfer: %+v", p)
	}
	apptest.WantText(t, w.Expect(mgr.Get("/pools?done=owner"), 200), "The ownership is transferred.")
	w.Expect(mgr.Get("/pools/"+w.PoolA2), 403)
	w.Expect(mgr.Post(page2, "/pools/"+w.PoolA2+"/transfer", url.Values{"admin_id": {w.IDs[apptest.SubMgr]}}), 403)
	other := w.SignedIn(apptest.SubOtherMgr)
	apptest.WantText(t, w.Expect(other.Get("/pools/"+w.PoolA2), 200), `id="pool-owner">Bo<`)

	// Pool B is not theirs: 403 as PATCH /api/v1/pools/{id} answers, and
	// its forms change nothing; a pool that does not exist is not found.
	w.Expect(mgr.Get("/pools/"+w.PoolB), 403)
	w.Expect(mgr.Post(page, "/pools/"+w.PoolB+"/policy", policyForm(lead.Policy{}, map[string]string{"no_follow_up_after": "1d"})), 403)
	w.Expect(mgr.Post(page, "/pools/"+w.PoolB+"/members", url.Values{"op": {"add"}, "user_id": {w.IDs[apptest.SubMember]}}), 403)
	w.Expect(mgr.Post(page, "/pools/"+w.PoolB+"/recipients", url.Values{"user_ids": {w.IDs[apptest.SubOtherMgr]}}), 403)
	if p := w.Pool(w.PoolB); p.Policy.NoFollowUpAfter.On() || slices.Contains(p.MemberIDs, w.IDs[apptest.SubMember]) {
		t.Fatalf("a manager of pool A changed pool B: %+v", p)
	}
	w.Expect(mgr.Get("/pools/"+uuid.NewString()), 404)

	// Pool A's name (the manager's form is refused, an admin's saved), and
	// its members' weights once it distributes by weight.
	bad = w.Expect(mgr.Post(page, "/pools/"+w.PoolA+"/details", url.Values{"name": {"Pool A North"}, "scope": {"team"},
		"team_id": {w.TeamOf(apptest.SubOutsider)}}), 403)
	apptest.WantText(t, bad, "name: may be changed by admins only", "team_id: may be changed by admins only")
	if p := w.Pool(w.PoolA); p.Name != "Pool A" || p.TeamID != w.TeamOf(apptest.SubMember) {
		t.Fatalf("the manager's details form changed the pool: %+v", p)
	}
	bad = w.Expect(admin.Post(adminPage, "/pools/"+w.PoolA+"/details", url.Values{"name": {" "}, "scope": {"team"}, "team_id": {w.TeamOf(apptest.SubMember)}}), 422)
	if got := fieldError(t, bad, "err-name"); got != "is required" {
		t.Errorf("name refusal: %q", got)
	}
	apptest.WantRedirect(t, admin.Post(adminPage, "/pools/"+w.PoolA+"/details", url.Values{"name": {"Pool A North"}, "scope": {"team"},
		"team_id": {w.TeamOf(apptest.SubMember)}}), "/pools/"+w.PoolA+"?done=details")
	apptest.WantRedirect(t, mgr.Post(page, "/pools/"+w.PoolA+"/policy", policyForm(w.Pool(w.PoolA).Policy, map[string]string{"distribution": "weighted"})),
		"/pools/"+w.PoolA+"?done=policy")
	apptest.WantText(t, w.Expect(mgr.Get("/pools/"+w.PoolA), 200), `id="weights-form"`, `name="weight.`+w.IDs[apptest.SubMember]+`" inputmode="numeric" value="1"`)
	for v, want := range map[string]string{"lots": "must be a whole number", "0": "must be from 1 to 1000"} {
		bad = w.Expect(mgr.Post(page, "/pools/"+w.PoolA+"/weights", url.Values{"weight." + w.IDs[apptest.SubMember]: {v}}), 422)
		if got := fieldError(t, bad, "err-weights"); !strings.Contains(got, want) {
			t.Errorf("weight %q refused with %q, want %q", v, got, want)
		}
	}
	apptest.WantRedirect(t, mgr.Post(page, "/pools/"+w.PoolA+"/weights", url.Values{"weight." + w.IDs[apptest.SubMember]: {"5"}}), "/pools/"+w.PoolA+"?done=weights")
	if p := w.Pool(w.PoolA); p.Name != "Pool A North" || p.Weights[w.IDs[apptest.SubMember]] != 5 || p.Weights[w.IDs[apptest.SubOwner]] != 1 {
		t.Fatalf("after the details and weights forms: %+v", p)
	}

	// A rep sees no pool forms, and its nav has no management links.
	rep := w.SignedIn(apptest.SubMember)
	leads := w.Expect(rep.Get("/leads"), 200)
	for _, r := range []apptest.Response{w.Expect(rep.Get("/pools"), 403), w.Expect(rep.Get("/pools/"+w.PoolA), 403), leads} {
		if body := string(r.Body); strings.Contains(body, `id="policy-form"`) || strings.Contains(body, `id="create-pool-form"`) ||
			strings.Contains(body, `href="/pools"`) {
			t.Errorf("a rep is shown a pool form or link: %.500s", body)
		}
	}
	w.Expect(rep.Post(leads, "/pools/"+w.PoolA+"/policy", policyForm(got, map[string]string{"no_follow_up_after": "1d"})), 403)
	w.Expect(rep.Post(leads, "/pools", url.Values{"name": {"Rep Pool"}, "scope": {"global"}}), 403)
	if p := w.Pool(w.PoolA); p.Policy.NoFollowUpAfter.String() != "3d" || p.Name != "Pool A North" {
		t.Fatalf("a rep's form changed the policy: %+v", p.Policy)
	}
}

// TestConsolePoolAdmin: an admin sees every pool and creates one, with
// the API's refusals next to the fields.
func TestConsolePoolAdmin(t *testing.T) {
	s := apptest.NewStack(t)
	mgrID, _ := s.PoolStaff("Greta", lead.RoleManager)
	admin := s.Browser()
	admin.SignIn(s.Admin, "/pools")
	list := s.Expect(admin.Get("/pools"), 200)
	apptest.WantText(t, list, `id="create-pool-form"`, `href="/pools/`+lead.DefaultPoolID+`"`, `href="/outbox"`)
	bad := s.Expect(admin.Post(list, "/pools", url.Values{"name": {"Country Pool"}, "scope": {"country"}}), 422)
	apptest.WantText(t, bad, "is required for a country pool", `value="Country Pool"`)
	r := admin.Post(list, "/pools", url.Values{"name": {"Country Pool"}, "scope": {"country"}, "country": {"cn"}, "admin_id": {mgrID},
		"distribution": {"least_loaded"}})
	loc := r.Header.Get("Location")
	if r.Status != 303 || !strings.HasPrefix(loc, "/pools/") || !strings.HasSuffix(loc, "?done=created") {
		t.Fatalf("create pool: %d to %q; %.500s", r.Status, loc, r.Body)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(loc, "/pools/"), "?done=created")
	p := s.Pool(id)
	if p.Country != "CN" || p.OwnerID != mgrID || p.Policy.Distribution != "least_loaded" {
		t.Fatalf("created pool: %+v", p)
	}
	apptest.WantText(t, s.Expect(admin.Get(loc), 200), "The pool is created.", "Greta")
}

// TestConsoleUserAdmin: an admin creates a user with a role and a team
// (the token shown once works), issues a one-time sign-in link and a new
// token, creates a team and sets its recipients, defines custom fields
// and edits option lists, and reads the outbox; a manager only reads users.
func TestConsoleUserAdmin(t *testing.T) {
	s := apptest.NewStack(t)
	admin := s.Browser()
	admin.SignIn(s.Admin, "/users")
	teams := s.Expect(admin.Get("/teams"), 200)
	apptest.WantRedirect(t, admin.Post(teams, "/teams", url.Values{"name": {"North"}}), "/teams?done=created")
	apptest.WantText(t, s.Expect(admin.Post(teams, "/teams", url.Values{"name": {"North"}}), 409), "already exists")
	var team lead.Team
	for _, tm := range s.Teams() {
		if tm.Name == "North" {
			team = tm
		}
	}

	users := s.Expect(admin.Get("/users"), 200)
	bad := s.Expect(admin.Post(users, "/users", url.Values{"name": {"Nina"}, "email": {"not-an-address"}, "role": {"rep"}}), 422)
	if got := fieldError(t, bad, "err-email"); got == "" {
		t.Errorf("no refusal next to the e-mail field")
	}
	apptest.WantText(t, bad, `value="Nina"`)
	created := s.Expect(admin.Post(users, "/users", url.Values{"name": {"Nina"}, "email": {"nina@example.com"}, "role": {"rep"},
		"team_id": {team.ID}}), 200)
	token := secretOf(t, created)
	var me lead.User
	s.Expect(s.Do("GET", "/api/v1/me", token, ""), 200).JSON(t, &me)
	if me.Name != "Nina" || me.Role != lead.RoleRep || me.TeamID != team.ID {
		t.Fatalf("the created user: %+v", me)
	}
	if strings.Contains(string(s.Expect(admin.Get("/users"), 200).Body), token) {
		t.Errorf("the token is shown again")
	}

	// A one-time sign-in link signs Nina in, once.
	linked := s.Expect(admin.Post(users, "/users/"+me.ID+"/sign-in-link", nil), 200)
	link, err := url.Parse(secretOf(t, linked))
	if err != nil || !strings.HasPrefix(link.Path, "/login/") {
		t.Fatalf("sign-in link %v (%v)", link, err)
	}
	nina := s.Browser()
	confirm := s.Expect(nina.Get(link.Path), 200)
	apptest.WantRedirect(t, nina.Post(confirm, "/login/code", url.Values{"code": {strings.TrimPrefix(link.Path, "/login/")}}), "/leads")
	apptest.WantText(t, s.Expect(nina.Get("/leads"), 200), "Nina (rep)")

	// A new token: the old one stops working.
	rotated := secretOf(t, s.Expect(admin.Post(users, "/users/"+me.ID+"/token", nil), 200))
	s.Expect(s.Do("GET", "/api/v1/me", token, ""), 401)
	s.Expect(s.Do("GET", "/api/v1/me", rotated, ""), 200)

	// Her form: a capacity that is no number is refused next to it; then she
	// leaves the team and is deactivated, and may not sign in any more.
	form := s.Expect(admin.Get("/users/"+me.ID), 200)
	apptest.WantText(t, form, `value="Nina"`, `<option value="`+team.ID+`" selected>North</option>`)
	userForm := url.Values{"name": {"Nina"}, "role": {"rep"}, "team_id": {team.ID}, "capacity": {"lots"}, "daily_claim_limit": {"20"}, "active": {"on"}}
	bad = s.Expect(admin.Post(form, "/users/"+me.ID, userForm), 422)
	if got := fieldError(t, bad, "err-capacity"); got != "must be a whole number" {
		t.Errorf("capacity refusal: %q", got)
	}
	apptest.WantText(t, bad, `value="lots"`)
	userForm.Set("capacity", "7")
	apptest.WantRedirect(t, admin.Post(form, "/users/"+me.ID, userForm), "/users/"+me.ID+"?done=saved")
	var changed lead.User
	s.Expect(s.Do("GET", "/api/v1/users/"+me.ID, s.Admin, ""), 200).JSON(t, &changed)
	if changed.Capacity != 7 || changed.TeamID != team.ID || !changed.Active {
		t.Fatalf("after the user form: %+v", changed)
	}

	// The team's recipients.
	teamPage := s.Expect(admin.Get("/teams/"+team.ID), 200)
	apptest.WantText(t, teamPage, "Nina")
	apptest.WantRedirect(t, admin.Post(teamPage, "/teams/"+team.ID+"/recipients", url.Values{"user_ids": {me.ID}}), "/teams/"+team.ID+"?done=recipients")
	var rec struct{ Items []lead.Recipient }
	s.Expect(s.Do("GET", "/api/v1/teams/"+team.ID+"/recipients", s.Admin, ""), 200).JSON(t, &rec)
	if len(rec.Items) != 1 || !rec.Items[0].Notify {
		t.Errorf("team recipients after the form: %+v", rec.Items)
	}

	// A manager reads the users, without the admins' forms.
	_, mgrToken := s.PoolStaff("Max", lead.RoleManager)
	mgr := s.Browser()
	mgr.SignIn(mgrToken, "/users")
	mgrUsers := s.Expect(mgr.Get("/users"), 200)
	apptest.WantText(t, mgrUsers, "Nina", "nina@example.com")
	if body := string(mgrUsers.Body); strings.Contains(body, `id="create-user-form"`) || strings.Contains(body, "/sign-in-link") {
		t.Errorf("a manager is shown the admins' user forms")
	}
	s.Expect(mgr.Post(mgrUsers, "/users", url.Values{"name": {"Sneaky"}, "email": {"sneaky@example.com"}, "role": {"admin"}}), 403)
	s.Expect(mgr.Post(mgrUsers, "/users/"+me.ID+"/sign-in-link", nil), 403)
	s.Expect(mgr.Post(mgrUsers, "/teams/"+team.ID+"/recipients", url.Values{}), 403)
	s.Expect(mgr.Get("/outbox"), 403)
	s.Expect(mgr.Get("/users/"+me.ID), 403)

	// Deactivated, Nina gets no sign-in link and her token stops working.
	userForm.Del("active")
	userForm.Set("team_id", "")
	apptest.WantRedirect(t, admin.Post(form, "/users/"+me.ID, userForm), "/users/"+me.ID+"?done=saved")
	s.Expect(s.Do("GET", "/api/v1/me", rotated, ""), 401)
	apptest.WantText(t, s.Expect(admin.Post(users, "/users/"+me.ID+"/sign-in-link", nil), 409), "the user is inactive")
	var inactive lead.User
	s.Expect(s.Do("GET", "/api/v1/users/"+me.ID, s.Admin, ""), 200).JSON(t, &inactive)
	if inactive.Active || inactive.TeamID != "" {
		t.Fatalf("after deactivating: %+v", inactive)
	}
}

// secretOf is the token or link a users page shows once.
func secretOf(t *testing.T, r apptest.Response) string {
	t.Helper()
	m := regexp.MustCompile(`id="secret-value" value="([^"]+)"`).FindSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no secret on the page: %.2000s", r.Body)
	}
	return strings.ReplaceAll(string(m[1]), "&amp;", "&")
}
