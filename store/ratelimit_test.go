package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/testenv"
)

// TestHitWindows covers the counts of the rate limits: per key, in fixed
// windows of the length asked for, each ending at a multiple of it.
func TestHitWindows(t *testing.T) {
	db := testenv.Store(t)
	ctx := context.Background()
	for i, want := range []int{1, 2, 3} {
		n, until, err := db.Hit(ctx, "signin/192.0.2.1", 15*time.Minute)
		if err != nil || n != want {
			t.Fatalf("hit %d: %d, %v; want %d", i, n, err, want)
		}
		if left := time.Until(until); left <= 0 || left > 15*time.Minute || until.UTC().Truncate(15*time.Minute) != until.UTC() {
			t.Fatalf("hit %d: the window ends at %v, want the next quarter hour", i, until)
		}
	}
	if n, _, err := db.Hit(ctx, "signin/192.0.2.2", 15*time.Minute); err != nil || n != 1 {
		t.Fatalf("another key: %d, %v; want 1", n, err)
	}
	n, until, err := db.Hit(ctx, "register/192.0.2.1", time.Minute)
	if err != nil || n != 1 || time.Until(until) > time.Minute || until.Second() != 0 {
		t.Fatalf("a minute's window: %d, ends %v, %v", n, until, err)
	}
}
