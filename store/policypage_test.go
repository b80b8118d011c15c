package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/lead"
)

// TestLiveLeadsPage: the pages of a pool's live leads cover each of them
// once, and carry the pool's policy with its revision, which grows with
// every change of the pool.
func TestLiveLeadsPage(t *testing.T) {
	db := testenv.Store(t)
	ctx := context.Background()
	var want []string
	for i := range 5 {
		want = append(want, pooledLead(t, db, fmt.Sprintf("Paged Company %d", i), "").ID)
	}
	var got []string
	cursor, pages := "", 0
	for {
		page, err := db.LiveLeadsPage(ctx, lead.DefaultPoolID, cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		got = append(got, page.LeadIDs...)
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if pages != 3 || !slices.Equal(got, want) {
		t.Fatalf("%d pages, leads %v, want %v", pages, got, want)
	}

	before, err := db.Pool(ctx, lead.DefaultPoolID)
	if err != nil {
		t.Fatal(err)
	}
	up, err := db.UpdatePool(ctx, lead.DefaultPoolID, lead.PoolPatch{Policy: lead.PolicyPatch{NoFollowUpAfter: pptr(lead.Wall(time.Hour))}})
	if err != nil {
		t.Fatal(err)
	}
	page, err := db.LiveLeadsPage(ctx, lead.DefaultPoolID, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if page.Version != up.UpdatedAt.UnixMicro() || page.Version <= before.UpdatedAt.UnixMicro() ||
		page.Policy.NoFollowUpAfter != lead.Wall(time.Hour) || len(page.LeadIDs) != 5 || page.Next != "" {
		t.Fatalf("page %+v after the change at %v (before %v)", page, up.UpdatedAt, before.UpdatedAt)
	}
	if _, err := db.LiveLeadsPage(ctx, "00000000-0000-0000-0000-00000000dead", "", 10); lead.ErrorCode(err) != lead.CodeNotFound {
		t.Fatalf("a missing pool: %v", err)
	}
}
