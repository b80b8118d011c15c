package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// DuplicatePolicies returns the duplicate policy of every source.
func (db *DB) DuplicatePolicies(ctx context.Context) (map[string]lead.DuplicatePolicy, error) {
	rows, err := db.pool.Query(ctx, `SELECT source, policy FROM duplicate_policies`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]lead.DuplicatePolicy{}
	for rows.Next() {
		var s string
		var p lead.DuplicatePolicy
		if err := rows.Scan(&s, &p); err != nil {
			return nil, err
		}
		out[s] = p
	}
	return out, rows.Err()
}

// DuplicatePolicy returns the policy of one source; merge when unset.
func (db *DB) DuplicatePolicy(ctx context.Context, source string) (lead.DuplicatePolicy, error) {
	var p lead.DuplicatePolicy
	err := db.pool.QueryRow(ctx, `SELECT policy FROM duplicate_policies WHERE source = $1`, source).Scan(&p)
	if errors.Is(err, pgx.ErrNoRows) {
		return lead.DuplicateMerge, nil
	}
	return p, err
}

// SetDuplicatePolicy sets the policy of a source.
func (db *DB) SetDuplicatePolicy(ctx context.Context, source string, p lead.DuplicatePolicy) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO duplicate_policies (source, policy) VALUES ($1, $2)
		ON CONFLICT (source) DO UPDATE SET policy = excluded.policy, updated_at = now()`, source, p)
	return err
}

// newInviteToken returns a random, URL-safe invite token.
func newInviteToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// InviteToken returns the rep's invite token, creating it on first use.
func (db *DB) InviteToken(ctx context.Context, userID string) (string, error) {
	var tok string
	err := db.pool.QueryRow(ctx, `
		UPDATE users SET invite_token = coalesce(invite_token, $2) WHERE id = $1 RETURNING invite_token`,
		userID, newInviteToken()).Scan(&tok)
	return tok, notFound(err, "user")
}

// RotateInviteToken gives the rep a new invite token; the old link stops working.
func (db *DB) RotateInviteToken(ctx context.Context, userID string) (string, error) {
	var tok string
	err := db.pool.QueryRow(ctx, `UPDATE users SET invite_token = $2 WHERE id = $1 RETURNING invite_token`,
		userID, newInviteToken()).Scan(&tok)
	return tok, notFound(err, "user")
}

// Inviter returns the active user whose invite token this is.
func (db *DB) Inviter(ctx context.Context, token string) (lead.User, error) {
	if token == "" || len(token) > 64 {
		return lead.User{}, lead.Errorf(lead.CodeNotFound, "no such invite link")
	}
	u, err := scanUser(db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE invite_token = $1 AND active`, token))
	if errors.Is(err, pgx.ErrNoRows) {
		return lead.User{}, lead.Errorf(lead.CodeNotFound, "no such invite link")
	}
	return u, err
}
