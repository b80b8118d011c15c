package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

const teamColumns = `id::text, name, created_at, time_zone, registration_rules, coalesce(calendar_id::text, '')`

func scanTeam(row pgx.Row) (lead.Team, error) {
	var t lead.Team
	err := row.Scan(&t.ID, &t.Name, &t.CreatedAt, &t.TimeZone, &t.RegistrationRules, &t.CalendarID)
	return t, err
}

// teamConflict names a team name already taken.
func teamConflict(err error, name string) error {
	if isUniqueViolation(err, "teams_name_key") {
		return lead.Conflict("a team with this name already exists", "team name "+name+" is taken")
	}
	return err
}

// CreateTeam inserts a team; a second team with the same name is a conflict.
func (db *DB) CreateTeam(ctx context.Context, t lead.Team) (lead.Team, error) {
	if err := t.Clean(); err != nil {
		return lead.Team{}, err
	}
	created, err := scanTeam(db.pool.QueryRow(ctx, `INSERT INTO teams (id, name, time_zone) VALUES ($1, $2, $3) RETURNING `+teamColumns,
		t.ID, t.Name, t.TimeZone))
	if isUniqueViolation(err, "teams_pkey") {
		return lead.Team{}, lead.Conflict("a team with this id already exists")
	}
	return created, teamConflict(err, t.Name)
}

// TeamPatch is a change of a team: nil fields stay unchanged.
type TeamPatch struct {
	Name              *string
	TimeZone          *string
	RegistrationRules *string
	CalendarID        *string // "" for none
}

// UpdateTeam applies p to team id; the result must pass lead.Team.Clean.
func (db *DB) UpdateTeam(ctx context.Context, id string, p TeamPatch) (lead.Team, error) {
	var out lead.Team
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		t, err := db.teamTx(ctx, tx, id)
		if err != nil {
			return err
		}
		patchField(&t.Name, p.Name)
		patchField(&t.TimeZone, p.TimeZone)
		patchField(&t.RegistrationRules, p.RegistrationRules)
		patchField(&t.CalendarID, p.CalendarID)
		if err := t.Clean(); err != nil {
			return err
		}
		out, err = scanTeam(tx.QueryRow(ctx, `UPDATE teams SET name = $2, time_zone = $3, registration_rules = $4, calendar_id = nullif($5, '')::uuid
			WHERE id = $1 RETURNING `+teamColumns, id, t.Name, t.TimeZone, t.RegistrationRules, t.CalendarID))
		return teamConflict(err, t.Name)
	})
	return out, err
}

// Team returns one team.
func (db *DB) Team(ctx context.Context, id string) (lead.Team, error) {
	return db.teamTx(ctx, db.pool, id)
}

// teamTx reads team id through q (FOR UPDATE inside a transaction).
func (db *DB) teamTx(ctx context.Context, q queryRower, id string) (lead.Team, error) {
	if !isUUID(id) {
		return lead.Team{}, lead.Errorf(lead.CodeNotFound, "team not found")
	}
	lock := ""
	if _, ok := q.(pgx.Tx); ok {
		lock = " FOR UPDATE"
	}
	t, err := scanTeam(q.QueryRow(ctx, `SELECT `+teamColumns+` FROM teams WHERE id = $1`+lock, id))
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
