package store

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// listQuery is one list's query in the making: its conditions, their
// arguments and its keyset order.
type listQuery struct {
	where []string
	args  []any
	order string
}

// arg binds v and returns its placeholder.
func (q *listQuery) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// and adds a condition.
func (q *listQuery) and(cond string) {
	q.where = append(q.where, cond)
}

// likePattern is an ILIKE pattern matching v anywhere, its wildcards escaped.
func likePattern(v string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(v) + "%"
}

// keyset orders the list by (createdAt, id), newest first when desc, and
// starts it after the row the cursor names (at the start when empty).
func (q *listQuery) keyset(createdAt, id string, desc bool, cursor string) error {
	dir, cmp := "", ">"
	if desc {
		dir, cmp = " DESC", "<"
	}
	q.order = createdAt + dir + ", " + id + dir
	if cursor == "" {
		return nil
	}
	t, after, err := decodeCursor(cursor)
	if err != nil {
		return err
	}
	q.and("(" + createdAt + ", " + id + ") " + cmp + " (" + q.arg(t) + ", " + q.arg(after) + "::uuid)")
	return nil
}

// queryPage runs "SELECT selectFrom WHERE … ORDER BY … LIMIT limit+1",
// scans the rows and returns at most limit of them with the cursor of the
// next page ("" on the last one). key is a row's (created_at, id).
func queryPage[T any](ctx context.Context, db *DB, selectFrom string, q *listQuery, limit int,
	scan func(pgx.Row) (T, error), key func(T) (time.Time, string)) ([]T, string, error) {
	sql := "SELECT " + selectFrom
	if len(q.where) > 0 {
		sql += " WHERE " + strings.Join(q.where, " AND ")
	}
	sql += " ORDER BY " + q.order + " LIMIT " + q.arg(limit+1)
	rows, err := db.pool.Query(ctx, sql, q.args...)
	if err != nil {
		return nil, "", err
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
	if err != nil {
		return nil, "", err
	}
	items, next := pageOf(items, limit, func(last T) string { return encodeCursor(key(last)) })
	return items, next, nil
}

// pageOf trims rows, fetched with a limit one over limit, to limit and
// returns the cursor of the next page: next of the last row kept, or ""
// when there is no more.
func pageOf[T any](rows []T, limit int, next func(last T) string) ([]T, string) {
	if len(rows) <= limit {
		return rows, ""
	}
	rows = rows[:limit]
	return rows, next(rows[limit-1])
}

// encodeCursor makes an opaque keyset cursor from a row's sort key.
func encodeCursor(t time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(t.UTC().Format(time.RFC3339Nano) + "|" + id))
}

// decodeCursor reads a cursor made by encodeCursor.
func decodeCursor(c string) (time.Time, string, error) {
	bad := lead.Invalid(lead.FieldError{Field: "cursor", Reason: "is not a cursor returned by this list"})
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", bad
	}
	ts, id, ok := strings.Cut(string(b), "|")
	if !ok || !isUUID(id) {
		return time.Time{}, "", bad
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return time.Time{}, "", bad
	}
	return t, id, nil
}

// isUUID reports whether s is a UUID, so that malformed ids are "not found"
// rather than database errors.
func isUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}
