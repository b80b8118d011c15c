package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// Options returns the items of a configurable list, or its defaults when an
// admin never set it.
func (db *DB) Options(ctx context.Context, name string) ([]string, error) {
	if err := knownList(name); err != nil {
		return nil, err
	}
	var items []string
	err := db.pool.QueryRow(ctx, `SELECT items FROM option_lists WHERE name = $1`, name).Scan(&items)
	if errors.Is(err, pgx.ErrNoRows) {
		return append([]string(nil), lead.DefaultOptions[name]...), nil
	}
	return items, err
}

// knownList refuses the name of a list that does not exist.
func knownList(name string) error {
	if !lead.KnownOptionList(name) {
		return lead.Errorf(lead.CodeNotFound, "no option list %q", name)
	}
	return nil
}

// AllOptions returns every configurable list by name.
func (db *DB) AllOptions(ctx context.Context) (map[string][]string, error) {
	b := &pgx.Batch{}
	out := queueAllOptions(b)
	return out, db.pool.SendBatch(ctx, b).Close()
}

// queueAllOptions queues the read of every configurable list into the
// map it returns, filled once the batch is sent: a list an admin never set
// has its defaults.
func queueAllOptions(b *pgx.Batch) map[string][]string {
	out := map[string][]string{}
	for _, n := range lead.OptionLists {
		out[n] = append([]string(nil), lead.DefaultOptions[n]...)
	}
	b.Queue(`SELECT name, items FROM option_lists`).Query(func(rows pgx.Rows) error {
		var name string
		var items []string
		_, err := pgx.ForEachRow(rows, []any{&name, &items}, func() error {
			out[name] = append([]string{}, items...)
			return nil
		})
		return err
	})
	return out
}

// SetOptions replaces a list's items (call lead.CleanOptions first).
func (db *DB) SetOptions(ctx context.Context, name string, items []string) error {
	if !lead.KnownOptionList(name) {
		return lead.Errorf(lead.CodeNotFound, "no option list %q", name)
	}
	_, err := db.pool.Exec(ctx, `
		INSERT INTO option_lists (name, items) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET items = excluded.items, updated_at = now()`, name, items)
	return err
}
