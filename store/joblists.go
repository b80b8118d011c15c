package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/leadflow/leadflow/lead"
)

// This file lists imports and exports, newest first, as their pages and
// GET /api/v1/imports and /exports show them.

// Imports lists the imports v may see: for an admin (or the zero Viewer)
// all of them; for others those they started and those into a pool they
// administer (poolAdminSQL, the twin of the check GET /imports/{id} makes).
func (db *DB) Imports(ctx context.Context, v Viewer, limit int, cursor string) ([]Import, string, error) {
	var q listQuery
	if v.ID != "" && v.Role != lead.RoleAdmin {
		u := q.arg(v.ID) + "::uuid"
		q.and(`(i.created_by = ` + u + ` OR (i.pool_id IS NOT NULL AND EXISTS (SELECT 1 FROM pools p WHERE p.id = i.pool_id AND ` +
			poolAdminSQL("p", u) + `)))`)
	}
	if err := q.keyset("created_at", "id", true, cursor); err != nil {
		return nil, "", err
	}
	return queryPage(ctx, db, importColumns+` FROM imports i`, &q, limit, scanImport,
		func(im Import) (time.Time, string) { return im.CreatedAt, im.ID })
}

// Exports lists the exports v may see: an admin (or the zero Viewer) all
// of them, others their own (an export holds what its creator may see).
func (db *DB) Exports(ctx context.Context, v Viewer, limit int, cursor string) ([]Export, string, error) {
	var q listQuery
	if v.ID != "" && v.Role != lead.RoleAdmin {
		q.and(`created_by = ` + q.arg(v.ID) + `::uuid`)
	}
	if err := q.keyset("created_at", "id", true, cursor); err != nil {
		return nil, "", err
	}
	return queryPage(ctx, db, exportColumns+` FROM exports`, &q, limit, scanExport,
		func(e Export) (time.Time, string) { return e.CreatedAt, e.ID })
}

// Summary says how an import went: "12 rows, 9 created, 2 merged, 1
// rejected" (its error when it failed). E-mails and pages show it.
func (im Import) Summary() string {
	if im.Status == JobFailed {
		return im.Error
	}
	parts := []string{fmt.Sprintf("%d created", im.Created)}
	for _, c := range []struct {
		n    int
		what string
	}{{im.Merged, "merged"}, {im.AlreadyImported, "already imported"}, {im.Rejected, "rejected"}, {im.Failed, "failed"}} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	return fmt.Sprintf("%d row%s, %s", im.Total, plural(im.Total), strings.Join(parts, ", "))
}

// Summary says what an export holds: "42 leads, CSV" (its error when it failed).
func (e Export) Summary() string {
	if e.Status == JobFailed {
		return e.Error
	}
	return fmt.Sprintf("%d lead%s, %s", e.Rows, plural(e.Rows), strings.ToUpper(e.Format))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
