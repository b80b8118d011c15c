package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

const ignoredColumns = `id::text, name, key, coalesce(team_id::text, ''), coalesce(created_by::text, ''), created_at`

func scanIgnored(r pgx.CollectableRow) (lead.IgnoredCompany, error) {
	var c lead.IgnoredCompany
	err := r.Scan(&c.ID, &c.Name, &c.Key, &c.TeamID, &c.CreatedBy, &c.CreatedAt)
	return c, err
}

// IgnoredCompanies lists the ignored companies: every entry when all,
// else the global ones and those of team (none when team is "").
func (db *DB) IgnoredCompanies(ctx context.Context, all bool, team string) ([]lead.IgnoredCompany, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+ignoredColumns+` FROM ignored_companies
		WHERE $1 OR team_id IS NULL OR team_id = nullif($2, '')::uuid ORDER BY lower(name), id`, all, team)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanIgnored)
}

// IgnoredCompany returns one entry.
func (db *DB) IgnoredCompany(ctx context.Context, id string) (lead.IgnoredCompany, error) {
	if !isUUID(id) {
		return lead.IgnoredCompany{}, lead.Errorf(lead.CodeNotFound, "ignored company not found")
	}
	rows, err := db.pool.Query(ctx, `SELECT `+ignoredColumns+` FROM ignored_companies WHERE id = $1`, id)
	if err != nil {
		return lead.IgnoredCompany{}, notFound(err, "ignored company")
	}
	c, err := pgx.CollectExactlyOneRow(rows, scanIgnored)
	return c, notFound(err, "ignored company")
}

// IgnoreCompany adds c; the same key for the same team (or globally)
// answers the entry already there, so a retry adds nothing.
func (db *DB) IgnoreCompany(ctx context.Context, c lead.IgnoredCompany) (lead.IgnoredCompany, error) {
	rows, err := db.pool.Query(ctx, `WITH added AS (
			INSERT INTO ignored_companies (id, name, key, team_id, created_by)
			VALUES ($1, $2, $3, nullif($4, '')::uuid, nullif($5, '')::uuid) ON CONFLICT DO NOTHING RETURNING `+ignoredColumns+`)
		SELECT * FROM added
		UNION ALL SELECT `+ignoredColumns+` FROM ignored_companies
		WHERE key = $3 AND team_id IS NOT DISTINCT FROM nullif($4, '')::uuid AND NOT EXISTS (SELECT 1 FROM added)`,
		c.ID, c.Name, c.Key, c.TeamID, c.CreatedBy)
	if err != nil {
		return c, err
	}
	return pgx.CollectExactlyOneRow(rows, scanIgnored)
}

// UnignoreCompany removes entry id (a check of the caller finds it first).
func (db *DB) UnignoreCompany(ctx context.Context, id string) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM ignored_companies WHERE id = $1`, id)
	return err
}

// CompanyIgnored says whether company is ignored for a lead of pool: a
// global entry, or one of the pool's team.
func (db *DB) CompanyIgnored(ctx context.Context, company, pool string) (bool, error) {
	key := lead.NormalizeCompany(company)
	if key == "" {
		return false, nil
	}
	var ignored bool
	err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM ignored_companies i
		WHERE i.key = $1 AND (i.team_id IS NULL OR i.team_id = (SELECT team_id FROM pools WHERE id = nullif($2, '')::uuid)))`,
		key, pool).Scan(&ignored)
	return ignored, err
}
