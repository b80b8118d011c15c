package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

const ruleSetColumns = `r.kind, r.version, r.body, (a.version IS NOT NULL), coalesce(r.created_by::text, ''), r.created_at`

func scanRuleSet(row pgx.Row) (lead.RuleSet, error) {
	var s lead.RuleSet
	err := row.Scan(&s.Kind, &s.Version, &s.Body, &s.Active, &s.CreatedBy, &s.CreatedAt)
	return s, err
}

// ActiveRuleSet returns the active version of a rule set kind.
func (db *DB) ActiveRuleSet(ctx context.Context, kind string) (lead.RuleSet, error) {
	s, err := scanRuleSet(db.pool.QueryRow(ctx, `SELECT `+ruleSetColumns+`
		FROM active_rule_sets a JOIN rule_sets r USING (kind, version) WHERE a.kind = $1`, kind))
	return s, notFound(err, "active "+kind+" rule set")
}

// ActiveRuleSets returns the active version of every kind (not the teams'
// own registration rules: RegistrationRulesFor).
func (db *DB) ActiveRuleSets(ctx context.Context) ([]lead.RuleSet, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+ruleSetColumns+`
		FROM active_rule_sets a JOIN rule_sets r USING (kind, version) WHERE position('@' in r.kind) = 0 ORDER BY r.kind`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (lead.RuleSet, error) { return scanRuleSet(r) })
}

// RuleSetVersions lists every stored version of a kind, newest first.
func (db *DB) RuleSetVersions(ctx context.Context, kind string) ([]lead.RuleSet, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+ruleSetColumns+`
		FROM rule_sets r LEFT JOIN active_rule_sets a USING (kind, version) WHERE r.kind = $1 ORDER BY r.version DESC`, kind)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (lead.RuleSet, error) { return scanRuleSet(r) })
}

// SaveRuleSet stores body as the next version of kind and makes it active.
// Concurrent saves of one kind get consecutive versions.
func (db *DB) SaveRuleSet(ctx context.Context, kind string, body []byte, createdBy string) (lead.RuleSet, error) {
	var saved lead.RuleSet
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		// Serialise the saves of one kind.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('rule_sets:' || $1))`, kind); err != nil {
			return err
		}
		var version int
		if err := tx.QueryRow(ctx, `INSERT INTO rule_sets (kind, version, body, created_by)
			SELECT $1, coalesce(max(version), 0) + 1, $2, nullif($3, '')::uuid FROM rule_sets WHERE kind = $1
			RETURNING version`, kind, body, createdBy).Scan(&version); err != nil {
			return err
		}
		if err := activate(ctx, tx, kind, version); err != nil {
			return err
		}
		var err error
		saved, err = scanRuleSet(tx.QueryRow(ctx, `SELECT `+ruleSetColumns+`
			FROM rule_sets r LEFT JOIN active_rule_sets a USING (kind, version) WHERE r.kind = $1 AND r.version = $2`, kind, version))
		return err
	})
	return saved, err
}

// RuleSetVersion returns version v of a rule set kind.
func (db *DB) RuleSetVersion(ctx context.Context, kind string, v int) (lead.RuleSet, error) {
	s, err := scanRuleSet(db.pool.QueryRow(ctx, `SELECT `+ruleSetColumns+`
		FROM rule_sets r LEFT JOIN active_rule_sets a USING (kind, version) WHERE r.kind = $1 AND r.version = $2`, kind, v))
	return s, notFound(err, fmt.Sprintf("%s rule set version %d", kind, v))
}

// ActivateRuleSet makes a stored version the active one (a rollback or a roll forward).
func (db *DB) ActivateRuleSet(ctx context.Context, kind string, version int) (lead.RuleSet, error) {
	var s lead.RuleSet
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		s, err = scanRuleSet(tx.QueryRow(ctx, `SELECT `+ruleSetColumns+`
			FROM rule_sets r LEFT JOIN active_rule_sets a USING (kind, version) WHERE r.kind = $1 AND r.version = $2`, kind, version))
		if err != nil {
			return notFound(err, fmt.Sprintf("%s rule set version %d", kind, version))
		}
		s.Active = true
		return activate(ctx, tx, kind, version)
	})
	return s, err
}

func activate(ctx context.Context, tx pgx.Tx, kind string, version int) error {
	_, err := tx.Exec(ctx, `INSERT INTO active_rule_sets (kind, version) VALUES ($1, $2)
		ON CONFLICT (kind) DO UPDATE SET version = excluded.version`, kind, version)
	return err
}
