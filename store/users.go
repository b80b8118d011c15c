package store

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

const userColumns = `id::text, name, email, role, coalesce(team_id::text, ''), capacity, daily_claim_limit, active, created_at, away,
	token_expires_at, token_used_at, language, time_zone, skills, languages, regions`

// userFields are the scan destinations of userColumns.
func userFields(u *lead.User) []any {
	return []any{&u.ID, &u.Name, &u.Email, &u.Role, &u.TeamID, &u.Capacity, &u.DailyClaimLimit, &u.Active, &u.CreatedAt, &u.Away,
		&u.TokenExpiresAt, &u.TokenUsedAt, &u.Language, &u.TimeZone, &u.Skills, &u.Languages, &u.Regions}
}

func scanUser(row pgx.Row) (lead.User, error) {
	var u lead.User
	err := row.Scan(userFields(&u)...)
	return u, err
}

// CreateUser inserts u with the hash of its API token. A second user with
// the same e-mail is a conflict.
func (db *DB) CreateUser(ctx context.Context, u lead.User, tokenHash []byte) (lead.User, error) {
	row := db.pool.QueryRow(ctx, `
		INSERT INTO users (id, name, email, role, team_id, capacity, daily_claim_limit, active, token_hash, language, time_zone,
			skills, languages, regions)
		VALUES ($1, $2, $3, $4, nullif($5, '')::uuid, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		RETURNING `+userColumns,
		u.ID, u.Name, u.Email, u.Role, u.TeamID, u.Capacity, u.DailyClaimLimit, u.Active, tokenHash, u.Language, u.TimeZone,
		nonNilStrings(u.Skills), nonNilStrings(u.Languages), nonNilStrings(u.Regions))
	created, err := scanUser(row)
	if isUniqueViolation(err, "users_email_key") {
		return lead.User{}, lead.Conflict("a user with this e-mail already exists", "email "+u.Email+" is taken")
	}
	if isForeignKeyViolation(err) {
		return lead.User{}, lead.Invalid(lead.FieldError{Field: "team_id", Reason: "no such team"})
	}
	if isUniqueViolation(err, "users_pkey") {
		return lead.User{}, lead.Conflict("a user with this id already exists")
	}
	return created, err
}

// UserByTokenHash finds the active user whose API token hashes to h and
// has not expired, and notes when the token was used (at most once a minute).
func (db *DB) UserByTokenHash(ctx context.Context, h []byte) (lead.User, error) {
	u, err := scanUser(db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users
		WHERE token_hash = $1 AND active AND (token_expires_at IS NULL OR token_expires_at > now())`, h))
	if err != nil {
		return u, notFound(err, "user")
	}
	if u.TokenUsedAt == nil || time.Since(*u.TokenUsedAt) > time.Minute {
		now := time.Now()
		u.TokenUsedAt = &now
		if _, err := db.pool.Exec(ctx, `UPDATE users SET token_used_at = $2 WHERE id = $1`, u.ID, now); err != nil {
			return u, err
		}
	}
	return u, nil
}

// User returns one user.
func (db *DB) User(ctx context.Context, id string) (lead.User, error) {
	if !isUUID(id) {
		return lead.User{}, lead.Errorf(lead.CodeNotFound, "user not found")
	}
	u, err := scanUser(db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	return u, notFound(err, "user")
}

// Users lists users by creation, after the cursor, at most limit.
func (db *DB) Users(ctx context.Context, limit int, cursor string) ([]lead.User, string, error) {
	var q listQuery
	if err := q.keyset("created_at", "id", false, cursor); err != nil {
		return nil, "", err
	}
	return queryPage(ctx, db, userColumns+` FROM users`, &q, limit, scanUser,
		func(u lead.User) (time.Time, string) { return u.CreatedAt, u.ID })
}

// SetUserToken replaces a user's API token hash; the token expires at
// expires (never when nil).
func (db *DB) SetUserToken(ctx context.Context, id string, tokenHash []byte, expires *time.Time) error {
	if !isUUID(id) {
		return lead.Errorf(lead.CodeNotFound, "user not found")
	}
	tag, err := db.pool.Exec(ctx, `UPDATE users SET token_hash = $2, token_expires_at = $3, token_used_at = NULL WHERE id = $1`,
		id, tokenHash, expires)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return lead.Errorf(lead.CodeNotFound, "user not found")
	}
	return nil
}

// CountUsers counts users of a role ("" for all).
func (db *DB) CountUsers(ctx context.Context, role lead.Role) (int, error) {
	var n int
	err := db.pool.QueryRow(ctx, `SELECT count(*) FROM users WHERE $1 = '' OR role = $1`, string(role)).Scan(&n)
	return n, err
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
	Language        *string
	TimeZone        *string
	Skills          *[]string
	Languages       *[]string
	Regions         *[]string
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
		patchField(&u.Language, patch.Language)
		patchField(&u.TimeZone, patch.TimeZone)
		patchField(&u.Skills, patch.Skills)
		patchField(&u.Languages, patch.Languages)
		patchField(&u.Regions, patch.Regions)
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
			capacity = $5, daily_claim_limit = $6, active = $7, away = $8, language = $9, time_zone = $10,
			skills = $11, languages = $12, regions = $13 WHERE id = $1 RETURNING `+userColumns,
			id, u.Name, u.Role, u.TeamID, u.Capacity, u.DailyClaimLimit, u.Active, u.Away, u.Language, u.TimeZone,
			u.Skills, u.Languages, u.Regions))
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
