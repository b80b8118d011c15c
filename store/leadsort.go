package store

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// This file orders the lead list by any of its columns over the whole
// result, with a stable keyset (key, id): each order's key is an
// expression with an index on (key, id) (migration 028), so a first page
// reads the index's first rows.

// leadSort is one order of the lead list: its key's SQL, whether it runs
// down, and how its cursor writes the key.
type leadSort struct {
	key  string
	desc bool
	kind byte // 't' a time, 'i' an integer, 's' text
}

// epochKey stands for a missing time in a sort key (the indexes' expression).
const epochKey = "'epoch'::timestamptz"

// LeadSorts are the lead list's orders: newest first (created), the most
// recently assigned or followed up first, the highest score first, by
// company name, and the soonest reclaim first (reclaim).
var LeadSorts = map[string]leadSort{
	"":               {"l.created_at", true, 't'},
	SortCreated:      {"l.created_at", true, 't'},
	"assigned":       {"coalesce(l.assigned_at, " + epochKey + ")", true, 't'},
	"last_follow_up": {"coalesce(l.last_follow_up_at, " + epochKey + ")", true, 't'},
	"score":          {decayedScore, true, 'i'},
	"company":        {"l.company", false, 's'},
	SortReclaim:      {reclaimAt, false, 't'},
}

// SortNames names the lead list's orders, for messages.
const SortNames = "created, assigned, last_follow_up, score, company or reclaim"

// ValidSort reports whether s is an order of the lead list ("" is created).
func ValidSort(s string) bool {
	_, ok := LeadSorts[s]
	return ok
}

// leadPage runs the list's query q in f's order from f's cursor and
// returns a page of at most f.Limit leads with the next page's cursor.
func leadPage(ctx context.Context, db *DB, q *listQuery, f LeadFilter) ([]lead.Lead, string, error) {
	s, ok := LeadSorts[f.Sort]
	if !ok {
		return nil, "", lead.Invalid(lead.FieldError{Field: "sort", Reason: "must be " + SortNames})
	}
	if f.Sort == "score" {
		s.key = f.scoreSQL()
	}
	dir, cmp := "", ">"
	if s.desc {
		dir, cmp = " DESC", "<"
	}
	q.order = s.key + dir + ", l.id" + dir
	if f.Cursor != "" {
		v, id, err := s.decode(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		q.and("(" + s.key + ", l.id) " + cmp + " (" + q.arg(v) + ", " + q.arg(id) + "::uuid)")
	}
	sql := "SELECT " + leadColumns + ", " + s.key + " FROM " + leadFrom
	if len(q.where) > 0 {
		sql += " WHERE " + strings.Join(q.where, " AND ")
	}
	sql += " ORDER BY " + q.order + " LIMIT " + q.arg(f.Limit+1)
	type keyed struct {
		l   lead.Lead
		key any
	}
	rows, err := db.pool.Query(ctx, sql, q.args...)
	if err != nil {
		return nil, "", err
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (keyed, error) {
		var k keyed
		var err error
		k.l, err = scanLeadWith(r, &k.key)
		return k, err
	})
	if err != nil {
		return nil, "", err
	}
	items, next := pageOf(items, f.Limit, func(last keyed) string { return s.encode(last.key, last.l.ID) })
	ls := make([]lead.Lead, len(items))
	for i, k := range items {
		ls[i] = k.l
	}
	return ls, next, nil
}

// encode makes the cursor after the row with sort key v and id.
func (s leadSort) encode(v any, id string) string {
	switch k := v.(type) {
	case time.Time:
		return encodeCursor(k, id) // as every other list's cursor
	default:
		return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprint(k) + "|" + id))
	}
}

// decode reads a cursor made by encode, its key typed for the query.
func (s leadSort) decode(c string) (any, string, error) {
	if s.kind == 't' {
		t, id, err := decodeCursor(c)
		return t, id, err
	}
	bad := lead.Invalid(lead.FieldError{Field: "cursor", Reason: "is not a cursor returned by this list"})
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, "", bad
	}
	i := strings.LastIndexByte(string(b), '|')
	if i < 0 || !isUUID(string(b[i+1:])) {
		return nil, "", bad
	}
	key, id := string(b[:i]), string(b[i+1:])
	if s.kind == 'i' {
		n, err := strconv.Atoi(key)
		if err != nil {
			return nil, "", bad
		}
		return n, id, nil
	}
	return key, id, nil
}
