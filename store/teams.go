package store

import (
	"context"
	"time"

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
	var q listQuery
	if err := q.keyset("created_at", "id", false, cursor); err != nil {
		return nil, "", err
	}
	return queryPage(ctx, db, teamColumns+` FROM teams`, &q, limit, scanTeam,
		func(t lead.Team) (time.Time, string) { return t.CreatedAt, t.ID })
}
