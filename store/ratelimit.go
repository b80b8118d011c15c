package store

import (
	"context"
	"math/rand/v2"
	"time"
)

// Hit counts one event of key in the current window of the given length and
// returns how many the window has counted, across every API replica, and
// when it ends. Windows are fixed: they start at multiples of their length
// (from 2000-01-01 UTC, by the database's clock), so a key starts afresh at
// each. A row of rate_hits is a key's window; its column minute holds the
// window's end, so that one condition forgets every window that is over,
// whatever its length, as Hit does now and then.
func (db *DB) Hit(ctx context.Context, key string, window time.Duration) (int, time.Time, error) {
	var n int
	var until time.Time
	err := db.pool.QueryRow(ctx, `INSERT INTO rate_hits (key, minute, hits)
		SELECT $1, date_bin(w, now(), timestamptz '2000-01-01 00:00:00+00') + w, 1 FROM (SELECT $2::bigint * interval '1 microsecond' AS w) s
		ON CONFLICT (key, minute) DO UPDATE SET hits = rate_hits.hits + 1 RETURNING hits, minute`,
		key, window.Microseconds()).Scan(&n, &until)
	if err == nil && rand.IntN(100) == 0 {
		_, err = db.pool.Exec(ctx, `DELETE FROM rate_hits WHERE minute <= now()`)
	}
	return n, until, err
}
