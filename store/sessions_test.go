package store_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// TestSessions covers the console's sign-in state: a session is found by
// its hash until it expires or ends; a sign-in code works once.
func TestSessions(t *testing.T) {
	db := testenv.Store(t)
	ctx := context.Background()
	token := bytes.Repeat([]byte{7}, 32)
	u, err := db.CreateUser(ctx, lead.User{ID: uuid.NewString(), Name: "Sam", Email: "sam@example.com", Role: lead.RoleRep,
		Capacity: 5, DailyClaimLimit: 5, Active: true}, token)
	if err != nil {
		t.Fatal(err)
	}
	live, old := []byte("live-session-hash"), []byte("old-session-hash")
	if _, err := db.CreateSession(ctx, live, u.ID, token, "csrf1", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateSession(ctx, old, u.ID, token, "csrf2", time.Now().Add(-time.Minute)); err != nil {
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
	// A token that is not the user's opens nothing.
	if _, err := db.CreateSession(ctx, []byte("other"), u.ID, bytes.Repeat([]byte{8}, 32), "c", time.Now().Add(time.Hour)); lead.ErrorCode(err) != lead.CodeNotFound {
		t.Fatalf("a session with another token: %v, want not found", err)
	}

	code := []byte("code-hash")
	if _, err := db.CreateSignInCode(ctx, code, u.ID, time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if id, h, err := db.UseSignInCode(ctx, code); err != nil || id != u.ID || !bytes.Equal(h, token) {
		t.Fatalf("first use: %q %x %v", id, h, err)
	}
	if _, _, err := db.UseSignInCode(ctx, code); lead.ErrorCode(err) != lead.CodeNotFound {
		t.Fatalf("second use: %v, want not found", err)
	}
	expired := []byte("expired-code-hash")
	if _, err := db.CreateSignInCode(ctx, expired, u.ID, time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.UseSignInCode(ctx, expired); lead.ErrorCode(err) != lead.CodeNotFound {
		t.Fatalf("expired code: %v, want not found", err)
	}
}

// TestSessionsEndWithTheirToken: a session and an unused sign-in code end
// in the transaction that rotates the user's token, deactivates the user
// or changes their role or team, and last no longer than the token; other
// changes of the user leave them.
func TestSessionsEndWithTheirToken(t *testing.T) {
	db := testenv.Store(t)
	ctx := context.Background()
	team, err := db.CreateTeam(ctx, lead.Team{ID: uuid.NewString(), Name: "North"})
	if err != nil {
		t.Fatal(err)
	}
	token := bytes.Repeat([]byte{1}, 32)
	u, err := db.CreateUser(ctx, lead.User{ID: uuid.NewString(), Name: "Sue", Email: "sue@example.com", Role: lead.RoleRep,
		Capacity: 5, DailyClaimLimit: 5, Active: true}, token)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	open := func() ([]byte, []byte) {
		t.Helper()
		n++
		session, code := []byte(fmt.Sprintf("session-%d", n)), []byte(fmt.Sprintf("code-%d", n))
		if _, err := db.CreateSession(ctx, session, u.ID, token, "csrf", time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateSignInCode(ctx, code, u.ID, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		return session, code
	}
	ended := func(what string, session, code []byte, want bool) {
		t.Helper()
		_, _, err := db.Session(ctx, session)
		if gone := lead.ErrorCode(err) == lead.CodeNotFound; gone != want {
			t.Errorf("%s: the session ended %v, want %v (%v)", what, gone, want, err)
		}
		_, _, err = db.UseSignInCode(ctx, code)
		if gone := lead.ErrorCode(err) == lead.CodeNotFound; gone != want {
			t.Errorf("%s: the sign-in code ended %v, want %v (%v)", what, gone, want, err)
		}
	}
	patch := func(p store.UserPatch) {
		t.Helper()
		if _, err := db.UpdateUser(ctx, u.ID, p); err != nil {
			t.Fatal(err)
		}
	}
	yes, no, five, teamID, manager := true, false, 7, team.ID, lead.RoleManager

	s, c := open()
	patch(store.UserPatch{Capacity: &five, Away: &yes, Active: &yes, Role: &u.Role})
	if _, err := db.UserByTokenHash(ctx, token); err != nil { // notes token_used_at
		t.Fatal(err)
	}
	ended("capacity, away, an unchanged role and active flag, a use of the token", s, c, false)
	s, c = open()
	patch(store.UserPatch{TeamID: &teamID})
	ended("team change", s, c, true)
	s, c = open()
	patch(store.UserPatch{Role: &manager})
	ended("role change", s, c, true)
	s, c = open()
	patch(store.UserPatch{Active: &no})
	patch(store.UserPatch{Active: &yes}) // back: the old session stays ended
	ended("deactivation", s, c, true)
	s, c = open()
	token = bytes.Repeat([]byte{2}, 32)
	if err := db.SetUserToken(ctx, u.ID, token, nil); err != nil {
		t.Fatal(err)
	}
	ended("token rotation", s, c, true)

	// A token expiring in a minute: its sessions and codes expire with it.
	soon := time.Now().Add(time.Minute).Truncate(time.Microsecond)
	if err := db.SetUserToken(ctx, u.ID, token, &soon); err != nil {
		t.Fatal(err)
	}
	until, err := db.CreateSession(ctx, []byte("short"), u.ID, token, "csrf", time.Now().Add(12*time.Hour))
	if err != nil || !until.Equal(soon) {
		t.Fatalf("a session of a token expiring at %v lasts until %v (%v)", soon, until, err)
	}
	if until, err := db.CreateSignInCode(ctx, []byte("short-code"), u.ID, time.Now().Add(time.Hour)); err != nil || !until.Equal(soon) {
		t.Fatalf("a sign-in code of a token expiring at %v lasts until %v (%v)", soon, until, err)
	}
	past := time.Now().Add(-time.Second)
	if err := db.SetUserToken(ctx, u.ID, token, &past); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateSession(ctx, []byte("late"), u.ID, token, "csrf", time.Now().Add(time.Hour)); lead.ErrorCode(err) != lead.CodeNotFound {
		t.Fatalf("a session of an expired token: %v, want not found", err)
	}
	if _, err := db.CreateSignInCode(ctx, []byte("late-code"), u.ID, time.Now().Add(time.Hour)); lead.ErrorCode(err) != lead.CodeConflict {
		t.Fatalf("a sign-in code of an expired token: %v, want a conflict", err)
	}
}
