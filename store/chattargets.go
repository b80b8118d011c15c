package store

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

const chatTargetColumns = `id::text, coalesce(user_id::text, ''), coalesce(team_id::text, ''), kind, url, secret, kinds,
	active, coalesce(created_by::text, ''), created_at, updated_at`

func scanChatTarget(r pgx.Row) (lead.ChatTarget, error) {
	var t lead.ChatTarget
	err := r.Scan(&t.ID, &t.UserID, &t.TeamID, &t.Kind, &t.URL, &t.Secret, &t.Kinds, &t.Active, &t.CreatedBy, &t.CreatedAt, &t.UpdatedAt)
	t.HasSecret = t.Secret != ""
	if t.Kinds == nil {
		t.Kinds = []string{}
	}
	return t, err
}

func (db *DB) chatTargets(ctx context.Context, where string, args ...any) ([]lead.ChatTarget, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+chatTargetColumns+` FROM chat_targets WHERE `+where+` ORDER BY created_at, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []lead.ChatTarget
	for rows.Next() {
		t, err := scanChatTarget(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// CreateChatTarget stores t (a new id when it has none) and returns it.
func (db *DB) CreateChatTarget(ctx context.Context, t lead.ChatTarget) (lead.ChatTarget, error) {
	if t.ID == "" {
		t.ID = uuid.Must(uuid.NewV7()).String()
	}
	if t.Kinds == nil {
		t.Kinds = []string{}
	}
	_, err := db.pool.Exec(ctx, `INSERT INTO chat_targets (id, user_id, team_id, kind, url, secret, kinds, active, created_by)
		VALUES ($1, nullif($2, '')::uuid, nullif($3, '')::uuid, $4, $5, $6, $7, $8, nullif($9, '')::uuid)
		ON CONFLICT (id) DO NOTHING`,
		t.ID, t.UserID, t.TeamID, t.Kind, t.URL, t.Secret, t.Kinds, t.Active, t.CreatedBy)
	if err != nil {
		return t, err
	}
	return db.ChatTarget(ctx, t.ID)
}

// ChatTarget returns one chat target.
func (db *DB) ChatTarget(ctx context.Context, id string) (lead.ChatTarget, error) {
	if !isUUID(id) {
		return lead.ChatTarget{}, lead.Errorf(lead.CodeNotFound, "chat target not found")
	}
	t, err := scanChatTarget(db.pool.QueryRow(ctx, `SELECT `+chatTargetColumns+` FROM chat_targets WHERE id = $1`, id))
	return t, notFound(err, "chat target")
}

// ChatTargetsOf lists the targets of a user and of the teams given (of
// every team with allTeams), oldest first.
func (db *DB) ChatTargetsOf(ctx context.Context, userID string, teamIDs []string, allTeams bool) ([]lead.ChatTarget, error) {
	return db.chatTargets(ctx, `user_id = nullif($1, '')::uuid OR team_id = ANY($2::uuid[]) OR ($3 AND team_id IS NOT NULL)`,
		userID, validIDs(teamIDs), allTeams)
}

// ActiveChatTargets are the active targets that get notifications of
// kind for user: the user's own and their team's (teamID, "" for none).
func (db *DB) ActiveChatTargets(ctx context.Context, userID, teamID, kind string) ([]lead.ChatTarget, error) {
	return db.chatTargets(ctx, `active AND (kinds = '{}' OR $3 = ANY(kinds))
		AND (user_id = nullif($1, '')::uuid OR team_id = nullif($2, '')::uuid)`, userID, teamID, kind)
}

// UpdateChatTarget saves t's kind, url, secret, kinds and active.
func (db *DB) UpdateChatTarget(ctx context.Context, t lead.ChatTarget) (lead.ChatTarget, error) {
	if t.Kinds == nil {
		t.Kinds = []string{}
	}
	tag, err := db.pool.Exec(ctx, `UPDATE chat_targets SET kind = $2, url = $3, secret = $4, kinds = $5, active = $6,
		updated_at = now() WHERE id = $1`, t.ID, t.Kind, t.URL, t.Secret, t.Kinds, t.Active)
	if err := found(tag, err, "chat target"); err != nil {
		return t, err
	}
	return db.ChatTarget(ctx, t.ID)
}

// DeleteChatTarget removes a target; its posts stay in notifications.
func (db *DB) DeleteChatTarget(ctx context.Context, id string) error {
	if !isUUID(id) {
		return lead.Errorf(lead.CodeNotFound, "chat target not found")
	}
	tag, err := db.pool.Exec(ctx, `DELETE FROM chat_targets WHERE id = $1`, id)
	return found(tag, err, "chat target")
}

func validIDs(ids []string) []string {
	out := []string{}
	for _, id := range ids {
		if isUUID(id) {
			out = append(out, id)
		}
	}
	return out
}
