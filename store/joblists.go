package store

import (
	"context"
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
