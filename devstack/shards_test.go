package devstack

import (
	"os"
	"path/filepath"
	"testing"
)

// TestHistoryShards: a new database gets the count asked for (or the
// default) and keeps it; an existing file without a stored count has 1;
// an in-memory one takes what is asked.
func TestHistoryShards(t *testing.T) {
	dir := t.TempDir()
	fresh := filepath.Join(dir, "new.db")
	if n, err := historyShards(fresh, 0, true); err != nil || n != DefaultHistoryShards {
		t.Fatalf("new database, default: %d, %v; want %d", n, err, DefaultHistoryShards)
	}
	if n, err := historyShards(fresh, 16, false); err != nil || n != DefaultHistoryShards {
		t.Fatalf("the same database asked for 16: %d, %v; want its own %d", n, err, DefaultHistoryShards)
	}
	old := filepath.Join(dir, "old.db")
	if err := os.WriteFile(old, []byte("sqlite"), 0o600); err != nil {
		t.Fatal(err)
	}
	if n, err := historyShards(old, 8, false); err != nil || n != 1 {
		t.Fatalf("a database from before the setting: %d, %v; want 1", n, err)
	}
	if n, err := historyShards(old, 8, false); err != nil || n != 1 {
		t.Fatalf("the old database again: %d, %v; want 1", n, err)
	}
	if n, err := historyShards("", 8, false); err != nil || n != 8 {
		t.Fatalf("in memory: %d, %v; want 8", n, err)
	}
	if err := os.WriteFile(fresh+".shards", []byte("many\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := historyShards(fresh, 0, false); err == nil {
		t.Fatal("a stored count that is not a number was accepted")
	}
}
