package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// This file stores the bulk actions: a job, its frozen selection of leads
// (its items, in order) and each item's outcome, recorded once.

// The statuses of a bulk action.
const (
	BulkRunning   = "running"
	BulkDone      = "done"
	BulkCancelled = "cancelled"
	BulkFailed    = "failed"
)

// The outcomes of one lead of a bulk action.
const (
	BulkSucceeded = "succeeded"
	BulkRefused   = "refused"
	BulkItemFail  = "failed"
)

// MaxBulkLeads is the most leads one bulk action may select.
const MaxBulkLeads = 100_000

// BulkCounts are how far a bulk action went: the leads acted on (Done) and
// how each went, the refusals counted by their reason.
type BulkCounts struct {
	Done            int            `json:"done"`
	Succeeded       int            `json:"succeeded"`
	Refused         int            `json:"refused"`
	RefusedByReason map[string]int `json:"refused_by_reason"`
	Failed          int            `json:"failed"`
}

// BulkAction is one lead action applied to many leads in the background.
type BulkAction struct {
	ID        string          `json:"id"`
	CreatedBy string          `json:"created_by"`
	Action    string          `json:"action"`
	Params    json.RawMessage `json:"params"`
	// Filter selects the leads, its Viewer included (nil when LeadIDs
	// name them); its Limit and Cursor are not used.
	Filter     *LeadFilter `json:"-"`
	LeadIDs    []string    `json:"-"`
	Status     string      `json:"status"`
	Selected   bool        `json:"-"`
	Total      int         `json:"total"`
	ExportID   string      `json:"export_id,omitempty"`
	Error      string      `json:"error,omitempty"`
	CreatedAt  time.Time   `json:"created_at"`
	FinishedAt *time.Time  `json:"finished_at,omitempty"`
	BulkCounts
}

// BulkItem is one lead of a bulk action's selection and its outcome ("" before).
type BulkItem struct {
	Pos     int    `json:"pos"`
	LeadID  string `json:"lead_id"`
	Outcome string `json:"outcome,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Detail  string `json:"detail,omitempty"`
	Company string `json:"company,omitempty"` // the lead's, on the refused list
}

const bulkColumns = `b.id::text, b.created_by::text, b.action, b.params, b.filter, coalesce(b.lead_ids::text[], '{}'), b.status,
	b.selected, b.total, coalesce(b.export_id::text, ''), b.error, b.created_at, b.finished_at,
	c.done, c.succeeded, c.refused, c.failed`

// bulkFrom joins each job to its counts.
const bulkFrom = ` FROM bulk_actions b CROSS JOIN LATERAL (SELECT count(i.outcome) AS done,
	count(*) FILTER (WHERE i.outcome = 'succeeded') AS succeeded, count(*) FILTER (WHERE i.outcome = 'refused') AS refused,
	count(*) FILTER (WHERE i.outcome = 'failed') AS failed FROM bulk_action_items i WHERE i.bulk_id = b.id) c`

func scanBulk(row pgx.Row) (BulkAction, error) {
	var b BulkAction
	var filter []byte
	err := row.Scan(&b.ID, &b.CreatedBy, &b.Action, &b.Params, &filter, &b.LeadIDs, &b.Status, &b.Selected, &b.Total,
		&b.ExportID, &b.Error, &b.CreatedAt, &b.FinishedAt, &b.Done, &b.Succeeded, &b.Refused, &b.Failed)
	if err != nil {
		return b, err
	}
	if filter != nil {
		b.Filter = &LeadFilter{}
		if err := json.Unmarshal(filter, b.Filter); err != nil {
			return b, fmt.Errorf("store: filter of bulk action %s: %w", b.ID, err)
		}
	}
	return b, nil
}

// CreateBulkAction stores a new bulk action; an existing one of the same
// id (the same request again) is returned unchanged.
func (db *DB) CreateBulkAction(ctx context.Context, b BulkAction) (BulkAction, error) {
	var filter []byte
	if b.Filter != nil {
		f := *b.Filter
		f.Limit, f.Cursor = 0, ""
		var err error
		if filter, err = json.Marshal(f); err != nil {
			return BulkAction{}, err
		}
	}
	var ids any
	if b.LeadIDs != nil {
		ids = b.LeadIDs
	}
	var exportID any
	if b.ExportID != "" {
		exportID = b.ExportID
	}
	status := b.Status
	if status == "" {
		status = BulkRunning
	}
	_, err := db.pool.Exec(ctx, `INSERT INTO bulk_actions (id, created_by, action, params, filter, lead_ids, status, export_id, finished_at)
		VALUES ($1, $2, $3, $4, $5, $6::uuid[], $7, $8, CASE WHEN $7 = 'running' THEN NULL ELSE now() END) ON CONFLICT (id) DO NOTHING`,
		b.ID, b.CreatedBy, b.Action, b.Params, filter, ids, status, exportID)
	if err != nil {
		return BulkAction{}, err
	}
	return db.BulkAction(ctx, b.ID)
}

// BulkAction returns one bulk action with its counts.
func (db *DB) BulkAction(ctx context.Context, id string) (BulkAction, error) {
	if !isUUID(id) {
		return BulkAction{}, lead.Errorf(lead.CodeNotFound, "bulk action not found")
	}
	b, err := scanBulk(db.pool.QueryRow(ctx, `SELECT `+bulkColumns+bulkFrom+` WHERE b.id = $1`, id))
	if err != nil {
		return b, notFound(err, "bulk action")
	}
	b.RefusedByReason = map[string]int{}
	rows, err := db.pool.Query(ctx, `SELECT reason, count(*) FROM bulk_action_items WHERE bulk_id = $1 AND outcome = 'refused' GROUP BY reason`, id)
	if err != nil {
		return b, err
	}
	var reason string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&reason, &n}, func() error {
		b.RefusedByReason[reason] = n
		return nil
	})
	return b, err
}

// BulkActions lists the bulk actions v may see, newest first: an admin
// (or the zero Viewer) all of them, others their own.
func (db *DB) BulkActions(ctx context.Context, v Viewer, limit int, cursor string) ([]BulkAction, string, error) {
	var q listQuery
	if v.ID != "" && v.Role != lead.RoleAdmin {
		q.and(`b.created_by = ` + q.arg(v.ID) + `::uuid`)
	}
	if err := q.keyset("b.created_at", "b.id", true, cursor); err != nil {
		return nil, "", err
	}
	return queryPage(ctx, db, bulkColumns+bulkFrom, &q, limit, scanBulk,
		func(b BulkAction) (time.Time, string) { return b.CreatedAt, b.ID })
}

// LeadIDsOf are the ids of the leads filter f selects (its Viewer's
// view), newest first, read a page at a time; more than max is refused.
func (db *DB) LeadIDsOf(ctx context.Context, f LeadFilter, max int, progress func(int)) ([]string, error) {
	f.Limit, f.Cursor = 1000, ""
	ids := []string{}
	for {
		leads, next, err := db.Leads(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, l := range leads {
			ids = append(ids, l.ID)
		}
		if len(ids) > max {
			return nil, lead.Invalid(lead.FieldError{Field: "filter",
				Reason: fmt.Sprintf("selects more than %d leads; narrow it and act in parts", max)})
		}
		if progress != nil {
			progress(len(ids))
		}
		if next == "" {
			return ids, nil
		}
		f.Cursor = next
	}
}

// SelectBulk freezes the selection of bulk action id: the leads ids, in
// order, once. A second call (a retried step) keeps the first selection
// and returns its size.
func (db *DB) SelectBulk(ctx context.Context, id string, ids []string) (int, error) {
	var total int
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var selected bool
		if err := tx.QueryRow(ctx, `SELECT selected, total FROM bulk_actions WHERE id = $1 FOR UPDATE`, id).Scan(&selected, &total); err != nil {
			return notFound(err, "bulk action")
		}
		if selected {
			return nil
		}
		if _, err := tx.Exec(ctx, `INSERT INTO bulk_action_items (bulk_id, pos, lead_id)
			SELECT $1, t.n - 1, t.id FROM unnest($2::uuid[]) WITH ORDINALITY AS t (id, n)`, id, ids); err != nil {
			return err
		}
		total = len(ids)
		_, err := tx.Exec(ctx, `UPDATE bulk_actions SET selected = true, total = $2 WHERE id = $1`, id, total)
		return err
	})
	return total, err
}

// BulkItems are the items of bulk action id at positions [from, to) not
// acted on yet.
func (db *DB) BulkItems(ctx context.Context, id string, from, to int) ([]BulkItem, error) {
	rows, err := db.pool.Query(ctx, `SELECT pos, lead_id::text FROM bulk_action_items
		WHERE bulk_id = $1 AND pos >= $2 AND pos < $3 AND outcome IS NULL ORDER BY pos`, id, from, to)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (BulkItem, error) {
		var it BulkItem
		return it, row.Scan(&it.Pos, &it.LeadID)
	})
}

// RecordBulkItem records the outcome of one item, once: an item already
// recorded keeps its first outcome.
func (db *DB) RecordBulkItem(ctx context.Context, id string, it BulkItem) error {
	_, err := db.pool.Exec(ctx, `UPDATE bulk_action_items SET outcome = $3, reason = $4, detail = $5
		WHERE bulk_id = $1 AND pos = $2 AND outcome IS NULL`, id, it.Pos, it.Outcome, it.Reason, it.Detail)
	return err
}

// BulkStatus is the status of bulk action id (running until it is done,
// cancelled or failed).
func (db *DB) BulkStatus(ctx context.Context, id string) (string, error) {
	var status string
	err := db.pool.QueryRow(ctx, `SELECT status FROM bulk_actions WHERE id = $1`, id).Scan(&status)
	return status, notFound(err, "bulk action")
}

// CancelBulk marks a running bulk action cancelled (its job stops before
// its next lead) and returns it; any other is returned unchanged.
func (db *DB) CancelBulk(ctx context.Context, id string) (BulkAction, error) {
	if _, err := db.pool.Exec(ctx, `UPDATE bulk_actions SET status = 'cancelled' WHERE id = $1 AND status = 'running'`, id); err != nil {
		return BulkAction{}, err
	}
	return db.BulkAction(ctx, id)
}

// FinishBulk marks bulk action id done, or failed when errMsg is set (a
// cancelled one stays cancelled), with the time it stopped, and returns it.
func (db *DB) FinishBulk(ctx context.Context, id, errMsg string) (BulkAction, error) {
	_, err := db.pool.Exec(ctx, `UPDATE bulk_actions SET
		status = CASE WHEN status <> 'running' THEN status WHEN $2 = '' THEN 'done' ELSE 'failed' END,
		error = CASE WHEN status = 'running' THEN $2 ELSE error END, finished_at = coalesce(finished_at, now())
		WHERE id = $1`, id, errMsg)
	if err != nil {
		return BulkAction{}, err
	}
	return db.BulkAction(ctx, id)
}

// BulkRefusedItems are the refused and failed items of bulk action id, in
// order, with their lead's company (when the lead exists).
func (db *DB) BulkRefusedItems(ctx context.Context, id string) ([]BulkItem, error) {
	rows, err := db.pool.Query(ctx, `SELECT i.pos, i.lead_id::text, i.outcome, i.reason, i.detail,
		CASE WHEN i.reason = 'access' THEN '' ELSE coalesce(l.company, '') END
		FROM bulk_action_items i LEFT JOIN leads l ON l.id = i.lead_id
		WHERE i.bulk_id = $1 AND i.outcome IN ('refused', 'failed') ORDER BY i.pos`, id)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (BulkItem, error) {
		var it BulkItem
		return it, row.Scan(&it.Pos, &it.LeadID, &it.Outcome, &it.Reason, &it.Detail, &it.Company)
	})
}
