package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
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

// Invite links: the database keeps the SHA-256 of each link's token, and a
// random nonce the token is derived from with the server's invite key
// (HMAC-SHA-256). Someone who reads the database cannot rebuild a link;
// the server can, so a rep is shown the same link on every visit.

// inviteToken derives the token of a nonce under key.
func inviteToken(key, nonce []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("leadflow invite link\x00"))
	m.Write(nonce)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

func inviteHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// InviteToken returns the rep's invite token, derived again from its
// nonce under key. A rep without a derivable link (none yet, one from
// before links were hashed, or the key changed) gets a new one; any older
// link keeps working until the rep rotates.
func (db *DB) InviteToken(ctx context.Context, userID string, key []byte) (string, error) {
	var tok string
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockUser(ctx, tx, userID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT token_hash, nonce FROM invite_links
			WHERE user_id = $1 AND nonce IS NOT NULL ORDER BY created_at DESC`, userID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var hash, nonce []byte
			if err := rows.Scan(&hash, &nonce); err != nil {
				return err
			}
			if t := inviteToken(key, nonce); hmac.Equal(inviteHash(t), hash) {
				tok = t
				return nil
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		tok, err = addInvite(ctx, tx, userID, key)
		return err
	})
	return tok, err
}

// RotateInviteToken gives the rep a new invite token; every older link
// stops working.
func (db *DB) RotateInviteToken(ctx context.Context, userID string, key []byte) (string, error) {
	var tok string
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockUser(ctx, tx, userID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM invite_links WHERE user_id = $1`, userID); err != nil {
			return err
		}
		var err error
		tok, err = addInvite(ctx, tx, userID, key)
		return err
	})
	return tok, err
}

// lockUser locks the user's row, so that one rep's link changes one at a time.
func lockUser(ctx context.Context, tx pgx.Tx, userID string) error {
	var id string
	return notFound(tx.QueryRow(ctx, `SELECT id::text FROM users WHERE id = $1 FOR UPDATE`, userID).Scan(&id), "user")
}

// addInvite stores a new link of the rep and returns its token.
func addInvite(ctx context.Context, tx pgx.Tx, userID string, key []byte) (string, error) {
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails on supported platforms
	tok := inviteToken(key, nonce)
	_, err := tx.Exec(ctx, `INSERT INTO invite_links (token_hash, user_id, nonce) VALUES ($1, $2, $3)`,
		inviteHash(tok), userID, nonce)
	return tok, err
}

// Inviter returns the active user whose invite token this is.
func (db *DB) Inviter(ctx context.Context, token string) (lead.User, error) {
	if token == "" || len(token) > 64 {
		return lead.User{}, lead.Errorf(lead.CodeNotFound, "no such invite link")
	}
	u, err := scanUser(db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users
		WHERE id = (SELECT user_id FROM invite_links WHERE token_hash = $1) AND active`, inviteHash(token)))
	if errors.Is(err, pgx.ErrNoRows) {
		return lead.User{}, lead.Errorf(lead.CodeNotFound, "no such invite link")
	}
	return u, err
}
