package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// Export is a file of leads made in the background, with its status.
type Export struct {
	ID        string   `json:"id"`
	CreatedBy string   `json:"created_by"`
	Format    string   `json:"format"`
	Fields    []string `json:"fields"`
	// Filter selects the leads, its Viewer included; its Limit and Cursor
	// are not used.
	Filter     LeadFilter `json:"-"`
	Status     string     `json:"status"`
	Rows       int        `json:"rows"`
	FileSize   int64      `json:"file_size"`
	Error      string     `json:"error,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
}

const exportColumns = `id::text, created_by::text, format, fields, filter, status, rows, file_size, error, created_at, finished_at`

func scanExport(row pgx.Row) (Export, error) {
	var e Export
	var filter []byte
	err := row.Scan(&e.ID, &e.CreatedBy, &e.Format, &e.Fields, &filter, &e.Status, &e.Rows, &e.FileSize, &e.Error,
		&e.CreatedAt, &e.FinishedAt)
	if err != nil {
		return e, err
	}
	if err := json.Unmarshal(filter, &e.Filter); err != nil {
		return e, fmt.Errorf("store: filter of export %s: %w", e.ID, err)
	}
	return e, nil
}

// tooManyExports refuses an export while its creator has maxRunning
// exports running.
const tooManyExports = "you have %d exports running; wait until one is done"

// CreateExport stores a new running export, unless its creator already
// has maxRunning exports running (a refusal the API answers with 429); an
// existing export of the same id is returned unchanged.
func (db *DB) CreateExport(ctx context.Context, e Export, maxRunning int) (Export, error) {
	e.Filter.Limit, e.Filter.Cursor = 0, ""
	filter, err := json.Marshal(e.Filter)
	if err != nil {
		return Export{}, err
	}
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		// One user's exports are counted one at a time.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 11))`, e.CreatedBy); err != nil {
			return err
		}
		var running int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM exports WHERE created_by = $1 AND status = 'running' AND id <> $2`,
			e.CreatedBy, e.ID).Scan(&running); err != nil {
			return err
		}
		if running >= maxRunning {
			return lead.Errorf(lead.CodeRateLimited, tooManyExports, running)
		}
		_, err := tx.Exec(ctx, `INSERT INTO exports (id, created_by, format, fields, filter) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (id) DO NOTHING`, e.ID, e.CreatedBy, e.Format, e.Fields, filter)
		return err
	})
	if err != nil {
		return Export{}, err
	}
	return db.Export(ctx, e.ID)
}

// ExpireExports deletes the files of the exports finished more than ttl
// ago; the exports stay, saying their file expired.
func (db *DB) ExpireExports(ctx context.Context, ttl time.Duration) (int64, error) {
	tag, err := db.pool.Exec(ctx, `UPDATE exports SET file = NULL, file_size = 0
		WHERE file IS NOT NULL AND finished_at < now() - $1::interval`, interval(ttl))
	return tag.RowsAffected(), err
}

// Export returns one export, without its file.
func (db *DB) Export(ctx context.Context, id string) (Export, error) {
	if !isUUID(id) {
		return Export{}, lead.Errorf(lead.CodeNotFound, "export not found")
	}
	e, err := scanExport(db.pool.QueryRow(ctx, `SELECT `+exportColumns+` FROM exports WHERE id = $1`, id))
	return e, notFound(err, "export")
}

// SaveExportFile stores the file of a running export and its row count.
func (db *DB) SaveExportFile(ctx context.Context, id string, file []byte, rows int) error {
	_, err := db.pool.Exec(ctx, `UPDATE exports SET file = $2, file_size = $3, rows = $4 WHERE id = $1 AND status = 'running'`,
		id, file, len(file), rows)
	return err
}

// FinishExport marks a running export completed, or failed when errMsg is
// set, and returns it. Finishing a finished export changes nothing.
func (db *DB) FinishExport(ctx context.Context, id, errMsg string) (Export, error) {
	_, err := db.pool.Exec(ctx, `UPDATE exports SET status = CASE WHEN $2 = '' AND file IS NOT NULL THEN 'completed' ELSE 'failed' END,
		error = CASE WHEN $2 = '' AND file IS NULL THEN 'the file was not made' ELSE $2 END, finished_at = now()
		WHERE id = $1 AND status = 'running'`, id, errMsg)
	if err != nil {
		return Export{}, err
	}
	return db.Export(ctx, id)
}

// ExportFile returns the file of a completed export.
func (db *DB) ExportFile(ctx context.Context, id string) ([]byte, error) {
	if !isUUID(id) {
		return nil, lead.Errorf(lead.CodeNotFound, "export not found")
	}
	var file []byte
	err := db.pool.QueryRow(ctx, `SELECT file FROM exports WHERE id = $1 AND status = 'completed'`, id).Scan(&file)
	if err == nil && file == nil {
		return nil, lead.Errorf(lead.CodeNotFound, "the export's file has expired; export again")
	}
	return file, notFound(err, "export file")
}
