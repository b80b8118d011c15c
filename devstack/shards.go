package devstack

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// historyShards is the history shard count to run dbPath with. Temporal
// cannot change the count of an existing database, so it is written beside
// a new file (dbPath + ".shards") and read back from there afterwards; an
// existing file without it was created with 1 shard. want (default
// DefaultHistoryShards) only applies to a database created just now
// (created) or an in-memory one.
func historyShards(dbPath string, want int, created bool) (int, error) {
	if want <= 0 {
		want = DefaultHistoryShards
	}
	if dbPath == "" {
		return want, nil
	}
	side := dbPath + ".shards"
	b, err := os.ReadFile(side)
	switch {
	case err == nil:
		n, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("devstack: %s holds %q, not a shard count", side, strings.TrimSpace(string(b)))
		}
		return n, nil
	case !errors.Is(err, fs.ErrNotExist):
		return 0, fmt.Errorf("devstack: read %s: %w", side, err)
	}
	if !created {
		want = 1 // a database from before the setting
	}
	if err := os.WriteFile(side, []byte(strconv.Itoa(want)+"\n"), 0o600); err != nil {
		return 0, fmt.Errorf("devstack: write %s: %w", side, err)
	}
	return want, nil
}
