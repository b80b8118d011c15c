package store

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/leadflow/leadflow/lead"
)

// This file reads what an intake's rules need besides the lead: its pool's
// policy and the companies registered from its IP address.

// PoolPolicy returns the policy of a pool.
func (db *DB) PoolPolicy(ctx context.Context, id string) (lead.Policy, error) {
	var p lead.Policy
	if !isUUID(id) {
		return p, lead.Errorf(lead.CodeNotFound, "pool not found")
	}
	var raw []byte
	if err := db.pool.QueryRow(ctx, `SELECT policy FROM pools WHERE id = $1`, id).Scan(&raw); err != nil {
		return p, notFound(err, "pool")
	}
	return p, json.Unmarshal(raw, &p)
}

// IPCompanies counts, for each lead and window, the distinct companies
// other than the lead's registered from the lead's IP within that window
// before the lead itself was created. One query per window, whatever the
// number of leads (the preview of a rule change asks for a thousand).
func (db *DB) IPCompanies(ctx context.Context, leadIDs []string, windows map[string]time.Duration) (map[string]map[string]int, error) {
	out := make(map[string]map[string]int, len(leadIDs))
	for _, id := range leadIDs {
		out[id] = map[string]int{}
	}
	if len(leadIDs) == 0 {
		return out, nil
	}
	for name, w := range windows {
		rows, err := db.pool.Query(ctx, `
			SELECT l.id::text, count(DISTINCT o.company_key)
			FROM leads l JOIN leads o ON o.ip = l.ip AND o.id <> l.id AND o.company_key <> l.company_key
				AND o.created_at <= l.created_at AND o.created_at > l.created_at - $2::interval
			WHERE l.id = ANY($1::uuid[]) AND l.ip IS NOT NULL
			GROUP BY l.id`, leadIDs, strconv.FormatInt(w.Microseconds(), 10)+" microseconds")
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return nil, err
			}
			out[id][name] = n
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
