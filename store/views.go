package store

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// This file keeps the saved views of the lead list (lead.SavedView) and
// decides which views a user sees: their own, those shared with everyone,
// and those shared with the pools by a user who administers a pool the
// reader may claim from or administers (viewSeenSQL).

const viewColumns = `v.id::text, v.owner_id::text, v.name, v.filter, v.sort, v.columns, v.shared_with, v.created_at, v.updated_at`

func scanView(row pgx.Row) (lead.SavedView, error) {
	var v lead.SavedView
	var filter []byte
	err := row.Scan(&v.ID, &v.OwnerID, &v.Name, &filter, &v.Sort, &v.Columns, &v.SharedWith, &v.CreatedAt, &v.UpdatedAt)
	if err != nil {
		return v, err
	}
	v.Filter = map[string]string{}
	if v.Columns == nil {
		v.Columns = []string{}
	}
	return v, json.Unmarshal(filter, &v.Filter)
}

// viewSeenSQL is the condition under which user u (a uuid placeholder)
// sees saved view v: an admin sees every shared view.
func viewSeenSQL(u string) string {
	return `(v.owner_id = ` + u + ` OR v.shared_with = 'everyone'
		OR (v.shared_with = 'pools' AND (SELECT vr.role FROM users vr WHERE vr.id = ` + u + `) = 'admin') OR (v.shared_with = 'pools' AND EXISTS (
		SELECT 1 FROM pools p JOIN pool_members o ON o.pool_id = p.id AND o.user_id = v.owner_id AND o.role = 'admin'
		WHERE p.archived_at IS NULL AND (` + memberSQL("p", u) + ` OR ` + poolAdminSQL("p", u) + `))))`
}

// Views are the saved views user u sees, by name.
func (db *DB) Views(ctx context.Context, u string) ([]lead.SavedView, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+viewColumns+` FROM saved_views v WHERE `+viewSeenSQL("$1::uuid")+`
		ORDER BY lower(v.name), v.id LIMIT 200`, u)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (lead.SavedView, error) { return scanView(r) })
}

// View is saved view id when user u sees it (not found otherwise).
func (db *DB) View(ctx context.Context, u, id string) (lead.SavedView, error) {
	if !isUUID(id) {
		return lead.SavedView{}, lead.Errorf(lead.CodeNotFound, "view not found")
	}
	v, err := scanView(db.pool.QueryRow(ctx, `SELECT `+viewColumns+` FROM saved_views v WHERE v.id = $2 AND `+viewSeenSQL("$1::uuid"), u, id))
	return v, notFound(err, "view")
}

// SaveView inserts view v, or, when it exists, stores its fields: a
// retried create (the same id) answers the view as it is.
func (db *DB) SaveView(ctx context.Context, v lead.SavedView, create bool) (lead.SavedView, error) {
	filter, err := json.Marshal(v.Filter)
	if err != nil {
		return v, err
	}
	if create {
		_, err = db.pool.Exec(ctx, `INSERT INTO saved_views (id, owner_id, name, filter, sort, columns, shared_with)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`, v.ID, v.OwnerID, v.Name, filter, v.Sort, v.Columns, v.SharedWith)
	} else {
		_, err = db.pool.Exec(ctx, `UPDATE saved_views SET name = $2, filter = $3, sort = $4, columns = $5, shared_with = $6, updated_at = now()
			WHERE id = $1`, v.ID, v.Name, filter, v.Sort, v.Columns, v.SharedWith)
	}
	if err != nil {
		return v, err
	}
	return scanView(db.pool.QueryRow(ctx, `SELECT `+viewColumns+` FROM saved_views v WHERE v.id = $1`, v.ID))
}

// DeleteView deletes saved view id.
func (db *DB) DeleteView(ctx context.Context, id string) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM saved_views WHERE id = $1`, id)
	return err
}

// ListColumns are user u's chosen columns of the lead list (empty: the default).
func (db *DB) ListColumns(ctx context.Context, u string) ([]string, error) {
	var cols []string
	err := db.pool.QueryRow(ctx, `SELECT list_columns FROM users WHERE id = $1`, u).Scan(&cols)
	return cols, notFound(err, "user")
}

// SetListColumns stores user u's choice of the lead list's columns.
func (db *DB) SetListColumns(ctx context.Context, u string, cols []string) error {
	_, err := db.pool.Exec(ctx, `UPDATE users SET list_columns = $2 WHERE id = $1`, u, cols)
	return err
}

// NextSteps are the next steps of the latest follow-up of each of leads
// ids that has one, by lead id: the lead list's "next step".
func (db *DB) NextSteps(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT DISTINCT ON (f.lead_id) f.lead_id::text, f.next_step FROM follow_ups f
		WHERE f.lead_id = ANY($1::uuid[]) ORDER BY f.lead_id, f.created_at DESC`, ids)
	if err != nil {
		return nil, err
	}
	var id, step string
	_, err = pgx.ForEachRow(rows, []any{&id, &step}, func() error {
		if step != "" {
			out[id] = step
		}
		return nil
	})
	return out, err
}
