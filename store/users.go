package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

const userColumns = `id::text, name, email, role, coalesce(team_id::text, ''), capacity, daily_claim_limit, active, created_at, away`

func scanUser(row pgx.Row) (lead.User, error) {
	var u lead.User
	err := row.Scan(&u.ID, &u.Name, &u.Email, &u.Role, &u.TeamID, &u.Capacity, &u.DailyClaimLimit, &u.Active, &u.CreatedAt, &u.Away)
	return u, err
}

// CreateUser inserts u with the hash of its API token. A second user with
// the same e-mail is a conflict.
func (db *DB) CreateUser(ctx context.Context, u lead.User, tokenHash []byte) (lead.User, error) {
	row := db.pool.QueryRow(ctx, `
		INSERT INTO users (id, name, email, role, team_id, capacity, daily_claim_limit, active, token_hash)
		VALUES ($1, $2, $3, $4, nullif($5, '')::uuid, $6, $7, $8, $9)
		RETURNING `+userColumns,
		u.ID, u.Name, u.Email, u.Role, u.TeamID, u.Capacity, u.DailyClaimLimit, u.Active, tokenHash)
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

// UserByTokenHash finds the active user whose API token hashes to h.
func (db *DB) UserByTokenHash(ctx context.Context, h []byte) (lead.User, error) {
	u, err := scanUser(db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE token_hash = $1 AND active`, h))
	return u, notFound(err, "user")
}

// User returns one user.
func (db *DB) User(ctx context.Context, id string) (lead.User, error) {
	if !isUUID(id) {
		return lead.User{}, lead.Errorf(lead.CodeNotFound, "user not found")
	}
	u, err := scanUser(db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	return u, notFound(err, "user")
}

// Users lists users by creation, after the cursor (a user id), at most limit.
func (db *DB) Users(ctx context.Context, limit int, cursor string) ([]lead.User, string, error) {
	var after time.Time
	var afterID string
	if cursor != "" {
		var err error
		if after, afterID, err = decodeCursor(cursor); err != nil {
			return nil, "", err
		}
	}
	q, args := `SELECT `+userColumns+` FROM users`, []any{limit + 1}
	if afterID != "" {
		q += ` WHERE (created_at, id) > ($2, $3)`
		args = append(args, after, afterID)
	}
	rows, err := db.pool.Query(ctx, q+` ORDER BY created_at, id LIMIT $1`, args...)
	if err != nil {
		return nil, "", err
	}
	users, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (lead.User, error) { return scanUser(r) })
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(users) > limit {
		users = users[:limit]
		last := users[limit-1]
		next = encodeCursor(last.CreatedAt, last.ID)
	}
	return users, next, nil
}

// SetUserToken replaces a user's API token hash.
func (db *DB) SetUserToken(ctx context.Context, id string, tokenHash []byte) error {
	if !isUUID(id) {
		return lead.Errorf(lead.CodeNotFound, "user not found")
	}
	tag, err := db.pool.Exec(ctx, `UPDATE users SET token_hash = $2 WHERE id = $1`, id, tokenHash)
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
