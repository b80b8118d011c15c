package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// The statuses of an import or an export.
const (
	JobRunning   = "running"
	JobCompleted = "completed"
	JobFailed    = "failed"
)

// The outcomes of an import row.
const (
	RowCreated         = "created"          // a new live lead (with a warning in Reason when it duplicates one)
	RowMerged          = "merged"           // merged into an existing lead
	RowRejected        = "rejected"         // bad input, refused by a validation rule, or a duplicate under policy reject
	RowFailed          = "failed"           // could not be processed
	RowAlreadyImported = "already_imported" // the same row of the same file was imported before
)

// Import is a bulk import of leads from a file, with its progress.
type Import struct {
	ID              string            `json:"id"`
	CreatedBy       string            `json:"created_by"`
	FileName        string            `json:"file_name"`
	Format          string            `json:"format"`
	FileSHA256      string            `json:"file_sha256"`
	FileSize        int64             `json:"file_size"`
	Headers         []string          `json:"headers"`
	Mapping         map[string]string `json:"mapping"`
	PoolID          string            `json:"pool_id,omitempty"`
	DuplicatePolicy string            `json:"duplicate_policy,omitempty"`
	Status          string            `json:"status"`
	lead.ImportCounts
	Error      string     `json:"error,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
}

// ImportRow is one data row of an import and, once processed, its outcome.
type ImportRow struct {
	Row     int      `json:"row"`
	Seq     int      `json:"seq"`
	Cells   []string `json:"cells"`
	LeadID  string   `json:"lead_id,omitempty"`
	Outcome string   `json:"outcome,omitempty"`
	Reason  string   `json:"reason,omitempty"`
}

const importColumns = `id::text, created_by::text, file_name, format, file_sha256, file_size, headers, mapping,
	coalesce(pool_id::text, ''), duplicate_policy, status, total, processed, created, merged, rejected, failed,
	already_imported, warnings, error, created_at, finished_at`

func scanImport(row pgx.Row) (Import, error) {
	var im Import
	var mapping []byte
	err := row.Scan(&im.ID, &im.CreatedBy, &im.FileName, &im.Format, &im.FileSHA256, &im.FileSize, &im.Headers, &mapping,
		&im.PoolID, &im.DuplicatePolicy, &im.Status, &im.Total, &im.Processed, &im.Created, &im.Merged, &im.Rejected,
		&im.Failed, &im.AlreadyImported, &im.Warnings, &im.Error, &im.CreatedAt, &im.FinishedAt)
	if err != nil {
		return im, err
	}
	if err := json.Unmarshal(mapping, &im.Mapping); err != nil {
		return im, fmt.Errorf("store: mapping of import %s: %w", im.ID, err)
	}
	return im, nil
}

// CreateImport stores a new import with the rows of its file. It is
// idempotent on the import's id: when the import exists already, it is
// returned with created false and the rows are not stored again.
func (db *DB) CreateImport(ctx context.Context, im Import, rows []ImportRow) (out Import, created bool, err error) {
	mapping, err := json.Marshal(im.Mapping)
	if err != nil {
		return out, false, err
	}
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			INSERT INTO imports (id, created_by, file_name, format, file_sha256, file_size, headers, mapping, pool_id,
				duplicate_policy, total)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, nullif($9, '')::uuid, $10, $11)
			ON CONFLICT (id) DO NOTHING`,
			im.ID, im.CreatedBy, im.FileName, im.Format, im.FileSHA256, im.FileSize, im.Headers, mapping, im.PoolID,
			im.DuplicatePolicy, len(rows))
		if err != nil {
			if isForeignKeyViolation(err) {
				return lead.Invalid(lead.FieldError{Field: "pool_id", Reason: "is not an existing pool"})
			}
			return err
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		created = true
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"import_rows"}, []string{"import_id", "row", "seq", "cells"},
			pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
				return []any{im.ID, rows[i].Row, i, rows[i].Cells}, nil
			}))
		return err
	})
	if err != nil {
		return out, false, err
	}
	out, err = db.Import(ctx, im.ID)
	return out, created, err
}

// ImportedBefore returns, of the given rows of import im, those that an
// earlier import of the same file (by its SHA-256) made a lead of that was
// not rejected and whose intake finished: the lead, by row. A row rejected
// or failed before is not in it, so importing the file again with another
// column matching takes it in anew.
func (db *DB) ImportedBefore(ctx context.Context, im Import, rows []int) (map[int]lead.Lead, error) {
	out := map[int]lead.Lead{}
	if len(rows) == 0 {
		return out, nil
	}
	q, err := db.pool.Query(ctx, `SELECT DISTINCT ON (r.row) `+leadColumns+`, r.row
		FROM import_rows r JOIN imports i ON i.id = r.import_id JOIN `+leadFrom+` ON l.id = r.lead_id
		WHERE i.file_sha256 = $1 AND i.id <> $2 AND i.created_at <= $3 AND r.row = ANY($4)
			AND l.status NOT IN ('rejected', 'received')
		ORDER BY r.row, i.created_at, i.id`, im.FileSHA256, im.ID, im.CreatedAt, rows)
	if err != nil {
		return nil, err
	}
	defer q.Close()
	for q.Next() {
		var row int
		l, err := scanLeadWith(q, &row)
		if err != nil {
			return nil, err
		}
		out[row] = l
	}
	return out, q.Err()
}

// Import returns one import with its progress.
func (db *DB) Import(ctx context.Context, id string) (Import, error) {
	if !isUUID(id) {
		return Import{}, lead.Errorf(lead.CodeNotFound, "import not found")
	}
	im, err := scanImport(db.pool.QueryRow(ctx, `SELECT `+importColumns+` FROM imports WHERE id = $1`, id))
	return im, notFound(err, "import")
}

// ImportRows returns the rows of an import whose position is in [from, to).
func (db *DB) ImportRows(ctx context.Context, importID string, from, to int) ([]ImportRow, error) {
	rows, err := db.pool.Query(ctx, `SELECT row, seq, cells, coalesce(lead_id::text, ''), coalesce(outcome, ''), reason
		FROM import_rows WHERE import_id = $1 AND seq >= $2 AND seq < $3 ORDER BY seq`, importID, from, to)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ImportRow, error) {
		var ir ImportRow
		err := r.Scan(&ir.Row, &ir.Seq, &ir.Cells, &ir.LeadID, &ir.Outcome, &ir.Reason)
		return ir, err
	})
}

// StartImportRows records the lead each row is about to create, before its
// workflow starts: a retried batch then knows the lead is its own, not one
// an earlier import of the same file created.
func (db *DB) StartImportRows(ctx context.Context, importID string, leadIDs map[int]string) error {
	if len(leadIDs) == 0 {
		return nil
	}
	nums, ids := make([]int32, 0, len(leadIDs)), make([]string, 0, len(leadIDs))
	for n, id := range leadIDs {
		nums, ids = append(nums, int32(n)), append(ids, id)
	}
	_, err := db.pool.Exec(ctx, `UPDATE import_rows r SET lead_id = u.lead_id
		FROM unnest($2::int[], $3::uuid[]) AS u(row, lead_id)
		WHERE r.import_id = $1 AND r.row = u.row AND r.outcome IS NULL`, importID, nums, ids)
	return err
}

// ImportOutcome is the outcome of one processed row.
type ImportOutcome struct {
	Row     int
	LeadID  string
	Outcome string
	Reason  string
}

// RecordImportOutcomes records the outcomes of processed rows and adds them
// to the import's counts, in one statement. A row whose outcome is already
// recorded keeps it and is not counted again, so a retried batch counts
// each row once.
func (db *DB) RecordImportOutcomes(ctx context.Context, importID string, outs []ImportOutcome) error {
	if len(outs) == 0 {
		return nil
	}
	nums := make([]int32, len(outs))
	outcomes, reasons, leads := make([]string, len(outs)), make([]string, len(outs)), make([]string, len(outs))
	for i, o := range outs {
		nums[i], outcomes[i], reasons[i], leads[i] = int32(o.Row), o.Outcome, o.Reason, o.LeadID
	}
	_, err := db.pool.Exec(ctx, `
		WITH done AS (
			UPDATE import_rows r SET outcome = u.outcome, reason = u.reason,
				lead_id = coalesce(nullif(u.lead_id, '')::uuid, r.lead_id)
			FROM unnest($2::int[], $3::text[], $4::text[], $5::text[]) AS u(row, outcome, reason, lead_id)
			WHERE r.import_id = $1 AND r.row = u.row AND r.outcome IS NULL
			RETURNING r.outcome, r.reason
		)
		UPDATE imports SET
			processed = processed + (SELECT count(*) FROM done),
			created = created + (SELECT count(*) FROM done WHERE outcome = 'created'),
			merged = merged + (SELECT count(*) FROM done WHERE outcome = 'merged'),
			rejected = rejected + (SELECT count(*) FROM done WHERE outcome = 'rejected'),
			failed = failed + (SELECT count(*) FROM done WHERE outcome = 'failed'),
			already_imported = already_imported + (SELECT count(*) FROM done WHERE outcome = 'already_imported'),
			warnings = warnings + (SELECT count(*) FROM done WHERE outcome = 'created' AND reason <> '')
		WHERE id = $1`, importID, nums, outcomes, reasons, leads)
	return err
}

// FinishImport marks a running import completed, or failed when errMsg is
// set, and returns it. Finishing a finished import changes nothing.
func (db *DB) FinishImport(ctx context.Context, id, errMsg string) (Import, error) {
	_, err := db.pool.Exec(ctx, `UPDATE imports SET status = CASE WHEN $2 = '' THEN 'completed' ELSE 'failed' END,
		error = $2, finished_at = now() WHERE id = $1 AND status = 'running'`, id, errMsg)
	if err != nil {
		return Import{}, err
	}
	return db.Import(ctx, id)
}

// ImportProblems calls fn for every row of an import that was rejected or
// failed or created with a warning, in row order.
func (db *DB) ImportProblems(ctx context.Context, importID string, fn func(ImportRow) error) error {
	rows, err := db.pool.Query(ctx, `SELECT row, seq, cells, coalesce(lead_id::text, ''), outcome, reason
		FROM import_rows WHERE import_id = $1
			AND (outcome IN ('rejected', 'failed') OR (outcome = 'created' AND reason <> ''))
		ORDER BY row`, importID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var ir ImportRow
		if err := rows.Scan(&ir.Row, &ir.Seq, &ir.Cells, &ir.LeadID, &ir.Outcome, &ir.Reason); err != nil {
			return err
		}
		if err := fn(ir); err != nil {
			return err
		}
	}
	return rows.Err()
}
