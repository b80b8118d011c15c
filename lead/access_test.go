package lead

import (
	"errors"
	"testing"
)

// TestAuthorize walks the access model's table: who sees a lead, who may
// act on it, and from which status.
func TestAuthorize(t *testing.T) {
	for _, c := range []struct {
		act  Action
		rel  Relation
		s    Status
		want Code // "" for allowed
	}{
		{ActRead, RelAdmin, StatusRejected, ""},
		{ActRead, RelMember, StatusPooled, ""},
		{ActRead, RelMember, StatusAssigned, CodeNotFound}, // someone else's now
		{ActRead, RelOffered, StatusOffered, ""},
		{ActRead, 0, StatusPooled, CodeNotFound},
		{ActClaim, RelMember, StatusPooled, ""},
		{ActClaim, RelOwner | RelMember, StatusAssigned, CodeConflict},
		{ActClaim, RelPoolAdmin, StatusPooled, ""},
		{ActAssign, RelMember, StatusPooled, CodeForbidden},
		{ActAssign, RelPoolAdmin, StatusPooled, ""},
		{ActTransfer, RelPoolAdmin, StatusConverted, CodeConflict},
		{ActAccept, RelOffered, StatusOffered, ""},
		{ActDecline, RelPoolAdmin, StatusOffered, ""},
		{ActFollowUp, RelOwner, StatusAssigned, ""},
		{ActFollowUp, RelOffered, StatusOffered, CodeForbidden},
		{ActReturn, RelOwner, StatusAssigned, ""},
		{ActReclaim, RelOwner, StatusAssigned, CodeForbidden},
		{ActClose, RelOwner, StatusAssigned, CodeForbidden},
		{ActClose, RelAdmin, StatusAssigned, ""},
		{ActConvert, RelOwner, StatusConverted, ""}, // answers the existing customer
		{ActConvert, RelOwner, StatusPooled, CodeConflict},
		{ActEdit, RelOwner, StatusClosed, CodeConflict},
	} {
		err := Authorize(c.act, c.rel, c.s)
		if got := ErrorCode(err); (c.want == "" && err != nil) || (c.want != "" && got != c.want) {
			t.Errorf("%s by %q from %s: %v, want %q", c.act, c.rel, c.s, err, c.want)
		}
	}
	// Pool actions: admins and the pool's own admins.
	if err := AuthorizePool(ActImport, User{Role: RoleManager}, PoolAccess{Admin: true}); err != nil {
		t.Errorf("a pool admin imports: %v", err)
	}
	if err := AuthorizePool(ActImport, User{Role: RoleManager}, PoolAccess{Member: true}); ErrorCode(err) != CodeForbidden {
		t.Errorf("a manager of another pool imports: %v", err)
	}
	// A pool's fields: its policy, members and weights for its admins too;
	// what defines it (name, scope, country, team, admins) for admins only,
	// refused naming each field.
	name, scope, team := "X", ScopeGlobal, ""
	define := PoolPatch{Name: &name, Scope: &scope, TeamID: &team, AdminIDs: &[]string{"m2"}}
	manage := PoolPatch{MemberIDs: &[]string{"r1"}, Weights: Weights{"r1": 2}, Policy: PolicyPatch{Distribution: &name}}
	mgr, pa := User{ID: "m1", Role: RoleManager}, PoolAccess{Admin: true}
	if err := AuthorizePoolPatch(mgr, pa, manage); err != nil {
		t.Errorf("a pool admin changes its policy, members and weights: %v", err)
	}
	err := AuthorizePoolPatch(mgr, pa, define)
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeForbidden || len(e.Fields) != 4 || e.Fields[0].Field != "name" || e.Fields[3].Field != "admin_ids" {
		t.Errorf("a pool admin redefines the pool: %#v", err)
	}
	if err := AuthorizePoolPatch(User{Role: RoleAdmin}, PoolAccess{}, define); err != nil {
		t.Errorf("an admin redefines a pool: %v", err)
	}
	if err := AuthorizePoolPatch(mgr, PoolAccess{Member: true}, manage); ErrorCode(err) != CodeForbidden {
		t.Errorf("a manager of another pool changes its members: %v", err)
	}
	// Every action has a row.
	for _, a := range Actions {
		if _, ok := Permissions[a]; !ok {
			t.Errorf("%s has no permission", a)
		}
	}
}

// TestRelationOf: how a user stands to a lead, from the lead and their
// access to its pool.
func TestRelationOf(t *testing.T) {
	rep := User{ID: "r1", Role: RoleRep, TeamID: "t1"}
	team := Pool{ID: "p1", Scope: ScopeTeam, TeamID: "t1"}
	other := Pool{ID: "p2", Scope: ScopeTeam, TeamID: "t2", MemberIDs: []string{"r9"}}
	if pa := PoolAccessOf(rep, team); !pa.Member || pa.Admin {
		t.Fatalf("a rep in their team's pool: %+v", pa)
	}
	if pa := PoolAccessOf(rep, other); pa.Member || pa.Admin {
		t.Fatalf("a rep in another team's pool: %+v", pa)
	}
	if pa := PoolAccessOf(rep, Pool{AdminIDs: []string{"r1"}, Scope: ScopeGlobal}); pa.Admin || !pa.Member {
		t.Fatalf("a rep listed as an admin is no admin: %+v", pa)
	}
	offered := Lead{PoolID: "p1", OwnerID: "r1", Status: StatusOffered}
	if r := RelationOf(rep, offered, PoolAccessOf(rep, team)); !r.Has(RelOffered|RelMember) || r.Has(RelOwner) {
		t.Fatalf("an offer: %s", r)
	}
}
