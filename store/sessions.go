package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// This file holds the console's sign-in state: sessions (the cookie's
// value is known only to the browser; the store keeps its hash) and
// one-time sign-in codes (a short-lived link's code, kept as a hash, used
// at most once).
//
// A session is opened with the user's API token (pasted, or the one a
// sign-in code was issued for) and never outlives it: its expiry is at
// most the token's, and it ends in the transaction that rotates the
// token, deactivates the user or changes their role or team (the trigger
// users_end_sessions of migration 018, which also ends their unused
// sign-in codes).

// CreateSession stores a session of user userID under the hash of its id,
// with its CSRF token, until expires or until the user's token expires,
// whichever comes first; it returns that expiry. tokenHash is the hash of
// the token the session is opened with: when it is no longer the user's
// token (rotated meanwhile), or has expired, or the user is inactive, the
// session is refused as not found. The user's row is locked while the
// session is written, so that a rotation committing at the same time
// either is seen here or ends this session too.
func (db *DB) CreateSession(ctx context.Context, idHash []byte, userID string, tokenHash []byte, csrf string, expires time.Time) (time.Time, error) {
	if !isUUID(userID) {
		return time.Time{}, lead.Errorf(lead.CodeNotFound, "user not found")
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var tokenExpires *time.Time
		err := tx.QueryRow(ctx, `SELECT token_expires_at FROM users WHERE id = $1 AND token_hash = $2 AND active
			AND (token_expires_at IS NULL OR token_expires_at > now()) FOR SHARE`, userID, tokenHash).Scan(&tokenExpires)
		if err != nil {
			return notFound(err, "user with this token")
		}
		if tokenExpires != nil && tokenExpires.Before(expires) {
			expires = *tokenExpires
		}
		_, err = tx.Exec(ctx, `INSERT INTO sessions (id_hash, user_id, csrf, expires_at) VALUES ($1, $2, $3, $4)`,
			idHash, userID, csrf, expires)
		return err
	})
	return expires, err
}

// Session returns the active user of the live session whose id hashes to
// idHash, and the session's CSRF token. An expired session, or one of an
// inactive user, is not found.
func (db *DB) Session(ctx context.Context, idHash []byte) (lead.User, string, error) {
	var csrf string
	var u lead.User
	err := db.pool.QueryRow(ctx, `SELECT s.csrf, u.id::text, u.name, u.email, u.role, coalesce(u.team_id::text, ''), u.capacity,
		u.daily_claim_limit, u.active, u.created_at, u.away, u.language, u.time_zone
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND s.expires_at > now() AND u.active`, idHash).
		Scan(&csrf, &u.ID, &u.Name, &u.Email, &u.Role, &u.TeamID, &u.Capacity, &u.DailyClaimLimit, &u.Active, &u.CreatedAt, &u.Away, &u.Language, &u.TimeZone)
	return u, csrf, notFound(err, "session")
}

// DeleteSession ends a session (sign-out), and with it every expired one.
func (db *DB) DeleteSession(ctx context.Context, idHash []byte) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM sessions WHERE id_hash = $1 OR expires_at < now()`, idHash)
	return err
}

// CreateSignInCode stores the hash of a one-time sign-in code of user
// userID, for the token the user has now: it is valid until expires or
// until that token expires, whichever comes first (the expiry returned),
// and ends when the token is rotated. An inactive user, or one whose token
// has expired, gets no code (a conflict).
func (db *DB) CreateSignInCode(ctx context.Context, codeHash []byte, userID string, expires time.Time) (time.Time, error) {
	if !isUUID(userID) {
		return time.Time{}, lead.Errorf(lead.CodeNotFound, "user not found")
	}
	var active, expired bool
	err := db.pool.QueryRow(ctx, `SELECT active, coalesce(token_expires_at <= now(), false) FROM users WHERE id = $1`, userID).
		Scan(&active, &expired)
	if err != nil {
		return time.Time{}, notFound(err, "user")
	}
	switch {
	case !active:
		return time.Time{}, lead.Conflict("the user is inactive", "an inactive user cannot sign in")
	case expired:
		return time.Time{}, lead.Conflict("the user's API token has expired", "give the user a new token first")
	}
	// The token and its expiry are read again in the INSERT: a rotation in
	// between has ended the user's codes already, or ends this one after.
	err = db.pool.QueryRow(ctx, `INSERT INTO sign_in_codes (code_hash, user_id, token_hash, expires_at)
		SELECT $1, u.id, u.token_hash, least($3::timestamptz, u.token_expires_at) FROM users u WHERE u.id = $2
		RETURNING expires_at`, codeHash, userID, expires).Scan(&expires)
	return expires, notFound(err, "user")
}

// UseSignInCode spends the sign-in code whose hash is codeHash and returns
// its user's id and the hash of the token it was issued for, to open the
// session with (CreateSession). A code that is unknown, expired or already
// used, or whose user is inactive, is not found.
func (db *DB) UseSignInCode(ctx context.Context, codeHash []byte) (string, []byte, error) {
	var userID string
	var tokenHash []byte
	err := db.pool.QueryRow(ctx, `UPDATE sign_in_codes c SET used_at = now() FROM users u
		WHERE c.code_hash = $1 AND c.used_at IS NULL AND c.expires_at > now() AND u.id = c.user_id AND u.active
		RETURNING c.user_id::text, c.token_hash`, codeHash).Scan(&userID, &tokenHash)
	return userID, tokenHash, notFound(err, "sign-in code")
}
