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
	if !lead.KnownOptionList(name) {
		return nil, lead.Errorf(lead.CodeNotFound, "no option list %q", name)
	}
	var items []string
	err := db.pool.QueryRow(ctx, `SELECT items FROM option_lists WHERE name = $1`, name).Scan(&items)
	if errors.Is(err, pgx.ErrNoRows) {
		return append([]string(nil), lead.DefaultOptions[name]...), nil
	}
	return items, err
}

// AllOptions returns every configurable list by name.
func (db *DB) AllOptions(ctx context.Context) (map[string][]string, error) {
	out := map[string][]string{}
	for _, n := range lead.OptionLists {
		out[n] = append([]string(nil), lead.DefaultOptions[n]...)
	}
	rows, err := db.pool.Query(ctx, `SELECT name, items FROM option_lists`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		var items []string
		if err := rows.Scan(&n, &items); err != nil {
			return nil, err
		}
		out[n] = items
	}
	return out, rows.Err()
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
