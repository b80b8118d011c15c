package api_test

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/leadflow/leadflow/lead"
)

// poolFieldCase is one PATCH /api/v1/pools/{id} of the pool-field matrix:
// its body on a fresh pool X (team A's, administered by the manager of
// the world's pool A, with the member and owner reps as members), the
// fields a refusal must name, and each subject's status.
type poolFieldCase struct {
	name    string
	country bool // pool X is a country pool (CN) rather than team A's
	body    func(w *world) string
	named   []string // the fields the manager's 403 names
	want    [subjects]int
}

// TestPoolFieldMatrix sends each field of a pool, as every subject of the
// authorization matrix (and anonymously, and as a deactivated rep), to a
// fresh pool X administered by manager X: the fields that define the pool
// (name, scope, country, team, admins) are for admins only, and a pool's
// own admins get 403 naming the field; its policy, members and weights are
// for its admins too (README, "Access model"). A refusal changes nothing,
// and the non-member rep of team B still may not see pool X.
func TestPoolFieldMatrix(t *testing.T) {
	w := newWorld(t)
	teamA, teamB := w.teamOf(subMember), w.teamOf(subOutsider)
	mgrX, mgrY := w.ids[subMgr], w.ids[subOtherMgr]
	deactivatedID, deactivated := w.createRep("Dee", 5)
	w.expect(w.do("PATCH", "/api/v1/users/"+deactivatedID, w.admin, `{"active":false}`), 200)

	definesPool := [subjects]int{200, 403, 403, 403, 403, 403, 403}
	managesPool := [subjects]int{200, 200, 403, 403, 403, 403, 403}
	fixed := func(body string) func(*world) string { return func(*world) string { return body } }
	cases := []poolFieldCase{
		{name: "rename", body: fixed(`{"name":"Pool X renamed"}`), named: []string{"name"}, want: definesPool},
		{name: "scope global", body: fixed(`{"scope":"global","team_id":null}`), named: []string{"scope", "team_id"}, want: definesPool},
		{name: "scope country", body: fixed(`{"scope":"country","country":"CN","team_id":null}`), named: []string{"scope", "country", "team_id"}, want: definesPool},
		{name: "country", country: true, body: fixed(`{"country":"US"}`), named: []string{"country"}, want: definesPool},
		{name: "team B", body: fixed(fmt.Sprintf(`{"team_id":%q}`, teamB)), named: []string{"team_id"}, want: definesPool},
		{name: "manager Y as admin", body: fixed(fmt.Sprintf(`{"admin_ids":[%q,%q]}`, mgrX, mgrY)), named: []string{"admin_ids"}, want: definesPool},
		// A rep is never a pool admin: the admin's patch is invalid.
		{name: "rep B as admin", body: fixed(fmt.Sprintf(`{"admin_ids":[%q,%q]}`, mgrX, w.ids[subOutsider])), named: []string{"admin_ids"},
			want: [subjects]int{422, 403, 403, 403, 403, 403, 403}},
		{name: "policy and name", body: fixed(`{"name":"Pool X renamed","policy":{"distribution":"round_robin"}}`), named: []string{"name"}, want: definesPool},
		{name: "policy", body: fixed(`{"policy":{"distribution":"round_robin","cooldown":"2h","claim_when":"true"}}`), want: managesPool},
		{name: "members", body: func(w *world) string { return fmt.Sprintf(`{"member_ids":[%q]}`, w.ids[subMember]) }, want: managesPool},
		{name: "weights", body: func(w *world) string { return fmt.Sprintf(`{"weights":{%q:3}}`, w.ids[subMember]) }, want: managesPool},
		{name: "members, weights and policy", want: managesPool, body: func(w *world) string {
			return fmt.Sprintf(`{"member_ids":[%q,%q],"weights":{%q:2},"policy":{"auto_accept":true}}`,
				w.ids[subMember], w.ids[subOutsider], w.ids[subOutsider])
		}},
	}
	seq := 0
	poolX := func(country bool) lead.Pool {
		seq++
		body := fmt.Sprintf(`{"name":"Pool X %d","scope":"team","team_id":%q,"admin_ids":[%q],"member_ids":[%q,%q]}`,
			seq, teamA, mgrX, w.ids[subMember], w.ids[subOwner])
		if country {
			body = fmt.Sprintf(`{"name":"Pool X %d","scope":"country","country":"CN","admin_ids":[%q],"member_ids":[%q,%q]}`,
				seq, mgrX, w.ids[subMember], w.ids[subOwner])
		}
		return w.pool(w.createPool(body))
	}
	for _, c := range cases {
		for sub := range subjects {
			x := poolX(c.country)
			got := w.do("PATCH", "/api/v1/pools/"+x.ID, w.tokens[sub], c.body(w))
			if got.status != c.want[sub] {
				t.Errorf("%s as %s: %d, want %d; %s", c.name, subjectNames[sub], got.status, c.want[sub], got.body)
				continue
			}
			if got.status >= 400 {
				p := got.problem(t)
				if sub == subMgr && got.status == 403 {
					var fields []string
					for _, e := range p.Errors {
						fields = append(fields, e.Field)
					}
					if !slices.Equal(fields, c.named) {
						t.Errorf("%s as %s: the refusal names %v, want %v; %s", c.name, subjectNames[sub], fields, c.named, got.body)
					}
				}
				if after := w.pool(x.ID); !reflect.DeepEqual(after, x) {
					t.Errorf("%s as %s: a refused patch changed the pool:\n%+v\nwas\n%+v", c.name, subjectNames[sub], after, x)
				}
				if !c.country {
					w.expect(w.do("GET", "/api/v1/pools/"+x.ID, w.tokens[subOutsider], ""), 403)
				}
			}
		}
		// Nobody signed in, and a deactivated rep, are not let in at all.
		x := poolX(c.country)
		w.expect(w.do("PATCH", "/api/v1/pools/"+x.ID, "", c.body(w)), 401)
		w.expect(w.do("PATCH", "/api/v1/pools/"+x.ID, deactivated, c.body(w)), 401)
	}
}
