package store

import (
	"context"
	"time"

	"github.com/leadflow/leadflow/lead"
)

// This file holds the console's sign-in state: sessions (the cookie's
// value is known only to the browser; the store keeps its hash) and
// one-time sign-in codes (a short-lived link's code, kept as a hash, used
// at most once).

// CreateSession stores a session of user userID under the hash of its id,
// with its CSRF token, until expires.
func (db *DB) CreateSession(ctx context.Context, idHash []byte, userID, csrf string, expires time.Time) error {
	if !isUUID(userID) {
		return lead.Errorf(lead.CodeNotFound, "user not found")
	}
	_, err := db.pool.Exec(ctx, `INSERT INTO sessions (id_hash, user_id, csrf, expires_at) VALUES ($1, $2, $3, $4)`,
		idHash, userID, csrf, expires)
	if isForeignKeyViolation(err) {
		return lead.Errorf(lead.CodeNotFound, "user not found")
	}
	return err
}

// Session returns the active user of the live session whose id hashes to
// idHash, and the session's CSRF token. An expired session, or one of an
// inactive user, is not found.
func (db *DB) Session(ctx context.Context, idHash []byte) (lead.User, string, error) {
	var csrf string
	var u lead.User
	err := db.pool.QueryRow(ctx, `SELECT s.csrf, u.id::text, u.name, u.email, u.role, coalesce(u.team_id::text, ''), u.capacity,
		u.daily_claim_limit, u.active, u.created_at, u.away
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND s.expires_at > now() AND u.active`, idHash).
		Scan(&csrf, &u.ID, &u.Name, &u.Email, &u.Role, &u.TeamID, &u.Capacity, &u.DailyClaimLimit, &u.Active, &u.CreatedAt, &u.Away)
	return u, csrf, notFound(err, "session")
}

// DeleteSession ends a session (sign-out), and with it every expired one.
func (db *DB) DeleteSession(ctx context.Context, idHash []byte) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM sessions WHERE id_hash = $1 OR expires_at < now()`, idHash)
	return err
}

// CreateSignInCode stores the hash of a one-time sign-in code of user
// userID, valid until expires.
func (db *DB) CreateSignInCode(ctx context.Context, codeHash []byte, userID string, expires time.Time) error {
	if !isUUID(userID) {
		return lead.Errorf(lead.CodeNotFound, "user not found")
	}
	_, err := db.pool.Exec(ctx, `INSERT INTO sign_in_codes (code_hash, user_id, expires_at) VALUES ($1, $2, $3)`,
		codeHash, userID, expires)
	if isForeignKeyViolation(err) {
		return lead.Errorf(lead.CodeNotFound, "user not found")
	}
	return err
}

// UseSignInCode spends the sign-in code whose hash is codeHash and returns
// its user's id. A code that is unknown, expired or already used, or whose
// user is inactive, is not found.
func (db *DB) UseSignInCode(ctx context.Context, codeHash []byte) (string, error) {
	var userID string
	err := db.pool.QueryRow(ctx, `UPDATE sign_in_codes c SET used_at = now() FROM users u
		WHERE c.code_hash = $1 AND c.used_at IS NULL AND c.expires_at > now() AND u.id = c.user_id AND u.active
		RETURNING c.user_id::text`, codeHash).Scan(&userID)
	return userID, notFound(err, "sign-in code")
}
