package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/leadflow/leadflow/lead"
)

// TestIsUnavailable tells an unreachable or restarting PostgreSQL from a
// refused statement.
func TestIsUnavailable(t *testing.T) {
	// A port nothing listens on: a real connect error.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, connErr := pgx.Connect(context.Background(), "postgres://u:p@"+addr+"/db?connect_timeout=2")
	if connErr == nil {
		t.Fatal("connected to a closed port")
	}
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"admin shutdown (a restart)", &pgconn.PgError{Code: "57P01"}, true},
		{"cannot connect now", fmt.Errorf("query: %w", &pgconn.PgError{Code: "57P03"}), true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"query canceled", &pgconn.PgError{Code: "57014"}, false},
		{"connect refused", connErr, true},
		{"no rows", pgx.ErrNoRows, false},
		{"domain refusal", lead.Errorf(lead.CodeConflict, "no"), false},
		{"other", errors.New("boom"), false},
	} {
		if got := IsUnavailable(c.err); got != c.want {
			t.Errorf("%s (%v): IsUnavailable = %v, want %v", c.name, c.err, got, c.want)
		}
	}
}
