package store

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// ReportScope lists the ids of the leads v's reports count
// (Viewer.reportCondition), for TestVisibilityTwin.
func ReportScope(ctx context.Context, db *DB, v Viewer) ([]string, error) {
	var args []any
	cond := v.reportCondition(func(a any) string { args = append(args, a); return "$" + strconv.Itoa(len(args)) })
	if cond == "" {
		cond = "true"
	}
	rows, err := db.pool.Query(ctx, `SELECT l.id::text FROM leads l LEFT JOIN pools p ON p.id = l.pool_id WHERE `+cond, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
