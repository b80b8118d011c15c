package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

func pptr[T any](v T) *T { return &v }

// wantPoolField fails unless err is an invalid-input error naming field.
func wantPoolField(t *testing.T, err error, field string) {
	t.Helper()
	var le *lead.Error
	if !errors.As(err, &le) || le.Code != lead.CodeInvalid {
		t.Fatalf("want an invalid %s, got %v", field, err)
	}
	for _, f := range le.Fields {
		if f.Field == field {
			return
		}
	}
	t.Fatalf("want an error on %s, got %v", field, err)
}

func wantPoolCode(t *testing.T, err error, code lead.Code) {
	t.Helper()
	if lead.ErrorCode(err) != code {
		t.Fatalf("want %s, got %v", code, err)
	}
}

func sameIDSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestPoolClean(t *testing.T) {
	ok := func() lead.Pool {
		return lead.Pool{Name: " Sales CN ", Scope: lead.ScopeCountry, Country: "cn", MemberIDs: []string{"a", "b", "a"},
			Policy: lead.Policy{NoFollowUpAfter: lead.Wall(72 * time.Hour), RemindBefore: lead.Wall(24 * time.Hour)}}
	}
	p := ok()
	if err := p.Clean(); err != nil {
		t.Fatal(err)
	}
	if p.Name != "Sales CN" || p.Country != "CN" || p.Policy.Distribution != lead.DistributionClaimOnly ||
		!slices.Equal(p.MemberIDs, []string{"a", "b"}) || p.Weights["a"] != 1 || p.Weights["b"] != 1 {
		t.Fatalf("cleaned: %+v", p)
	}
	cases := map[string]struct {
		edit  func(*lead.Pool)
		field string
	}{
		"no name":             {func(p *lead.Pool) { p.Name = " " }, "name"},
		"bad scope":           {func(p *lead.Pool) { p.Scope = "planet" }, "scope"},
		"country missing":     {func(p *lead.Pool) { p.Country = "" }, "country"},
		"country not alpha-2": {func(p *lead.Pool) { p.Country = "CHN" }, "country"},
		"country on global":   {func(p *lead.Pool) { p.Scope = lead.ScopeGlobal }, "country"},
		"team missing":        {func(p *lead.Pool) { p.Scope, p.Country = lead.ScopeTeam, "" }, "team_id"},
		"team on country":     {func(p *lead.Pool) { p.TeamID = uuid.NewString() }, "team_id"},
		"distribution":        {func(p *lead.Pool) { p.Policy.Distribution = "random" }, "policy.distribution"},
		"negative":            {func(p *lead.Pool) { p.Policy.AcceptTimeout = lead.Wall(-1) }, "policy.accept_timeout"},
		"remind too long":     {func(p *lead.Pool) { p.Policy.RemindBefore = p.Policy.NoFollowUpAfter }, "policy.remind_before"},
		"remind vs conversion": {func(p *lead.Pool) {
			p.Policy.NoConversionAfter = lead.Wall(time.Hour)
		}, "policy.remind_before"},
		"weight of a stranger": {func(p *lead.Pool) { p.Weights = lead.Weights{"z": 2} }, "weights"},
		"weight zero":          {func(p *lead.Pool) { p.Weights = lead.Weights{"a": 0} }, "weights"},
		"owner not an admin":   {func(p *lead.Pool) { p.OwnerID = "a" }, "admin_ids"},
		"empty id":             {func(p *lead.Pool) { p.AdminIDs = []string{""} }, "admin_ids"},
	}
	for name, c := range cases {
		p := ok()
		c.edit(&p)
		err := p.Clean()
		var le *lead.Error
		if !errors.As(err, &le) || !slices.ContainsFunc(le.Fields, func(f lead.FieldError) bool { return f.Field == c.field }) {
			t.Errorf("%s: want an error on %s, got %v", name, c.field, err)
		}
	}
}

func TestTeams(t *testing.T) {
	db := testenv.Store(t)
	ctx := context.Background()
	a, err := db.CreateTeam(ctx, lead.Team{ID: uuid.NewString(), Name: " North "})
	if err != nil || a.Name != "North" || a.CreatedAt.IsZero() {
		t.Fatalf("create: %+v %v", a, err)
	}
	_, err = db.CreateTeam(ctx, lead.Team{ID: uuid.NewString(), Name: "North"})
	wantPoolCode(t, err, lead.CodeConflict)
	_, err = db.CreateTeam(ctx, lead.Team{ID: uuid.NewString(), Name: ""})
	wantPoolField(t, err, "name")
	b, err := db.CreateTeam(ctx, lead.Team{ID: uuid.NewString(), Name: "South"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.Team(ctx, a.ID)
	if err != nil || got.ID != a.ID || got.Name != "North" {
		t.Fatalf("team: %+v %v", got, err)
	}
	_, err = db.Team(ctx, uuid.NewString())
	wantPoolCode(t, err, lead.CodeNotFound)
	_, err = db.Team(ctx, "nope")
	wantPoolCode(t, err, lead.CodeNotFound)

	first, next, err := db.Teams(ctx, 1, "")
	if err != nil || len(first) != 1 || first[0].ID != a.ID || next == "" {
		t.Fatalf("page 1: %+v %q %v", first, next, err)
	}
	second, next, err := db.Teams(ctx, 1, next)
	if err != nil || len(second) != 1 || second[0].ID != b.ID || next != "" {
		t.Fatalf("page 2: %+v %q %v", second, next, err)
	}
	_, _, err = db.Teams(ctx, 1, "garbage")
	wantPoolField(t, err, "cursor")
}

func TestCreateAndListPools(t *testing.T) {
	db := testenv.Store(t)
	ctx := context.Background()
	def, err := db.Pool(ctx, lead.DefaultPoolID)
	if err != nil || def.Scope != lead.ScopeGlobal || def.OwnerID != "" || def.Policy.Distribution != lead.DistributionClaimOnly ||
		!def.Policy.AutoAccept || len(def.AdminIDs) != 0 || def.Weights == nil || def.UpdatedAt.IsZero() {
		t.Fatalf("default pool: %+v %v", def, err)
	}

	mgr := newUser(t, db, lead.RoleManager, 10, 10)
	mgr2 := newUser(t, db, lead.RoleManager, 10, 10)
	rep1 := newUser(t, db, lead.RoleRep, 10, 10)
	rep2 := newUser(t, db, lead.RoleRep, 10, 10)
	outsider := newUser(t, db, lead.RoleRep, 10, 10)
	team, err := db.CreateTeam(ctx, lead.Team{ID: uuid.NewString(), Name: "Team A"})
	if err != nil {
		t.Fatal(err)
	}

	cn, err := db.CreatePool(ctx, lead.Pool{ID: uuid.NewString(), Name: "China", Scope: lead.ScopeCountry, Country: "cn",
		AdminIDs: []string{mgr.ID, mgr2.ID}, MemberIDs: []string{rep1.ID, rep2.ID}, Weights: lead.Weights{rep1.ID: 3},
		Policy: lead.Policy{Distribution: lead.DistributionWeighted, AcceptTimeout: lead.Wall(30 * time.Minute),
			NoFollowUpAfter: lead.Wall(7 * 24 * time.Hour), RemindBefore: lead.Wall(24 * time.Hour), ClaimWhen: "true"}})
	if err != nil {
		t.Fatal(err)
	}
	if cn.OwnerID != mgr.ID || !sameIDSet(cn.AdminIDs, []string{mgr.ID, mgr2.ID}) || !sameIDSet(cn.MemberIDs, []string{rep1.ID, rep2.ID}) ||
		cn.Weights[rep1.ID] != 3 || cn.Weights[rep2.ID] != 1 || len(cn.Weights) != 2 || cn.Country != "CN" ||
		cn.Policy.AcceptTimeout != lead.Wall(30*time.Minute) || cn.Policy.ClaimWhen != "true" {
		t.Fatalf("created: %+v", cn)
	}
	got, err := db.Pool(ctx, cn.ID)
	if err != nil || got.Name != "China" || got.Weights[rep1.ID] != 3 || got.Policy.RemindBefore != lead.Wall(24*time.Hour) {
		t.Fatalf("read back: %+v %v", got, err)
	}

	// An owner who is not listed among the admins joins them.
	tp, err := db.CreatePool(ctx, lead.Pool{Name: "Team A pool", Scope: lead.ScopeTeam, TeamID: team.ID, OwnerID: mgr2.ID,
		MemberIDs: []string{rep1.ID}})
	if err != nil || tp.ID == "" || tp.OwnerID != mgr2.ID || !slices.Equal(tp.AdminIDs, []string{mgr2.ID}) || tp.TeamID != team.ID {
		t.Fatalf("team pool: %+v %v", tp, err)
	}
	other, err := db.CreatePool(ctx, lead.Pool{Name: "Team A closed", Scope: lead.ScopeTeam, TeamID: team.ID})
	if err != nil || other.OwnerID != "" {
		t.Fatalf("unowned pool: %+v %v", other, err)
	}

	// Bad references are invalid fields.
	_, err = db.CreatePool(ctx, lead.Pool{Name: "x", Scope: lead.ScopeGlobal, AdminIDs: []string{rep1.ID}})
	wantPoolField(t, err, "admin_ids")
	_, err = db.CreatePool(ctx, lead.Pool{Name: "x", Scope: lead.ScopeGlobal, MemberIDs: []string{uuid.NewString()}})
	wantPoolField(t, err, "member_ids")
	_, err = db.CreatePool(ctx, lead.Pool{Name: "x", Scope: lead.ScopeGlobal, MemberIDs: []string{"not-an-id"}})
	wantPoolField(t, err, "member_ids")
	_, err = db.CreatePool(ctx, lead.Pool{Name: "x", Scope: lead.ScopeTeam, TeamID: uuid.NewString()})
	wantPoolField(t, err, "team_id")
	_, err = db.CreatePool(ctx, lead.Pool{Name: "x", Scope: lead.ScopeCountry})
	wantPoolField(t, err, "country")

	_, err = db.Pool(ctx, uuid.NewString())
	wantPoolCode(t, err, lead.CodeNotFound)
	_, err = db.Pool(ctx, "12")
	wantPoolCode(t, err, lead.CodeNotFound)

	ids := func(ps []lead.Pool) []string {
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = p.ID
		}
		return out
	}
	all, next, err := db.Pools(ctx, store.PoolFilter{Limit: 10})
	if err != nil || next != "" || !slices.Equal(ids(all), []string{lead.DefaultPoolID, cn.ID, tp.ID, other.ID}) {
		t.Fatalf("all pools: %v %q %v", ids(all), next, err)
	}
	teams, _, err := db.Pools(ctx, store.PoolFilter{Scope: lead.ScopeTeam, Limit: 10})
	if err != nil || !slices.Equal(ids(teams), []string{tp.ID, other.ID}) {
		t.Fatalf("team pools: %v %v", ids(teams), err)
	}
	_, _, err = db.Pools(ctx, store.PoolFilter{Scope: "planet", Limit: 10})
	wantPoolField(t, err, "scope")
	// A rep sees the global and country pools and the pools they belong to.
	seen, _, err := db.Pools(ctx, store.PoolFilter{VisibleTo: rep1.ID, Limit: 10})
	if err != nil || !slices.Equal(ids(seen), []string{lead.DefaultPoolID, cn.ID, tp.ID}) {
		t.Fatalf("rep1 sees %v %v", ids(seen), err)
	}
	seen, _, err = db.Pools(ctx, store.PoolFilter{VisibleTo: outsider.ID, Limit: 10})
	if err != nil || !slices.Equal(ids(seen), []string{lead.DefaultPoolID, cn.ID}) {
		t.Fatalf("outsider sees %v %v", ids(seen), err)
	}
	// Paging walks every pool once.
	var walked []string
	cursor := ""
	for i := 0; i < 10; i++ {
		pg, n, err := db.Pools(ctx, store.PoolFilter{Limit: 3, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		walked = append(walked, ids(pg)...)
		if cursor = n; cursor == "" {
			break
		}
	}
	if !slices.Equal(walked, ids(all)) {
		t.Fatalf("paged %v, want %v", walked, ids(all))
	}
}

func TestUpdatePool(t *testing.T) {
	db := testenv.Store(t)
	ctx := context.Background()
	mgr := newUser(t, db, lead.RoleManager, 10, 10)
	rep1 := newUser(t, db, lead.RoleRep, 10, 10)
	rep2 := newUser(t, db, lead.RoleRep, 10, 10)
	rep3 := newUser(t, db, lead.RoleRep, 10, 10)
	p, err := db.CreatePool(ctx, lead.Pool{Name: "Global B", Scope: lead.ScopeGlobal, AdminIDs: []string{mgr.ID},
		MemberIDs: []string{rep1.ID, rep2.ID}, Weights: lead.Weights{rep1.ID: 5, rep2.ID: 2},
		Policy: lead.Policy{AcceptTimeout: lead.Wall(time.Hour), Cooldown: lead.Wall(48 * time.Hour), ClaimWhen: "true"}})
	if err != nil {
		t.Fatal(err)
	}

	// Absent fields stay; policy fields are patched one by one; members who
	// stay keep their weight, new ones get 1 unless weighted.
	up, err := db.UpdatePool(ctx, p.ID, lead.PoolPatch{Name: pptr("Global B2"), MemberIDs: &[]string{rep1.ID, rep3.ID},
		Policy: lead.PolicyPatch{Cooldown: pptr(lead.Span{}), Distribution: pptr(lead.DistributionRoundRobin)}})
	if err != nil {
		t.Fatal(err)
	}
	if up.Name != "Global B2" || up.Scope != lead.ScopeGlobal || up.OwnerID != mgr.ID || !slices.Equal(up.AdminIDs, []string{mgr.ID}) ||
		!sameIDSet(up.MemberIDs, []string{rep1.ID, rep3.ID}) || len(up.Weights) != 2 || up.Weights[rep1.ID] != 5 || up.Weights[rep3.ID] != 1 ||
		up.Policy.AcceptTimeout != lead.Wall(time.Hour) || up.Policy.Cooldown.On() || up.Policy.ClaimWhen != "true" ||
		up.Policy.Distribution != lead.DistributionRoundRobin || !up.UpdatedAt.After(p.UpdatedAt) {
		t.Fatalf("patched: %+v", up)
	}
	up, err = db.UpdatePool(ctx, p.ID, lead.PoolPatch{Weights: lead.Weights{rep3.ID: 4}})
	if err != nil || up.Weights[rep3.ID] != 4 || up.Weights[rep1.ID] != 5 {
		t.Fatalf("weights: %+v %v", up, err)
	}
	// Scope change needs its country.
	_, err = db.UpdatePool(ctx, p.ID, lead.PoolPatch{Scope: pptr(lead.ScopeCountry)})
	wantPoolField(t, err, "country")
	up, err = db.UpdatePool(ctx, p.ID, lead.PoolPatch{Scope: pptr(lead.ScopeCountry), Country: pptr("us")})
	if err != nil || up.Country != "US" {
		t.Fatalf("to country: %+v %v", up, err)
	}
	// The owner stays an admin; transfer ownership first.
	_, err = db.UpdatePool(ctx, p.ID, lead.PoolPatch{AdminIDs: &[]string{}})
	wantPoolField(t, err, "admin_ids")
	_, err = db.UpdatePool(ctx, p.ID, lead.PoolPatch{AdminIDs: &[]string{mgr.ID, rep2.ID}})
	wantPoolField(t, err, "admin_ids")
	_, err = db.UpdatePool(ctx, p.ID, lead.PoolPatch{Weights: lead.Weights{rep2.ID: 2}})
	wantPoolField(t, err, "weights")
	_, err = db.UpdatePool(ctx, p.ID, lead.PoolPatch{Policy: lead.PolicyPatch{RemindBefore: pptr(lead.Wall(time.Hour)),
		NoConversionAfter: pptr(lead.Wall(time.Hour))}})
	wantPoolField(t, err, "policy.remind_before")
	// A refused patch changed nothing.
	got, err := db.Pool(ctx, p.ID)
	if err != nil || got.Policy.RemindBefore.On() || got.Country != "US" || !slices.Equal(got.AdminIDs, []string{mgr.ID}) {
		t.Fatalf("after refusals: %+v %v", got, err)
	}
	_, err = db.UpdatePool(ctx, uuid.NewString(), lead.PoolPatch{Name: pptr("x")})
	wantPoolCode(t, err, lead.CodeNotFound)
	_, err = db.UpdatePool(ctx, "x", lead.PoolPatch{Name: pptr("x")})
	wantPoolCode(t, err, lead.CodeNotFound)
}

func TestTransferPoolOwnership(t *testing.T) {
	db := testenv.Store(t)
	ctx := context.Background()
	m1 := newUser(t, db, lead.RoleManager, 10, 10)
	m2 := newUser(t, db, lead.RoleManager, 10, 10)
	admin := newUser(t, db, lead.RoleAdmin, 10, 10)
	rep := newUser(t, db, lead.RoleRep, 10, 10)
	p, err := db.CreatePool(ctx, lead.Pool{Name: "P", Scope: lead.ScopeGlobal, AdminIDs: []string{m1.ID}, MemberIDs: []string{rep.ID}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := db.TransferPoolOwnership(ctx, p.ID, m2.ID)
	if err != nil {
		t.Fatal(err)
	}
	if out.OwnerID != m2.ID || !slices.Equal(out.AdminIDs, []string{m2.ID}) || !sameIDSet(out.MemberIDs, []string{rep.ID, m1.ID}) ||
		out.Weights[m1.ID] != 1 {
		t.Fatalf("after transfer: %+v", out)
	}
	// Again to the same owner: nothing changes.
	again, err := db.TransferPoolOwnership(ctx, p.ID, m2.ID)
	if err != nil || again.OwnerID != m2.ID || !slices.Equal(again.AdminIDs, []string{m2.ID}) {
		t.Fatalf("same owner: %+v %v", again, err)
	}
	// An admin may own a pool; a rep, an inactive or a missing user may not.
	if out, err = db.TransferPoolOwnership(ctx, p.ID, admin.ID); err != nil || out.OwnerID != admin.ID {
		t.Fatalf("to an admin: %+v %v", out, err)
	}
	_, err = db.TransferPoolOwnership(ctx, p.ID, rep.ID)
	wantPoolField(t, err, "admin_id")
	if _, err := db.UpdateUser(ctx, m1.ID, store.UserPatch{Active: pptr(false)}); err != nil {
		t.Fatal(err)
	}
	_, err = db.TransferPoolOwnership(ctx, p.ID, m1.ID)
	wantPoolField(t, err, "admin_id")
	_, err = db.TransferPoolOwnership(ctx, p.ID, uuid.NewString())
	wantPoolField(t, err, "admin_id")
	_, err = db.TransferPoolOwnership(ctx, p.ID, "")
	wantPoolField(t, err, "admin_id")
	_, err = db.TransferPoolOwnership(ctx, uuid.NewString(), m2.ID)
	wantPoolCode(t, err, lead.CodeNotFound)

	// The default pool has no owner: a transfer gives it one.
	def, err := db.TransferPoolOwnership(ctx, lead.DefaultPoolID, m2.ID)
	if err != nil || def.OwnerID != m2.ID || !slices.Equal(def.AdminIDs, []string{m2.ID}) || len(def.MemberIDs) != 0 {
		t.Fatalf("default pool: %+v %v", def, err)
	}
}

func TestUpdateUser(t *testing.T) {
	db := testenv.Store(t)
	ctx := context.Background()
	admin := newUser(t, db, lead.RoleAdmin, 10, 10)
	rep := newUser(t, db, lead.RoleRep, 10, 10)
	mgr := newUser(t, db, lead.RoleManager, 10, 10)
	team, err := db.CreateTeam(ctx, lead.Team{ID: uuid.NewString(), Name: "T"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := db.UpdateUser(ctx, rep.ID, store.UserPatch{Away: pptr(true), Capacity: pptr(7), TeamID: pptr(strings.ToUpper(team.ID))})
	if err != nil || !u.Away || u.Capacity != 7 || u.TeamID != team.ID || u.DailyClaimLimit != 10 || u.Name != rep.Name || !u.Active {
		t.Fatalf("patched: %+v %v", u, err)
	}
	u, err = db.UpdateUser(ctx, rep.ID, store.UserPatch{Away: pptr(false), TeamID: pptr(""), Name: pptr("Rita"), DailyClaimLimit: pptr(3)})
	if err != nil || u.Away || u.TeamID != "" || u.Name != "Rita" || u.DailyClaimLimit != 3 || u.Capacity != 7 {
		t.Fatalf("patched again: %+v %v", u, err)
	}
	_, err = db.UpdateUser(ctx, rep.ID, store.UserPatch{Capacity: pptr(-1)})
	wantPoolField(t, err, "capacity")
	_, err = db.UpdateUser(ctx, rep.ID, store.UserPatch{Role: pptr(lead.Role("boss"))})
	wantPoolField(t, err, "role")
	_, err = db.UpdateUser(ctx, rep.ID, store.UserPatch{TeamID: pptr(uuid.NewString())})
	wantPoolField(t, err, "team_id")
	_, err = db.UpdateUser(ctx, rep.ID, store.UserPatch{TeamID: pptr("t1")})
	wantPoolField(t, err, "team_id")
	_, err = db.UpdateUser(ctx, uuid.NewString(), store.UserPatch{Away: pptr(true)})
	wantPoolCode(t, err, lead.CodeNotFound)

	// The last active admin stays an admin.
	_, err = db.UpdateUser(ctx, admin.ID, store.UserPatch{Role: pptr(lead.RoleManager)})
	wantPoolCode(t, err, lead.CodeConflict)
	_, err = db.UpdateUser(ctx, admin.ID, store.UserPatch{Active: pptr(false)})
	wantPoolCode(t, err, lead.CodeConflict)
	if _, err := db.UpdateUser(ctx, mgr.ID, store.UserPatch{Role: pptr(lead.RoleAdmin)}); err != nil {
		t.Fatal(err)
	}
	if u, err := db.UpdateUser(ctx, admin.ID, store.UserPatch{Role: pptr(lead.RoleManager)}); err != nil || u.Role != lead.RoleManager {
		t.Fatalf("demote with another admin: %+v %v", u, err)
	}

	// A pool admin cannot become a rep.
	if _, err := db.CreatePool(ctx, lead.Pool{Name: "P", Scope: lead.ScopeGlobal, AdminIDs: []string{admin.ID}}); err != nil {
		t.Fatal(err)
	}
	_, err = db.UpdateUser(ctx, admin.ID, store.UserPatch{Role: pptr(lead.RoleRep)})
	wantPoolCode(t, err, lead.CodeConflict)
	got, err := db.User(ctx, admin.ID)
	if err != nil || got.Role != lead.RoleManager {
		t.Fatalf("after refusal: %+v %v", got, err)
	}
}
