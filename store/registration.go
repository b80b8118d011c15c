package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// registerTx registers lead id (seed 003) unless it is registered already:
// its registered_at and the "registered" event e, keyed by requestID.
func registerTx(ctx context.Context, tx pgx.Tx, id string, e lead.Event, requestID string) error {
	tag, err := tx.Exec(ctx, `UPDATE leads SET registered_at = now() WHERE id = $1 AND registered_at IS NULL`, id)
	if err != nil || tag.RowsAffected() == 0 {
		return err
	}
	e.LeadID, e.Type = id, lead.EventAutoRegistered
	if err := insertEvent(ctx, tx, e, requestID); err != nil {
		return err
	}
	name, _ := e.Data["crm_target"].(string)
	if name == "" {
		return nil
	}
	// The rule set names a CRM: the lead is pushed there, now and after its edits.
	tag, err = tx.Exec(ctx, `UPDATE leads SET crm_target_id = t.id FROM crm_targets t WHERE leads.id = $1 AND t.name = $2`, id, name)
	if err != nil || tag.RowsAffected() == 0 {
		return err // a target deleted meanwhile: nothing to push to
	}
	_, err = tx.Exec(ctx, `INSERT INTO crm_pushes (lead_id, target_id, request_id)
		SELECT $1, crm_target_id, $2 FROM leads WHERE id = $1 ON CONFLICT (request_id) DO NOTHING`, id, requestID+"/crm")
	return err
}

// RegisterLead registers a live lead an edit made match the registration
// rules, once (a lead registered already, or no longer live, is left as it
// is), and returns the lead as stored.
func (db *DB) RegisterLead(ctx context.Context, id string, e lead.Event, requestID string) (lead.Lead, error) {
	return db.onLead(ctx, id, requestID, func(tx pgx.Tx, l lead.Lead) error {
		if l.RegisteredAt != nil || l.Status.Terminal() || l.Status == lead.StatusReceived {
			return nil
		}
		return registerTx(ctx, tx, id, e, requestID)
	})
}

// keeps says whether an intake outcome keeps the lead live (it may be registered).
func keeps(o lead.IntakeOutcome) bool {
	return o != lead.OutcomeRejected && o != lead.OutcomeMerged && o != lead.OutcomeDuplicate
}

// RegistrationRulesFor is the registration rule set that applies to a lead
// of pool: its team's own when the team chose "own" (version 0 and no
// groups while the team has saved none), else the active supplier set.
func (db *DB) RegistrationRulesFor(ctx context.Context, pool string) (lead.RuleSet, error) {
	var team string
	err := db.pool.QueryRow(ctx, `SELECT coalesce((SELECT t.id::text FROM pools p JOIN teams t ON t.id = p.team_id
		WHERE p.id = nullif($1, '')::uuid AND t.registration_rules = 'own'), '')`, pool).Scan(&team)
	switch {
	case err != nil:
		return lead.RuleSet{}, err
	case team == "":
		return db.ActiveRuleSet(ctx, "registration")
	}
	return db.TeamRegistrationRules(ctx, team)
}

// TeamRegistrationRules is the latest version of team's own registration
// rules (version 0, no groups, when it has none).
func (db *DB) TeamRegistrationRules(ctx context.Context, team string) (lead.RuleSet, error) {
	kind := lead.TeamRegistrationKind(team)
	s, err := db.ActiveRuleSet(ctx, kind)
	if lead.ErrorCode(err) == lead.CodeNotFound {
		return lead.RuleSet{Kind: kind, Body: []byte(`{"groups":[]}`), Active: true}, nil
	}
	return s, err
}
