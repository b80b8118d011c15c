package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/leadflow/leadflow/lead"
)

// poolColumns reads a pool with its admins, members and weights (ids in
// id order, so that lists are stable).
const poolColumns = `p.id::text, p.name, p.scope, coalesce(p.country, ''), coalesce(p.team_id::text, ''),
	coalesce(p.owner_id::text, ''), p.policy, p.created_at, p.updated_at,
	array(SELECT m.user_id::text FROM pool_members m WHERE m.pool_id = p.id AND m.role = 'admin' ORDER BY m.user_id),
	array(SELECT m.user_id::text FROM pool_members m WHERE m.pool_id = p.id AND m.role = 'member' ORDER BY m.user_id),
	coalesce((SELECT jsonb_object_agg(m.user_id::text, m.weight) FROM pool_members m WHERE m.pool_id = p.id AND m.role = 'member'), '{}'),
	p.archived_at`

func scanPool(row pgx.Row) (lead.Pool, error) {
	var p lead.Pool
	var policy, weights []byte
	err := row.Scan(&p.ID, &p.Name, &p.Scope, &p.Country, &p.TeamID, &p.OwnerID, &policy, &p.CreatedAt, &p.UpdatedAt,
		&p.AdminIDs, &p.MemberIDs, &weights, &p.ArchivedAt)
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(policy, &p.Policy); err != nil {
		return p, fmt.Errorf("store: policy of pool %s: %w", p.ID, err)
	}
	if err := json.Unmarshal(weights, &p.Weights); err != nil {
		return p, fmt.Errorf("store: weights of pool %s: %w", p.ID, err)
	}
	if p.AdminIDs == nil {
		p.AdminIDs = []string{}
	}
	if p.MemberIDs == nil {
		p.MemberIDs = []string{}
	}
	return p, nil
}

type queryRower interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// execer is a pool, a connection or a transaction, for a statement
// without rows.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

func readPool(ctx context.Context, q queryRower, id string, forUpdate bool) (lead.Pool, error) {
	sql := `SELECT ` + poolColumns + ` FROM pools p WHERE p.id = $1`
	if forUpdate {
		sql += ` FOR UPDATE OF p`
	}
	p, err := scanPool(q.QueryRow(ctx, sql, id))
	return p, notFound(err, "pool")
}

// Pool returns one pool with its admins, members, weights and owner.
func (db *DB) Pool(ctx context.Context, id string) (lead.Pool, error) {
	if !isUUID(id) {
		return lead.Pool{}, lead.Errorf(lead.CodeNotFound, "pool not found")
	}
	return readPool(ctx, db.pool, id, false)
}

// PoolFilter selects pools to list.
type PoolFilter struct {
	Scope lead.Scope // "" for every scope
	// VisibleTo, a user id, keeps the pools that user may see without
	// managing pools: those they may claim from (global and country pools,
	// pools they are a member of, their team's) and those they administer.
	VisibleTo string
	// Archived lists the archived pools instead of the live ones.
	Archived bool
	Limit    int
	Cursor   string
}

// Pools lists pools by creation (oldest first), after the cursor, at most f.Limit.
func (db *DB) Pools(ctx context.Context, f PoolFilter) ([]lead.Pool, string, error) {
	var q listQuery
	if f.Scope != "" {
		if !f.Scope.Valid() {
			return nil, "", lead.Invalid(lead.FieldError{Field: "scope", Reason: "must be global, country or team"})
		}
		q.and("p.scope = " + q.arg(string(f.Scope)))
	}
	if f.VisibleTo != "" {
		if !isUUID(f.VisibleTo) {
			return nil, "", lead.Invalid(lead.FieldError{Field: "visible_to", Reason: "is not an id"})
		}
		u := q.arg(f.VisibleTo) + "::uuid"
		q.and("(" + memberSQL("p", u) + " OR " + poolAdminSQL("p", u) + ")")
	}
	if f.Archived {
		q.and("p.archived_at IS NOT NULL")
	} else {
		q.and("p.archived_at IS NULL")
	}
	if err := q.keyset("p.created_at", "p.id", false, f.Cursor); err != nil {
		return nil, "", err
	}
	if f.Limit < 1 {
		f.Limit = 50
	}
	return queryPage(ctx, db, poolColumns+` FROM pools p`, &q, f.Limit, scanPool,
		func(p lead.Pool) (time.Time, string) { return p.CreatedAt, p.ID })
}

// CreatePool inserts a pool with its admins and members. Without an owner
// the first admin owns it; an owner missing from the admins is added to
// them. p is cleaned (lead.Pool.Clean); ids of missing users or teams are
// invalid fields, and so is an admin who is a rep.
func (db *DB) CreatePool(ctx context.Context, p lead.Pool) (lead.Pool, error) {
	if p.ID == "" {
		p.ID = uuid.Must(uuid.NewV7()).String()
	}
	p.OwnerID = strings.ToLower(strings.TrimSpace(p.OwnerID))
	if p.OwnerID == "" && len(p.AdminIDs) > 0 {
		p.OwnerID = strings.ToLower(strings.TrimSpace(p.AdminIDs[0]))
	}
	if p.OwnerID != "" && !slices.ContainsFunc(p.AdminIDs, func(id string) bool { return strings.EqualFold(strings.TrimSpace(id), p.OwnerID) }) {
		p.AdminIDs = append([]string{p.OwnerID}, p.AdminIDs...)
	}
	if err := p.Clean(); err != nil {
		return lead.Pool{}, err
	}
	policy, err := json.Marshal(p.Policy)
	if err != nil {
		return lead.Pool{}, err
	}
	var out lead.Pool
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		if err := checkPoolRefs(ctx, tx, p); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO pools (id, name, scope, country, team_id, owner_id, policy)
			VALUES ($1, $2, $3, nullif($4, ''), nullif($5, '')::uuid, nullif($6, '')::uuid, $7)`,
			p.ID, p.Name, p.Scope, p.Country, p.TeamID, p.OwnerID, policy)
		if isUniqueViolation(err, "pools_pkey") {
			return lead.Conflict("a pool with this id already exists")
		}
		if err != nil {
			return err
		}
		if err := writePoolMembers(ctx, tx, p); err != nil {
			return err
		}
		out, err = readPool(ctx, tx, p.ID, false)
		return err
	})
	return out, err
}

// UpdatePool applies a merge patch to a pool in one transaction: the
// patched pool must pass lead.Pool.Clean and name existing users and teams.
// The owner cannot be changed or dropped from the admins here; see
// TransferPoolOwnership.
func (db *DB) UpdatePool(ctx context.Context, id string, patch lead.PoolPatch) (lead.Pool, error) {
	if !isUUID(id) {
		return lead.Pool{}, lead.Errorf(lead.CodeNotFound, "pool not found")
	}
	var out lead.Pool
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		p, err := readPool(ctx, tx, id, true)
		if err != nil {
			return err
		}
		patch.Apply(&p)
		if err := p.Clean(); err != nil {
			return err
		}
		if err := checkPoolRefs(ctx, tx, p); err != nil {
			return err
		}
		policy, err := json.Marshal(p.Policy)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE pools SET name = $2, scope = $3, country = nullif($4, ''), team_id = nullif($5, '')::uuid,
			policy = $6, updated_at = `+nextRevision+` WHERE id = $1`, id, p.Name, p.Scope, p.Country, p.TeamID, policy); err != nil {
			return err
		}
		if err := writePoolMembers(ctx, tx, p); err != nil {
			return err
		}
		out, err = readPool(ctx, tx, id, false)
		return err
	})
	return out, err
}

// TransferPoolOwnership makes newAdminID the owner of the pool and one of
// its admins; the previous owner stays in the pool as a member but is no
// longer an admin. The new owner must be an active manager or admin.
// Transferring to the current owner changes nothing.
func (db *DB) TransferPoolOwnership(ctx context.Context, poolID, newAdminID string) (lead.Pool, error) {
	if !isUUID(poolID) {
		return lead.Pool{}, lead.Errorf(lead.CodeNotFound, "pool not found")
	}
	newAdminID = strings.ToLower(strings.TrimSpace(newAdminID))
	if newAdminID == "" {
		return lead.Pool{}, lead.Invalid(lead.FieldError{Field: "admin_id", Reason: "is required"})
	}
	var out lead.Pool
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var owner string
		err := tx.QueryRow(ctx, `SELECT coalesce(owner_id::text, '') FROM pools WHERE id = $1 FOR UPDATE`, poolID).Scan(&owner)
		if err != nil {
			return notFound(err, "pool")
		}
		if !isUUID(newAdminID) {
			return lead.Invalid(lead.FieldError{Field: "admin_id", Reason: "is not a user id"})
		}
		var role lead.Role
		var active bool
		err = tx.QueryRow(ctx, `SELECT role, active FROM users WHERE id = $1 FOR SHARE`, newAdminID).Scan(&role, &active)
		if err != nil {
			if err = notFound(err, "user"); lead.ErrorCode(err) == lead.CodeNotFound {
				return lead.Invalid(lead.FieldError{Field: "admin_id", Reason: "no such user"})
			}
			return err
		}
		if role != lead.RoleAdmin && role != lead.RoleManager {
			return lead.Invalid(lead.FieldError{Field: "admin_id", Reason: fmt.Sprintf("must be a manager or an admin; the user is a %s", role)})
		}
		if !active {
			return lead.Invalid(lead.FieldError{Field: "admin_id", Reason: "must be an active user; the user is inactive"})
		}
		if owner != newAdminID {
			if _, err := tx.Exec(ctx, `UPDATE pools SET owner_id = $2, updated_at = `+nextRevision+` WHERE id = $1`, poolID, newAdminID); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO pool_members (pool_id, user_id, role) VALUES ($1, $2, 'admin')
				ON CONFLICT DO NOTHING`, poolID, newAdminID); err != nil {
				return err
			}
			if owner != "" {
				if _, err := tx.Exec(ctx, `DELETE FROM pool_members WHERE pool_id = $1 AND user_id = $2 AND role = 'admin'`, poolID, owner); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, `INSERT INTO pool_members (pool_id, user_id, role) VALUES ($1, $2, 'member')
					ON CONFLICT DO NOTHING`, poolID, owner); err != nil {
					return err
				}
			}
		}
		out, err = readPool(ctx, tx, poolID, false)
		return err
	})
	return out, err
}

// checkPoolRefs checks that the pool's admins and members are users, that
// its admins are managers or admins, and that its team exists.
func checkPoolRefs(ctx context.Context, tx pgx.Tx, p lead.Pool) error {
	var f lead.Fields
	var ids []string
	for _, group := range []struct {
		field string
		ids   []string
	}{{"admin_ids", p.AdminIDs}, {"member_ids", p.MemberIDs}} {
		for _, id := range group.ids {
			if !isUUID(id) {
				f.Add(group.field, fmt.Sprintf("%q is not a user id", id))
				continue
			}
			ids = append(ids, id)
		}
	}
	roles := map[string]lead.Role{}
	if len(ids) > 0 {
		// FOR SHARE: nobody demotes an admin to rep while they are made a pool admin.
		rows, err := tx.Query(ctx, `SELECT id::text, role FROM users WHERE id = ANY($1::text[]::uuid[]) FOR SHARE`, ids)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			var role lead.Role
			if err := rows.Scan(&id, &role); err != nil {
				rows.Close()
				return err
			}
			roles[id] = role
		}
		if err := rows.Err(); err != nil {
			return err
		}
	}
	for _, id := range p.AdminIDs {
		if role, ok := roles[id]; !ok && isUUID(id) {
			f.Add("admin_ids", "no user "+id)
		} else if ok && role == lead.RoleRep {
			f.Add("admin_ids", fmt.Sprintf("user %s is a rep; pool admins must be managers or admins", id))
		}
	}
	for _, id := range p.MemberIDs {
		if _, ok := roles[id]; !ok && isUUID(id) {
			f.Add("member_ids", "no user "+id)
		}
	}
	if p.TeamID != "" {
		if !isUUID(p.TeamID) {
			f.Add("team_id", "is not a team id")
		} else {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM teams WHERE id = $1`, p.TeamID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				f.Add("team_id", "no such team")
			}
		}
	}
	return f.Err()
}

// writePoolMembers replaces the admin and member rows of a pool.
func writePoolMembers(ctx context.Context, tx pgx.Tx, p lead.Pool) error {
	if _, err := tx.Exec(ctx, `DELETE FROM pool_members WHERE pool_id = $1`, p.ID); err != nil {
		return err
	}
	weights := make([]int32, len(p.MemberIDs))
	for i, id := range p.MemberIDs {
		weights[i] = int32(lead.DefaultWeight)
		if w, ok := p.Weights[id]; ok {
			weights[i] = int32(w)
		}
	}
	_, err := tx.Exec(ctx, `INSERT INTO pool_members (pool_id, user_id, role, weight)
		SELECT $1::uuid, a::uuid, 'admin', 1 FROM unnest($2::text[]) a
		UNION ALL
		SELECT $1::uuid, m.id::uuid, 'member', m.w FROM unnest($3::text[], $4::int[]) AS m(id, w)`,
		p.ID, p.AdminIDs, p.MemberIDs, weights)
	return err
}

// MissingPools returns those of ids that are not live pools (missing or archived).
func (db *DB) MissingPools(ctx context.Context, ids []string) ([]string, error) {
	var missing []string
	for _, id := range ids {
		if !isUUID(id) {
			missing = append(missing, id)
			continue
		}
		var n int
		if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM pools WHERE id = $1 AND archived_at IS NULL`, id).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			missing = append(missing, id)
		}
	}
	return missing, nil
}

// nextRevision is a pool's new updated_at: it grows with every change in
// the order the changes commit (the row is locked, and clock_timestamp is
// read after the lock), so it versions the pool's policy (LivePage.Version).
const nextRevision = `greatest(clock_timestamp(), updated_at + interval '1 microsecond')`
