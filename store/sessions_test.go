package store_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/lead"
)

// TestSessions covers the console's sign-in state: a session is found by
// its hash until it expires or ends; a sign-in code works once.
func TestSessions(t *testing.T) {
	db := testenv.Store(t)
	ctx := context.Background()
	u, err := db.CreateUser(ctx, lead.User{ID: uuid.NewString(), Name: "Sam", Email: "sam@example.com", Role: lead.RoleRep,
		Capacity: 5, DailyClaimLimit: 5, Active: true}, bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	live, old := []byte("live-session-hash"), []byte("old-session-hash")
	if err := db.CreateSession(ctx, live, u.ID, "csrf1", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateSession(ctx, old, u.ID, "csrf2", time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	got, csrf, err := db.Session(ctx, live)
	if err != nil || got.ID != u.ID || csrf != "csrf1" {
		t.Fatalf("live session: %+v %q %v", got, csrf, err)
	}
	if _, _, err := db.Session(ctx, old); lead.ErrorCode(err) != lead.CodeNotFound {
		t.Fatalf("expired session: %v, want not found", err)
	}
	if err := db.DeleteSession(ctx, live); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.Session(ctx, live); lead.ErrorCode(err) != lead.CodeNotFound {
		t.Fatalf("ended session: %v, want not found", err)
	}

	code := []byte("code-hash")
	if err := db.CreateSignInCode(ctx, code, u.ID, time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if id, err := db.UseSignInCode(ctx, code); err != nil || id != u.ID {
		t.Fatalf("first use: %q %v", id, err)
	}
	if _, err := db.UseSignInCode(ctx, code); lead.ErrorCode(err) != lead.CodeNotFound {
		t.Fatalf("second use: %v, want not found", err)
	}
	expired := []byte("expired-code-hash")
	if err := db.CreateSignInCode(ctx, expired, u.ID, time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UseSignInCode(ctx, expired); lead.ErrorCode(err) != lead.CodeNotFound {
		t.Fatalf("expired code: %v, want not found", err)
	}
}
