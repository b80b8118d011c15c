package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

const teamColumns = `id::text, name, created_at`

func scanTeam(row pgx.Row) (lead.Team, error) {
	var t lead.Team
	err := row.Scan(&t.ID, &t.Name, &t.CreatedAt)
	return t, err
}

// CreateTeam inserts a team; a second team with the same name is a conflict.
func (db *DB) CreateTeam(ctx context.Context, t lead.Team) (lead.Team, error) {
	if err := t.Clean(); err != nil {
		return lead.Team{}, err
	}
	created, err := scanTeam(db.pool.QueryRow(ctx, `INSERT INTO teams (id, name) VALUES ($1, $2) RETURNING `+teamColumns, t.ID, t.Name))
	if isUniqueViolation(err, "teams_name_key") {
		return lead.Team{}, lead.Conflict("a team with this name already exists", "team name "+t.Name+" is taken")
	}
	if isUniqueViolation(err, "teams_pkey") {
		return lead.Team{}, lead.Conflict("a team with this id already exists")
	}
	return created, err
}

// Team returns one team.
func (db *DB) Team(ctx context.Context, id string) (lead.Team, error) {
	if !isUUID(id) {
		return lead.Team{}, lead.Errorf(lead.CodeNotFound, "team not found")
	}
	t, err := scanTeam(db.pool.QueryRow(ctx, `SELECT `+teamColumns+` FROM teams WHERE id = $1`, id))
	return t, notFound(err, "team")
}

// Teams lists teams by creation, after the cursor, at most limit.
func (db *DB) Teams(ctx context.Context, limit int, cursor string) ([]lead.Team, string, error) {
	q, args := `SELECT `+teamColumns+` FROM teams`, []any{limit + 1}
	if cursor != "" {
		after, afterID, err := decodeCursor(cursor)
		if err != nil {
			return nil, "", err
		}
		q += ` WHERE (created_at, id) > ($2, $3)`
		args = append(args, after, afterID)
	}
	rows, err := db.pool.Query(ctx, q+` ORDER BY created_at, id LIMIT $1`, args...)
	if err != nil {
		return nil, "", err
	}
	teams, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (lead.Team, error) { return scanTeam(r) })
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(teams) > limit {
		teams = teams[:limit]
		last := teams[limit-1]
		next = encodeCursor(last.CreatedAt, last.ID)
	}
	return teams, next, nil
}
