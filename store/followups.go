package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// AddFollowUp records a follow-up on an assigned lead by someone the
// access model lets follow it up, and moves the lead to stage when one is
// given. The follow-up keeps the stage the lead is at after it; the
// followed_up event names the follow-up and that stage.
func (db *DB) AddFollowUp(ctx context.Context, n lead.NewFollowUp) (lead.FollowUp, error) {
	f := n.FollowUp
	m := lead.Move{LeadID: f.LeadID, ActorID: f.AuthorID, RequestID: n.RequestID}
	_, err := db.transition(ctx, lead.ActFollowUp, m, func(tx pgx.Tx, l lead.Lead) error {
		var stage string
		if err := tx.QueryRow(ctx, `UPDATE leads SET last_follow_up_at = now(), updated_at = now(),
			stage = CASE WHEN $2 <> '' THEN $2 WHEN stage = 'New' THEN 'Started' ELSE stage END WHERE id = $1 RETURNING stage`,
			f.LeadID, n.Stage).Scan(&stage); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO follow_ups (id, lead_id, author_id, type, content, next_step, next_at, stage)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			f.ID, f.LeadID, f.AuthorID, f.Type, f.Content, f.NextStep, f.NextAt, stage); err != nil {
			return err
		}
		return insertEvent(ctx, tx, lead.Event{LeadID: f.LeadID, Type: lead.EventFollowedUp, ActorID: f.AuthorID,
			Data: map[string]any{"follow_up_id": f.ID, "type": f.Type, "stage": stage}}, n.RequestID)
	})
	if err != nil {
		return lead.FollowUp{}, err
	}
	return db.FollowUp(ctx, f.ID)
}

const followUpColumns = `f.id::text, f.lead_id::text, f.author_id::text, coalesce(u.name, ''), f.type, f.content, f.next_step,
	f.next_at, f.stage, f.created_at`

// followUpFrom joins a follow-up to its author.
const followUpFrom = `follow_ups f LEFT JOIN users u ON u.id = f.author_id`

func scanFollowUp(row pgx.Row) (lead.FollowUp, error) {
	var f lead.FollowUp
	err := row.Scan(&f.ID, &f.LeadID, &f.AuthorID, &f.AuthorName, &f.Type, &f.Content, &f.NextStep, &f.NextAt, &f.Stage, &f.CreatedAt)
	return f, err
}

// FollowUp returns one follow-up record.
func (db *DB) FollowUp(ctx context.Context, id string) (lead.FollowUp, error) {
	f, err := scanFollowUp(db.pool.QueryRow(ctx, `SELECT `+followUpColumns+` FROM `+followUpFrom+` WHERE f.id = $1`, id))
	return f, notFound(err, "follow-up")
}

// FollowUps lists a lead's follow-ups newest first with keyset pagination;
// whether the caller may read the lead is the caller's to check.
func (db *DB) FollowUps(ctx context.Context, leadID string, limit int, cursor string) ([]lead.FollowUp, string, error) {
	var q listQuery
	q.and("f.lead_id = " + q.arg(leadID))
	if err := q.keyset("f.created_at", "f.id", true, cursor); err != nil {
		return nil, "", err
	}
	return queryPage(ctx, db, followUpColumns+` FROM `+followUpFrom, &q, limit, scanFollowUp,
		func(f lead.FollowUp) (time.Time, string) { return f.CreatedAt, f.ID })
}
