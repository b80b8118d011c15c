package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// skillsRep creates an active rep speaking langs.
func skillsRep(t testing.TB, db *store.DB, name string, capacity int, langs ...string) string {
	t.Helper()
	u := lead.User{ID: uuid.NewString(), Name: name, Email: name + "@example.com", Role: lead.RoleRep, Capacity: capacity,
		DailyClaimLimit: 100, Active: true, Expertise: lead.Expertise{Languages: langs}}
	if err := u.Clean(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateUser(context.Background(), u, []byte(uuid.NewString())); err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// intakeInto stores a new lead and routes it into pool requiring req.
func intakeInto(t testing.TB, db *store.DB, i int, pool string, req *lead.Requirement) lead.Lead {
	t.Helper()
	ctx := context.Background()
	in := lead.Input{Contact: lead.Contact{Company: fmt.Sprintf("Skills Trading %d", i), Phone: fmt.Sprintf("+86138001%05d", i)}, Source: lead.SourceAPI}
	if err := in.Clean(); err != nil {
		t.Fatal(err)
	}
	l, err := db.InsertReceived(ctx, in.NewLead(uuid.NewString()))
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.ApplyIntake(ctx, l.ID, lead.IntakePlan{PoolID: pool, Requires: req, AutoAccept: true, Score: 80,
		Routed: lead.Event{Type: lead.EventPooled, RuleKind: "routing", RuleVersion: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return res.Lead
}

// TestDistributionRequiresLanguage: through PostgreSQL, leads whose
// routing rule requires Japanese go only to the pool's Japanese speakers,
// weighted, still within their capacity; with none left the lead waits
// pooled; leads requiring nothing go to anyone.
func TestDistributionRequiresLanguage(t *testing.T) {
	ctx := context.Background()
	db := testenv.Store(t)
	ja1 := skillsRep(t, db, "kenji", 100, "ja")
	ja2 := skillsRep(t, db, "yui", 3, "ja-JP", "en")
	en := skillsRep(t, db, "emma", 100, "en")
	zh := skillsRep(t, db, "li", 100, "zh-CN")
	pool, err := db.CreatePool(ctx, lead.Pool{ID: uuid.NewString(), Name: "Japan desk", Scope: lead.ScopeGlobal,
		MemberIDs: []string{ja1, ja2, en, zh}, Weights: lead.Weights{ja1: 3, ja2: 1},
		Policy: lead.Policy{Distribution: lead.DistributionWeighted, AutoAccept: true}})
	if err != nil {
		t.Fatal(err)
	}
	ja := &lead.Requirement{Languages: []string{"ja"}}
	got := map[string]int{}
	for i := range 12 {
		l := intakeInto(t, db, i, pool.ID, ja)
		if l.Status != lead.StatusAssigned {
			t.Fatalf("lead %d: %s", i, l.Status)
		}
		got[l.OwnerID]++
	}
	// Weights 3:1 among the Japanese speakers: 9 and 3 (yui is then full).
	if got[ja1] != 9 || got[ja2] != 3 || got[en] != 0 || got[zh] != 0 {
		t.Fatalf("japanese leads went to %v (kenji %s, yui %s)", got, ja1, ja2)
	}
	// Kenji away: yui is full, so nobody may take the next Japanese lead.
	away := true
	if _, err := db.UpdateUser(ctx, ja1, store.UserPatch{Away: &away}); err != nil {
		t.Fatal(err)
	}
	waiting := intakeInto(t, db, 20, pool.ID, ja)
	if waiting.Status != lead.StatusPooled || waiting.OwnerID != "" {
		t.Fatalf("a japanese lead without a free japanese speaker: %s to %q", waiting.Status, waiting.OwnerID)
	}
	if waiting.Requires == nil || len(waiting.Requires.Languages) != 1 {
		t.Fatalf("the lead does not keep its requirement: %+v", waiting.Requires)
	}
	// Its next distribution (the workflow's, when the pool changes)
	// still requires Japanese: back from away, kenji gets it.
	away = false
	if _, err := db.UpdateUser(ctx, ja1, store.UserPatch{Away: &away}); err != nil {
		t.Fatal(err)
	}
	if l, err := db.Distribute(ctx, lead.Move{LeadID: waiting.ID, RequestID: "skills/redistribute", AutoAccept: true}); err != nil || l.OwnerID != ja1 {
		t.Fatalf("redistributed to %q (%v), want kenji", l.OwnerID, err)
	}
	// A lead requiring nothing goes to one of the others.
	if l := intakeInto(t, db, 21, pool.ID, nil); l.OwnerID != en && l.OwnerID != zh {
		t.Fatalf("an open lead went to %q", l.OwnerID)
	}
}

// TestScoreDecay: a pool's score_half_life halves the score rules and
// lists see every half-life since the lead's last activity; GET shows the
// stored score as score_raw, and the list's score filter and sort use the
// decayed score.
func TestScoreDecay(t *testing.T) {
	ctx := context.Background()
	url := testenv.DatabaseURL(t)
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pool, err := db.CreatePool(ctx, lead.Pool{ID: uuid.NewString(), Name: "Decaying", Scope: lead.ScopeGlobal,
		Policy: lead.Policy{ScoreHalfLife: lead.Duration(14 * 24 * time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	fresh := intakeInto(t, db, 1, pool.ID, nil)
	stale := intakeInto(t, db, 2, pool.ID, nil)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `UPDATE leads SET created_at = now() - interval '28 days' WHERE id = $1`, stale.ID); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		id        string
		want, raw int
	}{{fresh.ID, 80, 80}, {stale.ID, 20, 80}} {
		l, err := db.Lead(ctx, c.id)
		if err != nil || l.Score != c.want || l.ScoreRaw != c.raw {
			t.Fatalf("lead %s: score %d raw %d, want %d and %d (%v)", c.id, l.Score, l.ScoreRaw, c.want, c.raw, err)
		}
	}
	min := 50
	ls, _, err := db.Leads(ctx, store.LeadFilter{PoolID: pool.ID, ScoreMin: &min, Limit: 10})
	if err != nil || len(ls) != 1 || ls[0].ID != fresh.ID {
		t.Fatalf("score_min 50: %v %v", ls, err)
	}
	// Sorted by score the stale lead sinks, though it was created first.
	ls, _, err = db.Leads(ctx, store.LeadFilter{PoolID: pool.ID, Sort: "score", Limit: 10})
	if err != nil || len(ls) != 2 || ls[0].ID != fresh.ID || ls[1].ID != stale.ID {
		t.Fatalf("by score: %v %v", ls, err)
	}
	// A follow-up is activity: the decay starts again.
	if _, err := conn.Exec(ctx, `UPDATE leads SET last_follow_up_at = now() WHERE id = $1`, stale.ID); err != nil {
		t.Fatal(err)
	}
	if l, err := db.Lead(ctx, stale.ID); err != nil || l.Score != 80 {
		t.Fatalf("after a follow-up: %d %v", l.Score, err)
	}
}
