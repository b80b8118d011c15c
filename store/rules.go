package store

import (
	"context"

	"github.com/leadflow/leadflow/lead"
)

// ActiveRuleSet returns the active version of a rule set kind.
func (db *DB) ActiveRuleSet(ctx context.Context, kind string) (lead.RuleSet, error) {
	s := lead.RuleSet{Kind: kind, Active: true}
	err := db.pool.QueryRow(ctx, `SELECT r.version, r.body, coalesce(r.created_by::text, ''), r.created_at
		FROM active_rule_sets a JOIN rule_sets r USING (kind, version) WHERE a.kind = $1`, kind).
		Scan(&s.Version, &s.Body, &s.CreatedBy, &s.CreatedAt)
	return s, notFound(err, "active "+kind+" rule set")
}
