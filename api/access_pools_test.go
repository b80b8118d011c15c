package api_test

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// poolFieldCase is one PATCH /api/v1/pools/{id} of the pool-field matrix:
// its body on a fresh pool X (team A's, administered by the manager of
// the world's pool A, with the member and owner reps as members), the
// fields a refusal must name, and each subject's status.
type poolFieldCase struct {
	name    string
	country bool // pool X is a country pool (CN) rather than team A's
	body    func(w *apptest.World) string
	named   []string // the fields the manager's 403 names
	want    [apptest.Subjects]int
}

// TestPoolFieldMatrix sends each field of a pool, as every subject of the
// authorization matrix (and anonymously, and as a deactivated rep), to a
// fresh pool X administered by manager X: the fields that define the pool
// (name, scope, country, team, admins) are for admins only, and a pool's
// own admins get 403 naming the field; its policy, members and weights are
// for its admins too (README, "Access model"). A refusal changes nothing,
// and the non-member rep of team B still may not see pool X.
func TestPoolFieldMatrix(t *testing.T) {
	w := apptest.NewWorld(t)
	teamA, teamB := w.TeamOf(apptest.SubMember), w.TeamOf(apptest.SubOutsider)
	mgrX, mgrY := w.IDs[apptest.SubMgr], w.IDs[apptest.SubOtherMgr]
	deactivatedID, deactivated := w.CreateRep("Dee", 5)
	w.Expect(w.Do("PATCH", "/api/v1/users/"+deactivatedID, w.Admin, `{"active":false}`), 200)

	definesPool := [apptest.Subjects]int{200, 403, 403, 403, 403, 403, 403}
	managesPool := [apptest.Subjects]int{200, 200, 403, 403, 403, 403, 403}
	fixed := func(body string) func(*apptest.World) string { return func(*apptest.World) string { return body } }
	cases := []poolFieldCase{
		{name: "rename", body: fixed(`{"name":"Pool X renamed"}`), named: []string{"name"}, want: definesPool},
		{name: "scope global", body: fixed(`{"scope":"global","team_id":null}`), named: []string{"scope", "team_id"}, want: definesPool},
		{name: "scope country", body: fixed(`{"scope":"country","country":"CN","team_id":null}`), named: []string{"scope", "country", "team_id"}, want: definesPool},
		{name: "country", country: true, body: fixed(`{"country":"US"}`), named: []string{"country"}, want: definesPool},
		{name: "team B", body: fixed(fmt.Sprintf(`{"team_id":%q}`, teamB)), named: []string{"team_id"}, want: definesPool},
		{name: "manager Y as admin", body: fixed(fmt.Sprintf(`{"admin_ids":[%q,%q]}`, mgrX, mgrY)), named: []string{"admin_ids"}, want: definesPool},
		// A rep is never a pool admin: the admin's patch is invalid.
		{name: "rep B as admin", body: fixed(fmt.Sprintf(`{"admin_ids":[%q,%q]}`, mgrX, w.IDs[apptest.SubOutsider])), named: []string{"admin_ids"},
			want: [apptest.Subjects]int{422, 403, 403, 403, 403, 403, 403}},
		{name: "policy and name", body: fixed(`{"name":"Pool X renamed","policy":{"distribution":"round_robin"}}`), named: []string{"name"}, want: definesPool},
		{name: "policy", body: fixed(`{"policy":{"distribution":"round_robin","cooldown":"2h","claim_when":"true"}}`), want: managesPool},
		{name: "members", body: func(w *apptest.World) string { return fmt.Sprintf(`{"member_ids":[%q]}`, w.IDs[apptest.SubMember]) }, want: managesPool},
		{name: "weights", body: func(w *apptest.World) string { return fmt.Sprintf(`{"weights":{%q:3}}`, w.IDs[apptest.SubMember]) }, want: managesPool},
		{name: "members, weights and policy", want: managesPool, body: func(w *apptest.World) string {
			return fmt.Sprintf(`{"member_ids":[%q,%q],"weights":{%q:2},"policy":{"auto_accept":true}}`,
				w.IDs[apptest.SubMember], w.IDs[apptest.SubOutsider], w.IDs[apptest.SubOutsider])
		}},
	}
	seq := 0
	poolX := func(country bool) lead.Pool {
		seq++
		body := fmt.Sprintf(`{"name":"Pool X %d","scope":"team","team_id":%q,"admin_ids":[%q],"member_ids":[%q,%q]}`,
			seq, teamA, mgrX, w.IDs[apptest.SubMember], w.IDs[apptest.SubOwner])
		if country {
			body = fmt.Sprintf(`{"name":"Pool X %d","scope":"country","country":"CN","admin_ids":[%q],"member_ids":[%q,%q]}`,
				seq, mgrX, w.IDs[apptest.SubMember], w.IDs[apptest.SubOwner])
		}
		return w.Pool(w.CreatePool(body))
	}
	for _, c := range cases {
		for sub := range apptest.Subjects {
			x := poolX(c.country)
			got := w.Do("PATCH", "/api/v1/pools/"+x.ID, w.Tokens[sub], c.body(w))
			if got.Status != c.want[sub] {
				t.Errorf("%s as %s: %d, want %d; %s", c.name, apptest.SubjectNames[sub], got.Status, c.want[sub], got.Body)
				continue
			}
			if got.Status >= 400 {
				p := got.Problem(t)
				if sub == apptest.SubMgr && got.Status == 403 {
					var fields []string
					for _, e := range p.Errors {
						fields = append(fields, e.Field)
					}
					if !slices.Equal(fields, c.named) {
						t.Errorf("%s as %s: the refusal names %v, want %v; %s", c.name, apptest.SubjectNames[sub], fields, c.named, got.Body)
					}
				}
				if after := w.Pool(x.ID); !reflect.DeepEqual(after, x) {
					t.Errorf("%s as %s: a refused patch changed the pool:\n%+v\nwas\n%+v", c.name, apptest.SubjectNames[sub], after, x)
				}
				if !c.country {
					w.Expect(w.Do("GET", "/api/v1/pools/"+x.ID, w.Tokens[apptest.SubOutsider], ""), 403)
				}
			}
		}
		// Nobody signed in, and a deactivated rep, are not let in at all.
		x := poolX(c.country)
		w.Expect(w.Do("PATCH", "/api/v1/pools/"+x.ID, "", c.body(w)), 401)
		w.Expect(w.Do("PATCH", "/api/v1/pools/"+x.ID, deactivated, c.body(w)), 401)
	}
}
