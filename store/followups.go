package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// AddFollowUp records a follow-up on an assigned lead by someone the
// access model lets follow it up, and moves the lead to stage when one is given.
func (db *DB) AddFollowUp(ctx context.Context, n lead.NewFollowUp) (lead.FollowUp, error) {
	f := n.FollowUp
	m := lead.Move{LeadID: f.LeadID, ActorID: f.AuthorID, RequestID: n.RequestID}
	_, err := db.transition(ctx, lead.ActFollowUp, m, func(tx pgx.Tx, l lead.Lead) error {
		if _, err := tx.Exec(ctx, `INSERT INTO follow_ups (id, lead_id, author_id, type, content, next_step, next_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			f.ID, f.LeadID, f.AuthorID, f.Type, f.Content, f.NextStep, f.NextAt); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE leads SET last_follow_up_at = now(), updated_at = now(),
			stage = CASE WHEN $2 <> '' THEN $2 WHEN stage = 'New' THEN 'Started' ELSE stage END WHERE id = $1`,
			f.LeadID, n.Stage); err != nil {
			return err
		}
		return insertEvent(ctx, tx, lead.Event{LeadID: f.LeadID, Type: lead.EventFollowedUp, ActorID: f.AuthorID,
			Data: map[string]any{"follow_up_id": f.ID, "type": f.Type}}, n.RequestID)
	})
	if err != nil {
		return lead.FollowUp{}, err
	}
	return db.FollowUp(ctx, f.ID)
}

// FollowUp returns one follow-up record.
func (db *DB) FollowUp(ctx context.Context, id string) (lead.FollowUp, error) {
	var f lead.FollowUp
	err := db.pool.QueryRow(ctx, `SELECT id::text, lead_id::text, author_id::text, type, content, next_step, next_at, created_at
		FROM follow_ups WHERE id = $1`, id).
		Scan(&f.ID, &f.LeadID, &f.AuthorID, &f.Type, &f.Content, &f.NextStep, &f.NextAt, &f.CreatedAt)
	return f, notFound(err, "follow-up")
}
