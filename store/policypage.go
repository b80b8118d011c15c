package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/leadflow/leadflow/lead"
)

// LivePage is one page of the live leads of a pool (pooled, offered or
// assigned: those whose workflows run and a policy change must reach),
// read in one statement with the pool's policy as it was at that moment.
type LivePage struct {
	// Policy is the pool's policy and Version its revision (the pool's
	// updated_at in microseconds, which grows with every change of the pool).
	Policy  lead.Policy
	Version int64
	// LeadIDs are the page's leads, newest first.
	LeadIDs []string
	// Next is the cursor of the next page; "" on the last one.
	Next string
}

// LiveLeadsPage reads at most limit live leads of a pool after cursor (""
// for the first page), keyset-paged on (created_at, id) along the pool's
// index, together with the pool's current policy: the same snapshot, so a
// lead of the page never holds a newer policy than the one returned.
func (db *DB) LiveLeadsPage(ctx context.Context, poolID, cursor string, limit int) (LivePage, error) {
	if !isUUID(poolID) {
		return LivePage{}, lead.Errorf(lead.CodeNotFound, "pool not found")
	}
	var after *time.Time
	afterID := "00000000-0000-0000-0000-000000000000"
	if cursor != "" {
		t, id, err := decodeCursor(cursor)
		if err != nil {
			return LivePage{}, err
		}
		after, afterID = &t, id
	}
	rows, err := db.pool.Query(ctx, `SELECT `+poolPolicy+`, p.updated_at, l.id::text, l.created_at FROM pools p
		LEFT JOIN LATERAL (SELECT l.id, l.created_at FROM leads l
			WHERE l.pool_id = p.id AND l.status IN ('pooled', 'offered', 'assigned')
			AND ($2::timestamptz IS NULL OR (l.created_at, l.id) < ($2, $3::uuid))
			ORDER BY l.created_at DESC, l.id DESC LIMIT $4) l ON true
		WHERE p.id = $1`, poolID, after, afterID, limit+1)
	if err != nil {
		return LivePage{}, err
	}
	defer rows.Close()
	var page LivePage
	var policy []byte
	var updated time.Time
	var last time.Time
	found := false
	for rows.Next() {
		var id *string
		var created *time.Time
		if err := rows.Scan(&policy, &updated, &id, &created); err != nil {
			return page, err
		}
		found = true
		if id == nil {
			continue
		}
		if len(page.LeadIDs) == limit {
			page.Next = encodeCursor(last, page.LeadIDs[limit-1])
			break
		}
		page.LeadIDs = append(page.LeadIDs, *id)
		last = *created
	}
	if err := rows.Err(); err != nil {
		return page, err
	}
	if !found {
		return page, lead.Errorf(lead.CodeNotFound, "pool not found")
	}
	if err := json.Unmarshal(policy, &page.Policy); err != nil {
		return page, fmt.Errorf("store: policy of pool %s: %w", poolID, err)
	}
	page.Version = updated.UnixMicro()
	return page, nil
}
