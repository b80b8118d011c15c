package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// This file holds the store's side of the access model (lead/access.go):
// the relation of a user to a lead, read inside the transaction that acts
// on the lead, and the SQL twin of lead.Visible that lists and exports
// filter with. TestVisibilityTwin checks that both decide alike.

// memberSQL is the SQL twin of PoolAccess.Member: user u may claim from
// pool p (a global or country pool, a pool u is a member of, u's team's pool).
func memberSQL(p, u string) string {
	return `(` + p + `.scope IN ('global', 'country')
		OR EXISTS (SELECT 1 FROM pool_members vm WHERE vm.pool_id = ` + p + `.id AND vm.user_id = ` + u + ` AND vm.role = 'member')
		OR (` + p + `.scope = 'team' AND ` + p + `.team_id = (SELECT vu.team_id FROM users vu WHERE vu.id = ` + u + `)))`
}

// poolAdminSQL is the SQL twin of PoolAccess.Admin: user u administers pool p.
func poolAdminSQL(p, u string) string {
	return `EXISTS (SELECT 1 FROM pool_members va JOIN users vu ON vu.id = va.user_id
		WHERE va.pool_id = ` + p + `.id AND va.user_id = ` + u + ` AND va.role = 'admin' AND vu.role <> 'rep')`
}

// visibleSQL is the SQL twin of lead.Visible for a user who is not an
// admin: the condition under which user u (a parameter placeholder of
// type uuid) sees lead l, joined to its pool p. It is answerableSQL plus
// the pooled leads of the pools u may claim from.
func visibleSQL(u string) string {
	return `(` + answerableSQL(u) + ` OR (p.id IS NOT NULL AND l.status = 'pooled' AND ` + memberSQL("p", u) + `))`
}

// answerableSQL is the part of the view a user answers for, which reports
// count: the leads owned by (or offered to) u and those of the pools u
// administers; for a rep, their own leads only. In the Go rule it is
// lead.Visible without the member relation: Visible(r &^ RelMember, status)
// (TestVisibilityTwin checks both). Reports leave out the pooled leads a
// rep may merely claim, and a manager's team pools they do not administer.
// l may also be a lead's funnel summary (lead_funnel), which carries the
// lead's owner_id and pool_id.
func answerableSQL(u string) string {
	return `(l.owner_id = ` + u + ` OR (p.id IS NOT NULL AND ` + poolAdminSQL("p", u) + `))`
}

// Viewer limits a list to what one user may see; the zero Viewer (or an
// admin) sees everything.
type Viewer struct {
	ID   string
	Role lead.Role
}

// ViewerOf is the Viewer of user u.
func ViewerOf(u lead.User) Viewer { return Viewer{ID: u.ID, Role: u.Role} }

// condition returns the SQL condition of v's view, "" when v sees everything.
func (v Viewer) condition(arg func(any) string) string {
	if v.ID == "" || v.Role == lead.RoleAdmin {
		return ""
	}
	return visibleSQL(arg(v.ID) + "::uuid")
}

// reportCondition returns the SQL condition of the leads v's reports
// count (answerableSQL), "" when v sees everything.
func (v Viewer) reportCondition(arg func(any) string) string {
	if v.ID == "" || v.Role == lead.RoleAdmin {
		return ""
	}
	return answerableSQL(arg(v.ID) + "::uuid")
}

// eventCondition returns the SQL condition of the events v's reports
// count, on event e of lead l (joined to its pool p): those of the leads
// v answers for (reportCondition), and those that took a lead from v (a
// reclaim's or a return's from_owner), which v answered for until then.
// "" when v sees everything.
func (v Viewer) eventCondition(arg func(any) string) string {
	c := v.reportCondition(arg)
	if c == "" {
		return ""
	}
	return `(` + c + ` OR e.data->>'from_owner' = ` + arg(v.ID) + `)`
}

// poolAccess is user u's access to pool poolID, decided by lead.PoolAccessOf.
func poolAccess(ctx context.Context, q queryRower, u lead.User, poolID string) (lead.PoolAccess, error) {
	if poolID == "" || u.ID == "" {
		return lead.PoolAccess{}, nil
	}
	p, err := readPool(ctx, q, poolID, false)
	if err != nil {
		return lead.PoolAccess{}, err
	}
	return lead.PoolAccessOf(u, p), nil
}

// relation reads how user u stands to lead l.
func relation(ctx context.Context, q queryRower, u lead.User, l lead.Lead) (lead.Relation, error) {
	pa, err := poolAccess(ctx, q, u, l.PoolID)
	if err != nil {
		return 0, err
	}
	return lead.RelationOf(u, l, pa), nil
}

// Relation returns how user u stands to lead l (as read from the store).
func (db *DB) Relation(ctx context.Context, u lead.User, l lead.Lead) (lead.Relation, error) {
	return relation(ctx, db.pool, u, l)
}

// PoolAccess returns how user u stands to the pool poolID.
func (db *DB) PoolAccess(ctx context.Context, u lead.User, poolID string) (lead.PoolAccess, error) {
	if !isUUID(poolID) {
		return lead.PoolAccess{}, lead.Errorf(lead.CodeNotFound, "pool not found")
	}
	return poolAccess(ctx, db.pool, u, poolID)
}

// LeadFor returns the lead with id when user u may do act on it (see
// lead.Authorize): a lead outside u's view is not found.
func (db *DB) LeadFor(ctx context.Context, id string, u lead.User, act lead.Action) (lead.Lead, error) {
	l, err := db.Lead(ctx, id)
	if err != nil {
		return l, err
	}
	r, err := db.Relation(ctx, u, l)
	if err != nil {
		return l, err
	}
	if err := lead.Authorize(act, r, l.Status); err != nil {
		return l, err
	}
	if l.DuplicateOf != "" {
		named, err := db.NamesDuplicate(ctx, u, l.DuplicateOf)
		if err != nil {
			return l, err
		}
		if !named {
			l.DuplicateOf = "" // a lead u may not see is not named to u
		}
	}
	return l, nil
}

// authorizeTx checks, inside the transaction acting on the locked lead l,
// that actorID may do act. An empty actor is the system (a timer): only
// the status is checked. For a lead the actor cannot see the refusal is
// the status (when wrong) or not-found: the API, which checked first,
// answered 404 already unless the lead moved meanwhile.
func authorizeTx(ctx context.Context, tx pgx.Tx, act lead.Action, actorID string, l lead.Lead) (lead.User, error) {
	p := lead.Permissions[act]
	if actorID == "" {
		return lead.User{}, p.CheckStatus(l.Status)
	}
	u, err := userTx(ctx, tx, actorID)
	if err != nil {
		return u, err
	}
	r, err := relation(ctx, tx, u, l)
	if err != nil {
		return u, err
	}
	if err := p.CheckStatus(l.Status); err != nil {
		return u, err // a lead that moved while the request ran: say why
	}
	return u, lead.Authorize(act, r, l.Status)
}

// userTx reads a user; a missing user is an invalid actor.
func userTx(ctx context.Context, q queryRower, id string) (lead.User, error) {
	if !isUUID(id) {
		return lead.User{}, lead.Errorf(lead.CodeNotFound, "user not found")
	}
	u, err := scanUser(q.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	return u, notFound(err, "user")
}
