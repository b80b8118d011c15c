package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// LiveDuplicate returns the live lead a new lead with dedup key key would
// duplicate (the one intake's de-duplication finds, without its lock), ""
// when there is none.
func (db *DB) LiveDuplicate(ctx context.Context, key string) (string, error) {
	if key == "" {
		return "", nil
	}
	var dup string
	err := db.pool.QueryRow(ctx, liveDuplicateSQL, key, "00000000-0000-0000-0000-000000000000").Scan(&dup)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return dup, err
}

// DuplicateAccess is lead.DuplicateAccess of user u and the live lead dup:
// whether dup may be named to u, and whether intake may merge u's new lead
// into it. Admins may do both.
func (db *DB) DuplicateAccess(ctx context.Context, u lead.User, dup string) (named, writable bool, err error) {
	if dup == "" || u.ID == "" || !isUUID(dup) {
		return false, false, nil
	}
	if u.Role == lead.RoleAdmin {
		return true, true, nil
	}
	named, writable, err = userDuplicateAccess(ctx, db.pool, u.ID, dup)
	if lead.ErrorCode(err) == lead.CodeNotFound {
		return false, false, nil
	}
	return named, writable, err
}
