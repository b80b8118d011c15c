package store

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

const teamColumns = `id::text, name, created_at`

func scanTeam(row pgx.Row) (lead.Team, error) {
	var t lead.Team
	err := row.Scan(&t.ID, &t.Name, &t.CreatedAt)
	return t, err
}

// CreateTeam inserts a team; a second team with the same name is a conflict.
func (db *DB) CreateTeam(ctx context.Context, t lead.Team) (lead.Team, error) {
	if err := t.Clean(); err != nil {
		return lead.Team{}, err
	}
	created, err := scanTeam(db.pool.QueryRow(ctx, `INSERT INTO teams (id, name) VALUES ($1, $2) RETURNING `+teamColumns, t.ID, t.Name))
	if isUniqueViolation(err, "teams_name_key") {
		return lead.Team{}, lead.Conflict("a team with this name already exists", "team name "+t.Name+" is taken")
	}
	if isUniqueViolation(err, "teams_pkey") {
		return lead.Team{}, lead.Conflict("a team with this id already exists")
	}
	return created, err
}

// Team returns one team.
func (db *DB) Team(ctx context.Context, id string) (lead.Team, error) {
	if !isUUID(id) {
		return lead.Team{}, lead.Errorf(lead.CodeNotFound, "team not found")
	}
	t, err := scanTeam(db.pool.QueryRow(ctx, `SELECT `+teamColumns+` FROM teams WHERE id = $1`, id))
	return t, notFound(err, "team")
}

// Teams lists teams by creation, after the cursor, at most limit.
func (db *DB) Teams(ctx context.Context, limit int, cursor string) ([]lead.Team, string, error) {
	q, args := `SELECT `+teamColumns+` FROM teams`, []any{limit + 1}
	if cursor != "" {
		after, afterID, err := decodeCursor(cursor)
		if err != nil {
			return nil, "", err
		}
		q += ` WHERE (created_at, id) > ($2, $3)`
		args = append(args, after, afterID)
	}
	rows, err := db.pool.Query(ctx, q+` ORDER BY created_at, id LIMIT $1`, args...)
	if err != nil {
		return nil, "", err
	}
	teams, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (lead.Team, error) { return scanTeam(r) })
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(teams) > limit {
		teams = teams[:limit]
		last := teams[limit-1]
		next = encodeCursor(last.CreatedAt, last.ID)
	}
	return teams, next, nil
}

// UserPatch is a merge patch of a user: nil fields stay unchanged. An empty
// TeamID takes the user out of their team.
type UserPatch struct {
	Name            *string
	Role            *lead.Role
	TeamID          *string
	Capacity        *int
	DailyClaimLimit *int
	Active          *bool
	Away            *bool
}

// UpdateUser applies a patch to a user in one transaction. The patched user
// must pass lead.User.Clean; a missing team is invalid. The last active
// admin cannot be demoted or deactivated, and a user who administers pools
// cannot become a rep (pool admins are managers or admins).
func (db *DB) UpdateUser(ctx context.Context, id string, patch UserPatch) (lead.User, error) {
	if !isUUID(id) {
		return lead.User{}, lead.Errorf(lead.CodeNotFound, "user not found")
	}
	var out lead.User
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		u, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return notFound(err, "user")
		}
		was := u
		patchField(&u.Name, patch.Name)
		patchField(&u.Role, patch.Role)
		patchField(&u.TeamID, patch.TeamID)
		patchField(&u.Capacity, patch.Capacity)
		patchField(&u.DailyClaimLimit, patch.DailyClaimLimit)
		patchField(&u.Active, patch.Active)
		patchField(&u.Away, patch.Away)
		u.TeamID = strings.ToLower(strings.TrimSpace(u.TeamID))
		if err := u.Clean(); err != nil {
			return err
		}
		if u.TeamID != "" && !isUUID(u.TeamID) {
			return lead.Invalid(lead.FieldError{Field: "team_id", Reason: "is not an id"})
		}
		if was.Role == lead.RoleAdmin && was.Active && (u.Role != lead.RoleAdmin || !u.Active) {
			// Lock the active admins so two concurrent demotions cannot both pass.
			rows, err := tx.Query(ctx, `SELECT id::text FROM users WHERE role = 'admin' AND active AND id <> $1 FOR UPDATE`, id)
			if err != nil {
				return err
			}
			others, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return err
			}
			if len(others) == 0 {
				return lead.Conflict("the last active admin cannot be demoted or deactivated", "make another user an admin first")
			}
		}
		if u.Role == lead.RoleRep && was.Role != lead.RoleRep {
			rows, err := tx.Query(ctx, `SELECT p.name FROM pool_members m JOIN pools p ON p.id = m.pool_id
				WHERE m.user_id = $1 AND m.role = 'admin' ORDER BY p.created_at, p.id`, id)
			if err != nil {
				return err
			}
			pools, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return err
			}
			if len(pools) > 0 {
				return lead.Conflict("a pool admin cannot become a rep",
					"administers the pools "+strings.Join(pools, ", ")+"; transfer their ownership or remove the user from admin_ids first")
			}
		}
		out, err = scanUser(tx.QueryRow(ctx, `UPDATE users SET name = $2, role = $3, team_id = nullif($4, '')::uuid,
			capacity = $5, daily_claim_limit = $6, active = $7, away = $8 WHERE id = $1 RETURNING `+userColumns,
			id, u.Name, u.Role, u.TeamID, u.Capacity, u.DailyClaimLimit, u.Active, u.Away))
		if isForeignKeyViolation(err) {
			return lead.Invalid(lead.FieldError{Field: "team_id", Reason: "no such team"})
		}
		return err
	})
	return out, err
}

// patchField sets *dst to *v when the patch has v.
func patchField[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
