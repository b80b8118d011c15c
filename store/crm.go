package store

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

const crmTargetColumns = `id::text, name, kind, base_url, token, created_at`

func scanCRMTarget(r pgx.CollectableRow) (lead.CRMTarget, error) {
	var t lead.CRMTarget
	err := r.Scan(&t.ID, &t.Name, &t.Kind, &t.BaseURL, &t.Token, &t.CreatedAt)
	return t, err
}

// CreateCRMTarget stores t (a new id when it has none); a second target of
// one name is a conflict, a retry with the same id answers the first.
func (db *DB) CreateCRMTarget(ctx context.Context, t lead.CRMTarget, by string) (lead.CRMTarget, error) {
	if t.ID == "" {
		t.ID = uuid.Must(uuid.NewV7()).String()
	}
	_, err := db.pool.Exec(ctx, `INSERT INTO crm_targets (id, name, kind, base_url, token, created_by)
		VALUES ($1, $2, $3, $4, $5, nullif($6, '')::uuid) ON CONFLICT (id) DO NOTHING`, t.ID, t.Name, t.Kind, t.BaseURL, t.Token, by)
	if isUniqueViolation(err, "crm_targets_name_key") {
		return t, lead.Conflict("a CRM target with this name already exists", "CRM target name "+t.Name+" is taken")
	}
	if err != nil {
		return t, err
	}
	return db.CRMTarget(ctx, t.ID)
}

// CRMTargets lists the CRM targets by name.
func (db *DB) CRMTargets(ctx context.Context) ([]lead.CRMTarget, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+crmTargetColumns+` FROM crm_targets ORDER BY name`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanCRMTarget)
}

// CRMTarget returns target id.
func (db *DB) CRMTarget(ctx context.Context, id string) (lead.CRMTarget, error) {
	return db.crmTarget(ctx, `id = $1`, id, isUUID(id))
}

// CRMTargetNamed returns the target called name.
func (db *DB) CRMTargetNamed(ctx context.Context, name string) (lead.CRMTarget, error) {
	return db.crmTarget(ctx, `name = $1`, name, true)
}

func (db *DB) crmTarget(ctx context.Context, where, arg string, valid bool) (lead.CRMTarget, error) {
	if !valid {
		return lead.CRMTarget{}, lead.Errorf(lead.CodeNotFound, "CRM target not found")
	}
	rows, err := db.pool.Query(ctx, `SELECT `+crmTargetColumns+` FROM crm_targets WHERE `+where, arg)
	if err != nil {
		return lead.CRMTarget{}, err
	}
	t, err := pgx.CollectExactlyOneRow(rows, scanCRMTarget)
	return t, notFound(err, "CRM target")
}

// DeleteCRMTarget removes target id with its pending pushes.
func (db *DB) DeleteCRMTarget(ctx context.Context, id string) error {
	if _, err := db.CRMTarget(ctx, id); err != nil {
		return err
	}
	_, err := db.pool.Exec(ctx, `DELETE FROM crm_targets WHERE id = $1`, id)
	return err
}

// QueueCRMPush queues a push of lead id's current details to target (an
// edit of a lead pushed there), once per requestID.
func (db *DB) QueueCRMPush(ctx context.Context, id, target, requestID string) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO crm_pushes (lead_id, target_id, request_id) VALUES ($1, $2, $3) ON CONFLICT (request_id) DO NOTHING`,
		id, target, requestID)
	return err
}

// CRMKick is a pending push no workflow was told of.
type CRMKick struct {
	PushID         int64
	TargetID, Lead string
}

// UnkickedCRMPushes are the oldest pending pushes no workflow was told of.
func (db *DB) UnkickedCRMPushes(ctx context.Context, limit int) ([]CRMKick, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, target_id::text, lead_id::text FROM crm_pushes
		WHERE status = 'pending' AND NOT kicked ORDER BY id LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (CRMKick, error) {
		var k CRMKick
		return k, r.Scan(&k.PushID, &k.TargetID, &k.Lead)
	})
}

// MarkCRMKicked records that the workflows of these pushes were told of them.
func (db *DB) MarkCRMKicked(ctx context.Context, ids []int64) error {
	_, err := db.pool.Exec(ctx, `UPDATE crm_pushes SET kicked = true WHERE id = ANY ($1)`, ids)
	return err
}

// NextCRMPush is the oldest pending push of lead to target (0: none).
func (db *DB) NextCRMPush(ctx context.Context, target, leadID string) (int64, error) {
	var id int64
	err := db.pool.QueryRow(ctx, `SELECT id FROM crm_pushes WHERE target_id = $1 AND lead_id = $2 AND status = 'pending'
		ORDER BY id LIMIT 1`, target, leadID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// CRMPushOf is push id with its target, its lead and the lead's id in that CRM.
func (db *DB) CRMPushOf(ctx context.Context, id int64) (lead.CRMPush, error) {
	p := lead.CRMPush{ID: id}
	var targetID, leadID, status string
	err := db.pool.QueryRow(ctx, `SELECT p.target_id::text, p.lead_id::text, p.status, coalesce(x.external_id, '')
		FROM crm_pushes p LEFT JOIN lead_external_ids x ON x.lead_id = p.lead_id AND x.target_id = p.target_id
		WHERE p.id = $1`, id).Scan(&targetID, &leadID, &status, &p.ExternalID)
	if err != nil {
		return p, notFound(err, "CRM push")
	}
	p.Due = status == "pending"
	if p.Target, err = db.CRMTarget(ctx, targetID); err != nil {
		return p, err
	}
	p.Lead, err = db.Lead(ctx, leadID)
	return p, err
}

// RecordExternalID keeps the lead's id in a CRM (the first one recorded stays).
func (db *DB) RecordExternalID(ctx context.Context, leadID, target, externalID string) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO lead_external_ids (lead_id, target_id, external_id) VALUES ($1, $2, $3)
		ON CONFLICT (lead_id, target_id) DO NOTHING`, leadID, target, externalID)
	return err
}

// FinishCRMPush records the end of push id: pushed, or failed with why.
func (db *DB) FinishCRMPush(ctx context.Context, id int64, failure string) error {
	status := "pushed"
	if failure != "" {
		status = "failed"
	}
	_, err := db.pool.Exec(ctx, `UPDATE crm_pushes SET status = $2, error = $3, pushed_at = now() WHERE id = $1 AND status = 'pending'`,
		id, status, failure)
	return err
}
