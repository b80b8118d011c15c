package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// TestVisibilityTwin checks that the SQL twin of lead.Visible (the list's
// Viewer) decides like the Go rule, for every kind of user and lead:
// owned, offered, pooled in a global, a team and another team's pool,
// administered, merged. It checks the reports' part of the view
// (answerableSQL) likewise: lead.Visible without the member relation.
func TestVisibilityTwin(t *testing.T) {
	db := testenv.Store(t)
	ctx := context.Background()
	user := func(name string, role lead.Role, team string) lead.User {
		u, err := db.CreateUser(ctx, lead.User{ID: uuid.NewString(), Name: name, Email: name + "@example.com", Role: role,
			TeamID: team, Capacity: 10, DailyClaimLimit: 10, Active: true}, []byte(uuid.NewString()))
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	teamA, err := db.CreateTeam(ctx, lead.Team{ID: uuid.NewString(), Name: "A"})
	if err != nil {
		t.Fatal(err)
	}
	teamB, err := db.CreateTeam(ctx, lead.Team{ID: uuid.NewString(), Name: "B"})
	if err != nil {
		t.Fatal(err)
	}
	admin := user("admin", lead.RoleAdmin, "")
	mgrA, mgrB := user("mgra", lead.RoleManager, ""), user("mgrb", lead.RoleManager, "")
	repA, repB, listed := user("repa", lead.RoleRep, teamA.ID), user("repb", lead.RoleRep, teamB.ID), user("listed", lead.RoleRep, "")
	pool := func(name string, scope lead.Scope, team string, admins, members []string) lead.Pool {
		p := lead.Pool{ID: uuid.NewString(), Name: name, Scope: scope, TeamID: team, AdminIDs: admins, MemberIDs: members}
		if err := p.Clean(); err != nil {
			t.Fatal(err)
		}
		p, err := db.CreatePool(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	poolA := pool("A", lead.ScopeTeam, teamA.ID, []string{mgrA.ID}, []string{listed.ID})
	poolB := pool("B", lead.ScopeTeam, teamB.ID, []string{mgrB.ID}, nil)
	users := []lead.User{admin, mgrA, mgrB, repA, repB, listed}

	var leads []lead.Lead
	add := func(poolID string, move func(l lead.Lead) lead.Lead) {
		l := pooledLead(t, db, fmt.Sprintf("Twin Trading %d", len(leads)), "")
		if poolID != lead.DefaultPoolID {
			var err error
			if l, err = db.Transfer(ctx, lead.Move{LeadID: l.ID, PoolID: poolID, RequestID: uuid.NewString()}); err != nil {
				t.Fatal(err)
			}
		}
		if move != nil {
			l = move(l)
		}
		leads = append(leads, l)
	}
	assignTo := func(rep lead.User) func(lead.Lead) lead.Lead {
		return func(l lead.Lead) lead.Lead {
			l, err := db.Assign(ctx, lead.Move{LeadID: l.ID, RepID: rep.ID, RequestID: uuid.NewString()})
			if err != nil {
				t.Fatal(err)
			}
			return l
		}
	}
	add(lead.DefaultPoolID, nil)                // pooled in the global pool
	add(poolA.ID, nil)                          // pooled in team A's pool
	add(poolB.ID, nil)                          // pooled in team B's pool
	add(poolA.ID, assignTo(repA))               // owned by a team A rep
	add(poolA.ID, assignTo(listed))             // owned by a listed member
	add(lead.DefaultPoolID, assignTo(repB))     // owned in the global pool
	add(poolB.ID, func(l lead.Lead) lead.Lead { // closed in team B's pool
		l, err := db.CloseLead(ctx, lead.Move{LeadID: l.ID, RequestID: uuid.NewString()})
		if err != nil {
			t.Fatal(err)
		}
		return l
	})
	ids := make([]string, len(leads))
	for i, l := range leads {
		ids[i] = l.ID
	}
	for _, u := range users {
		listed, _, err := db.Leads(ctx, store.LeadFilter{Viewer: store.ViewerOf(u), Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		var sqlSees []string
		for _, l := range listed {
			if slices.Contains(ids, l.ID) {
				sqlSees = append(sqlSees, l.ID)
			}
		}
		reported, err := store.ReportScope(ctx, db, store.ViewerOf(u))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range leads {
			r, err := db.Relation(ctx, u, l)
			if err != nil {
				t.Fatal(err)
			}
			goSees := lead.Visible(r, l.Status)
			if goSees != slices.Contains(sqlSees, l.ID) {
				t.Errorf("%s and lead %s (%s in pool %s, owner %s): Go says visible=%v, SQL %v",
					u.Name, l.Company, l.Status, l.PoolID, l.OwnerID, goSees, !goSees)
			}
			goReports := lead.Visible(r&^lead.RelMember, l.Status)
			if goReports != slices.Contains(reported, l.ID) {
				t.Errorf("%s and lead %s (%s in pool %s, owner %s): Go says reported=%v, SQL %v",
					u.Name, l.Company, l.Status, l.PoolID, l.OwnerID, goReports, !goReports)
			}
			if goReports && !goSees {
				t.Errorf("%s reports on lead %s they cannot see", u.Name, l.Company)
			}
		}
	}
	// Reports leave out what a rep may merely claim: repA sees team A's
	// pooled lead but does not report on it; mgrA reports on pool A's.
	for _, c := range []struct {
		u    lead.User
		l    int
		want bool
	}{{repA, 1, false}, {repA, 3, true}, {mgrA, 1, true}, {mgrA, 2, false}, {listed, 4, true}, {repB, 0, false}} {
		ids, err := store.ReportScope(ctx, db, store.ViewerOf(c.u))
		if err != nil {
			t.Fatal(err)
		}
		if got := slices.Contains(ids, leads[c.l].ID); got != c.want {
			t.Errorf("%s reports on lead %d: %v, want %v", c.u.Name, c.l, got, c.want)
		}
	}
	// Spot checks of the rule itself.
	for _, c := range []struct {
		u    lead.User
		l    int
		want bool
	}{{repA, 1, true}, {repA, 2, false}, {repB, 2, true}, {repA, 0, true}, {mgrA, 2, false}, {mgrA, 3, true},
		{repA, 4, false}, {listed, 4, true}, {repB, 6, false}, {mgrB, 6, true}, {admin, 6, true}} {
		r, err := db.Relation(ctx, c.u, leads[c.l])
		if err != nil {
			t.Fatal(err)
		}
		if got := lead.Visible(r, leads[c.l].Status); got != c.want {
			t.Errorf("%s sees lead %d: %v, want %v", c.u.Name, c.l, got, c.want)
		}
	}
}

// TestClaimChecksMembershipInItsTransaction: a rep outside the lead's
// pool cannot claim it, even when calling the store directly.
func TestClaimChecksMembershipInItsTransaction(t *testing.T) {
	db := testenv.Store(t)
	ctx := context.Background()
	team, err := db.CreateTeam(ctx, lead.Team{ID: uuid.NewString(), Name: "North"})
	if err != nil {
		t.Fatal(err)
	}
	p := lead.Pool{ID: uuid.NewString(), Name: "North pool", Scope: lead.ScopeTeam, TeamID: team.ID}
	if err := p.Clean(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreatePool(ctx, p); err != nil {
		t.Fatal(err)
	}
	rep, err := db.CreateUser(ctx, lead.User{ID: uuid.NewString(), Name: "Out", Email: "out@example.com", Role: lead.RoleRep,
		Capacity: 5, DailyClaimLimit: 5, Active: true}, []byte("h"))
	if err != nil {
		t.Fatal(err)
	}
	l := pooledLead(t, db, "Membership Motors", "")
	if _, err := db.Transfer(ctx, lead.Move{LeadID: l.ID, PoolID: p.ID, RequestID: uuid.NewString()}); err != nil {
		t.Fatal(err)
	}
	_, err = db.Claim(ctx, lead.Claim{LeadID: l.ID, RepID: rep.ID, RequestID: uuid.NewString()}, nil)
	if lead.ErrorCode(err) != lead.CodeNotFound {
		t.Fatalf("a non-member claimed a team pool's lead: %v", err)
	}
	// Assign checks that the target is a member of the lead's pool.
	admin, err := db.CreateUser(ctx, lead.User{ID: uuid.NewString(), Name: "Ad", Email: "ad@example.com", Role: lead.RoleAdmin,
		Capacity: 5, DailyClaimLimit: 5, Active: true}, []byte("h2"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Assign(ctx, lead.Move{LeadID: l.ID, ActorID: admin.ID, RepID: rep.ID, RequestID: uuid.NewString()})
	if r, _ := lead.RefusalReasons(err); lead.ErrorCode(err) != lead.CodeConflict || !slices.Contains(r, "the rep is not a member of the lead's pool") {
		t.Fatalf("assigned to a non-member: %v", err)
	}
}
