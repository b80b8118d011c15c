package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// TestExportsAreLimitedAndExpire: a user has at most maxRunning exports
// running, and an export's file is deleted once it is older than the TTL.
func TestExportsAreLimitedAndExpire(t *testing.T) {
	db := testenv.Store(t)
	ctx := context.Background()
	u, err := db.CreateUser(ctx, lead.User{ID: uuid.NewString(), Name: "Exa", Email: "exa@example.com", Role: lead.RoleRep,
		Capacity: 1, DailyClaimLimit: 1, Active: true}, []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	first, err := db.CreateExport(ctx, store.Export{ID: uuid.NewString(), CreatedBy: u.ID, Format: "csv", Fields: []string{"id"}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.CreateExport(ctx, store.Export{ID: uuid.NewString(), CreatedBy: u.ID, Format: "csv", Fields: []string{"id"}}, 1)
	if lead.ErrorCode(err) != lead.CodeRateLimited {
		t.Fatalf("a second running export: %v", err)
	}
	// The same request again is not a second export.
	if _, err := db.CreateExport(ctx, store.Export{ID: first.ID, CreatedBy: u.ID, Format: "csv", Fields: []string{"id"}}, 1); err != nil {
		t.Fatalf("the retry of the first export: %v", err)
	}
	if err := db.SaveExportFile(ctx, first.ID, []byte("id\n"), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FinishExport(ctx, first.ID, ""); err != nil {
		t.Fatal(err)
	}
	if n, err := db.ExpireExports(ctx, time.Hour); err != nil || n != 0 {
		t.Fatalf("a fresh export expired: %d %v", n, err)
	}
	if f, err := db.ExportFile(ctx, first.ID); err != nil || string(f) != "id\n" {
		t.Fatalf("file %q %v", f, err)
	}
	if n, err := db.ExpireExports(ctx, time.Nanosecond); err != nil || n != 1 {
		t.Fatalf("expired %d %v", n, err)
	}
	if _, err := db.ExportFile(ctx, first.ID); lead.ErrorCode(err) != lead.CodeNotFound || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("an expired file: %v", err)
	}
	if _, err := db.CreateExport(ctx, store.Export{ID: uuid.NewString(), CreatedBy: u.ID, Format: "csv", Fields: []string{"id"}}, 1); err != nil {
		t.Fatalf("an export once the first finished: %v", err)
	}
}
