package api_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestSkillsRouting is issue 29's skills and language routing through the
// API: admins give reps skills, languages and regions (PATCH
// /users/{id}, shown by GET /users), a routing rule requires Japanese of
// the rep its leads go to, and every Japanese lead goes to a Japanese
// speaker while the others go round the whole pool; a pool's
// score_half_life is part of its policy and GET /leads/{id} shows score
// and score_raw.
func TestSkillsRouting(t *testing.T) {
	s := apptest.NewStack(t)
	kenji, kenjiToken := s.CreateRep("Kenji", 20)
	emma, _ := s.CreateRep("Emma", 20)
	li, _ := s.CreateRep("Li", 20)
	var u lead.User
	s.Expect(s.Do("PATCH", "/api/v1/users/"+kenji, s.Admin, `{"languages":["JA","en"],"skills":["ERP"],"regions":["Kanto"]}`), 200).JSON(t, &u)
	if !slices.Equal(u.Languages, []string{"ja", "en"}) || !slices.Equal(u.Skills, []string{"ERP"}) || !slices.Equal(u.Regions, []string{"Kanto"}) {
		t.Fatalf("patched: %+v", u.Expertise)
	}
	s.Expect(s.Do("PATCH", "/api/v1/users/"+emma, s.Admin, `{"languages":["en"]}`), 200)
	s.Expect(s.Do("PATCH", "/api/v1/users/"+li, s.Admin, `{"languages":["zh-CN","en"]}`), 200)
	apptest.FieldProblem(t, s.Do("PATCH", "/api/v1/users/"+emma, s.Admin, `{"languages":["not a tag!"]}`), "languages")
	apptest.FieldProblem(t, s.Do("PATCH", "/api/v1/users/"+emma, s.Admin, `{"skills":"erp"}`), "skills")
	// A rep may not give themselves a language.
	s.Expect(s.Do("PATCH", "/api/v1/users/"+kenji, kenjiToken, `{"languages":["fr"]}`), 403)
	var users struct {
		Items []lead.User `json:"items"`
	}
	s.Expect(s.Do("GET", "/api/v1/users?limit=100", s.Admin, ""), 200).JSON(t, &users)
	i := slices.IndexFunc(users.Items, func(x lead.User) bool { return x.ID == kenji })
	if i < 0 || !slices.Equal(users.Items[i].Languages, []string{"ja", "en"}) {
		t.Fatalf("GET /users: %+v", users.Items)
	}

	pool := s.CreatePool(fmt.Sprintf(`{"name":"Asia desk","scope":"global","member_ids":[%q,%q,%q],
		"policy":{"distribution":"round_robin","auto_accept":true,"score_half_life":"14d"}}`, kenji, emma, li))
	s.Expect(s.Do("PUT", "/api/v1/rules/routing", s.Admin, fmt.Sprintf(`{"rules":[
		{"name":"japanese","when":"lead.country == \"JP\"","pool_id":%q,"require":{"languages":["ja"]}}],"default_pool_id":%q}`, pool, pool)), 200)
	apptest.FieldProblem(t, s.Do("PUT", "/api/v1/rules/routing", s.Admin, fmt.Sprintf(`{"rules":[
		{"name":"japanese","when":"true","pool_id":%q,"require":{"languages":["??"]}}],"default_pool_id":%q}`, pool, pool)), "rules[0].require.languages")

	for i := range 4 {
		l := s.CreateLead(fmt.Sprintf(`{"company":"Nihon Trading %d","phone":"+81312345%03d","country":"JP"}`, i, i))
		if l.Status != lead.StatusAssigned || l.OwnerID != kenji {
			t.Fatalf("japanese lead %d: %s to %s, want kenji %s", i, l.Status, l.OwnerID, kenji)
		}
		if i == 0 {
			routed := s.History(l.ID)
			j := slices.IndexFunc(routed, func(e lead.Event) bool { return e.Type == lead.EventPooled })
			if j < 0 || routed[j].Data["require"] == nil {
				t.Fatalf("the routed event does not say what the rule required: %+v", routed)
			}
			got := s.GetLead(l.ID)
			if got.ScoreRaw != got.Score {
				t.Fatalf("a new lead's score decayed already: %d of %d", got.Score, got.ScoreRaw)
			}
		}
	}
	per := map[string]int{}
	for i := range 4 {
		l := s.CreateLead(fmt.Sprintf(`{"company":"Open Trading %d","phone":"1380013%04d","country":"CN"}`, i, i))
		per[l.OwnerID]++
	}
	if per[emma] == 0 || per[li] == 0 {
		t.Fatalf("leads that require nothing went to %v", per)
	}
	got := s.Pool(pool)
	if got.Policy.ScoreHalfLife != lead.Duration(14*24*3600e9) {
		t.Fatalf("score_half_life: %v", got.Policy.ScoreHalfLife)
	}
	apptest.FieldProblem(t, s.Do("PATCH", "/api/v1/pools/"+pool, s.Admin, `{"policy":{"score_half_life":"1m"}}`), "policy.score_half_life")
	apptest.FieldProblem(t, s.Do("PATCH", "/api/v1/pools/"+pool, s.Admin, `{"policy":{"score_half_life":"soon"}}`), "policy.score_half_life")
	s.Expect(s.Do("PATCH", "/api/v1/pools/"+pool, s.Admin, `{"policy":{"score_half_life":null}}`), 200)
}
