package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// AssignToInviter gives a lead that a duplicate registration was merged
// into to the inviting rep (seed 000): only when the lead is pooled in a
// global or country pool, or in the inviter's own team's pool. A lead owned
// by someone or in another team's pool stays where it is (a conflict).
func (db *DB) AssignToInviter(ctx context.Context, m lead.Move) (lead.Lead, error) {
	return db.transition(ctx, m, func(tx pgx.Tx, l lead.Lead) error {
		if err := wrongStatus("given to the inviter", l, lead.StatusPooled); err != nil {
			return err
		}
		var scope, poolTeam, repTeam string
		err := tx.QueryRow(ctx, `
			SELECT p.scope, coalesce(p.team_id::text, ''), coalesce((SELECT team_id::text FROM users WHERE id = $2), '')
			FROM pools p WHERE p.id = $1`, l.PoolID, m.RepID).Scan(&scope, &poolTeam, &repTeam)
		if err != nil {
			return notFound(err, "pool")
		}
		if lead.Scope(scope) == lead.ScopeTeam && (poolTeam == "" || poolTeam != repTeam) {
			return lead.Conflict("the lead stays in its pool", "it sits in another team's pool")
		}
		if err := checkCapacity(ctx, tx, m.RepID, false); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE leads SET status = 'assigned', owner_id = $2, assigned_at = now(), offered_at = NULL,
			updated_at = now() WHERE id = $1`, l.ID, m.RepID); err != nil {
			return err
		}
		return insertEvent(ctx, tx, lead.Event{LeadID: l.ID, Type: lead.EventAssigned, ActorID: m.ActorID, Reason: m.Reason,
			Data: map[string]any{"owner_id": m.RepID}}, m.RequestID)
	})
}

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
