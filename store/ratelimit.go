package store

import (
	"context"
	"math/rand/v2"
)

// Hit counts one request of key in the current minute and returns how
// many it has made in that minute, across every API replica. Now and then
// it forgets the minutes that are over.
func (db *DB) Hit(ctx context.Context, key string) (int, error) {
	var n int
	err := db.pool.QueryRow(ctx, `INSERT INTO rate_hits (key, minute, hits) VALUES ($1, date_trunc('minute', now()), 1)
		ON CONFLICT (key, minute) DO UPDATE SET hits = rate_hits.hits + 1 RETURNING hits`, key).Scan(&n)
	if err == nil && rand.IntN(100) == 0 {
		_, err = db.pool.Exec(ctx, `DELETE FROM rate_hits WHERE minute < date_trunc('minute', now())`)
	}
	return n, err
}
