package store_test

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/tern/v2/migrate"

	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// holdsText counts the rows of every table of the public schema whose text
// form contains s: where a plain token would show if it were stored.
func holdsText(t *testing.T, conn *pgx.Conn, s string) int {
	t.Helper()
	ctx := context.Background()
	rows, err := conn.Query(ctx, `SELECT quote_ident(table_name) FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, tb := range tables {
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM `+tb+` t WHERE strpos(t::text, $1) > 0`, s).Scan(&n); err != nil {
			t.Fatalf("%s: %v", tb, err)
		}
		total += n
	}
	return total
}

// TestInviteLinksAreHashed: a rep's link is shown the same on every visit,
// the database holds only its hash, the link finds the rep, a rotated link
// stops working, and another key cannot show the link (it makes a new one).
func TestInviteLinksAreHashed(t *testing.T) {
	ctx := context.Background()
	dbURL := testenv.DatabaseURL(t)
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rep := lead.User{ID: uuid.NewString(), Name: "Rita", Email: "rita@example.com", Role: lead.RoleRep, Active: true}
	if _, err := db.CreateUser(ctx, rep, []byte("hash")); err != nil {
		t.Fatal(err)
	}
	key := []byte(strings.Repeat("k", 32))
	tok, err := db.InviteToken(ctx, rep.ID, key)
	if err != nil || len(tok) < 20 {
		t.Fatalf("token %q, %v", tok, err)
	}
	if again, err := db.InviteToken(ctx, rep.ID, key); err != nil || again != tok {
		t.Fatalf("second visit: %q, %v; want %q", again, err, tok)
	}
	if n := holdsText(t, conn, tok); n != 0 {
		t.Fatalf("%d rows hold the plain token", n)
	}
	var hashed int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM invite_links WHERE token_hash = sha256($1::bytea)`, []byte(tok)).Scan(&hashed); err != nil || hashed != 1 {
		t.Fatalf("rows with the token's SHA-256: %d, %v", hashed, err)
	}
	if u, err := db.Inviter(ctx, tok); err != nil || u.ID != rep.ID {
		t.Fatalf("inviter: %+v, %v", u, err)
	}

	// Another key cannot rebuild the link: the rep is shown a new one, and
	// the old one keeps working.
	other, err := db.InviteToken(ctx, rep.ID, []byte(strings.Repeat("o", 32)))
	if err != nil || other == tok {
		t.Fatalf("with another key: %q, %v", other, err)
	}
	for _, tk := range []string{tok, other} {
		if u, err := db.Inviter(ctx, tk); err != nil || u.ID != rep.ID {
			t.Fatalf("inviter of %q: %+v, %v", tk, u, err)
		}
	}

	rotated, err := db.RotateInviteToken(ctx, rep.ID, key)
	if err != nil || rotated == tok {
		t.Fatalf("rotated: %q, %v", rotated, err)
	}
	for _, tk := range []string{tok, other} {
		if _, err := db.Inviter(ctx, tk); lead.ErrorCode(err) != lead.CodeNotFound {
			t.Fatalf("old link %q after rotation: %v, want not found", tk, err)
		}
	}
	if u, err := db.Inviter(ctx, rotated); err != nil || u.ID != rep.ID {
		t.Fatalf("rotated link: %+v, %v", u, err)
	}
	if shown, err := db.InviteToken(ctx, rep.ID, key); err != nil || shown != rotated {
		t.Fatalf("shown after rotation: %q, %v; want %q", shown, err, rotated)
	}
	if _, err := db.InviteToken(ctx, uuid.NewString(), key); lead.ErrorCode(err) != lead.CodeNotFound {
		t.Fatalf("unknown user: %v", err)
	}
}

// TestInviteMigrationHashesLegacyLinks migrates a database holding a plain
// invite token from before migration 016: the token is gone from it, the
// link still finds its rep, and the rep is shown a new link beside it.
func TestInviteMigrationHashesLegacyLinks(t *testing.T) {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, testenv.DatabaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	name := "legacy_" + strings.ReplaceAll(uuid.NewString()[:8], "-", "")
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(admin.Config().ConnString())
	u.Path = "/" + name
	dbURL := u.String()

	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	m, err := migrate.NewMigrator(ctx, conn, "schema_version")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.LoadMigrations(os.DirFS("migrations")); err != nil {
		t.Fatal(err)
	}
	if err := m.MigrateTo(ctx, 15); err != nil {
		t.Fatal(err)
	}
	repID, legacy := uuid.NewString(), "Legacy_Token-123"
	if _, err := conn.Exec(ctx, `INSERT INTO users (id, name, email, role, token_hash, invite_token)
		VALUES ($1, 'Rita', 'rita@example.com', 'rep', '\x00', $2)`, repID, legacy); err != nil {
		t.Fatal(err)
	}
	if v, err := store.Migrate(ctx, dbURL); err != nil || v < 16 {
		t.Fatalf("migrate: %d, %v", v, err)
	}
	if n := holdsText(t, conn, legacy); n != 0 {
		t.Fatalf("%d rows still hold the legacy token", n)
	}
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if u, err := db.Inviter(ctx, legacy); err != nil || u.ID != repID {
		t.Fatalf("legacy link: %+v, %v", u, err)
	}
	key := []byte(strings.Repeat("k", 32))
	shown, err := db.InviteToken(ctx, repID, key)
	if err != nil || shown == legacy {
		t.Fatalf("shown: %q, %v", shown, err)
	}
	if u, err := db.Inviter(ctx, legacy); err != nil || u.ID != repID {
		t.Fatalf("legacy link beside the new one: %+v, %v", u, err)
	}
	if _, err := db.RotateInviteToken(ctx, repID, key); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Inviter(ctx, legacy); lead.ErrorCode(err) != lead.CodeNotFound {
		t.Fatalf("legacy link after rotation: %v", err)
	}
}
