package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// This file is the inbound sources (migration 023) and the first answer
// to each of their deliveries.

// SourceSecrets are what an inbound source verifies and fetches with: the
// signing secret, and Facebook's app secret and page token.
type SourceSecrets struct {
	Secret    string
	AppSecret string
	PageToken string
}

const sourceColumns = `s.id::text, s.name, s.kind, s.field_mapping, s.duplicate_policy, coalesce(s.pool_id::text, ''),
	s.verify_token, s.app_secret <> '', s.page_token <> '', coalesce(s.created_by::text, ''), s.created_at, s.updated_at`

func scanSource(r pgx.Row) (lead.InboundSource, error) { return scanSourceAnd(r) }

// scanSourceAnd scans a source and then the extra columns into extra.
func scanSourceAnd(r pgx.Row, extra ...any) (lead.InboundSource, error) {
	var s lead.InboundSource
	err := r.Scan(append([]any{&s.ID, &s.Name, &s.Kind, &s.FieldMapping, &s.DuplicatePolicy, &s.PoolID, &s.VerifyToken,
		&s.AppSecretSet, &s.PageTokenSet, &s.CreatedBy, &s.CreatedAt, &s.UpdatedAt}, extra...)...)
	return s, err
}

// sourceNameTaken names a source name already taken.
func sourceNameTaken(err error) error {
	if isUniqueViolation(err, "inbound_sources_name_key") {
		return lead.Invalid(lead.FieldError{Field: "name", Reason: "is taken by another source"})
	}
	if isForeignKeyViolation(err) {
		return lead.Invalid(lead.FieldError{Field: "pool_id", Reason: "is not a pool"})
	}
	return err
}

// CreateSource stores source s with its secrets, once per id: a second
// call with the id (a retried request) answers the first source and its
// signing secret.
func (db *DB) CreateSource(ctx context.Context, s lead.InboundSource, sec SourceSecrets) (lead.InboundSource, string, error) {
	_, err := db.pool.Exec(ctx, `INSERT INTO inbound_sources (id, name, kind, field_mapping, duplicate_policy, pool_id, secret,
		verify_token, app_secret, page_token, created_by)
		VALUES ($1, $2, $3, $4, $5, nullif($6, '')::uuid, $7, $8, $9, $10, nullif($11, '')::uuid) ON CONFLICT (id) DO NOTHING`,
		s.ID, s.Name, s.Kind, s.FieldMapping, s.DuplicatePolicy, s.PoolID, sec.Secret, s.VerifyToken, sec.AppSecret, sec.PageToken, s.CreatedBy)
	if err != nil {
		return s, "", sourceNameTaken(err)
	}
	out, secrets, err := db.Source(ctx, s.ID)
	return out, secrets.Secret, err
}

// Source returns one source with its secrets.
func (db *DB) Source(ctx context.Context, id string) (lead.InboundSource, SourceSecrets, error) {
	if !isUUID(id) {
		return lead.InboundSource{}, SourceSecrets{}, lead.Errorf(lead.CodeNotFound, "source not found")
	}
	return db.sourceWhere(ctx, "s.id = $1", id)
}

// SourceByName returns the source named name with its secrets.
func (db *DB) SourceByName(ctx context.Context, name string) (lead.InboundSource, SourceSecrets, error) {
	return db.sourceWhere(ctx, "s.name = $1", name)
}

func (db *DB) sourceWhere(ctx context.Context, cond string, arg string) (lead.InboundSource, SourceSecrets, error) {
	var sec SourceSecrets
	s, err := scanSourceAnd(db.pool.QueryRow(ctx, `SELECT `+sourceColumns+`, s.secret, s.app_secret, s.page_token
		FROM inbound_sources s WHERE `+cond, arg), &sec.Secret, &sec.AppSecret, &sec.PageToken)
	return s, sec, notFound(err, "source")
}

// Sources lists the sources, oldest first.
func (db *DB) Sources(ctx context.Context, limit int, cursor string) ([]lead.InboundSource, string, error) {
	var q listQuery
	if err := q.keyset("s.created_at", "s.id", false, cursor); err != nil {
		return nil, "", err
	}
	return queryPage(ctx, db, sourceColumns+` FROM inbound_sources s`, &q, limit,
		scanSource, func(s lead.InboundSource) (time.Time, string) { return s.CreatedAt, s.ID })
}

// UpdateSource saves s's name, mapping, policy, pool and verify token;
// the app secret and page token when they are not nil.
func (db *DB) UpdateSource(ctx context.Context, s lead.InboundSource, appSecret, pageToken *string) (lead.InboundSource, error) {
	tag, err := db.pool.Exec(ctx, `UPDATE inbound_sources SET name = $2, field_mapping = $3, duplicate_policy = $4,
		pool_id = nullif($5, '')::uuid, verify_token = $6, app_secret = coalesce($7, app_secret),
		page_token = coalesce($8, page_token), updated_at = now() WHERE id = $1`,
		s.ID, s.Name, s.FieldMapping, s.DuplicatePolicy, s.PoolID, s.VerifyToken, appSecret, pageToken)
	if err := found(tag, sourceNameTaken(err), "source"); err != nil {
		return s, err
	}
	out, _, err := db.Source(ctx, s.ID)
	return out, err
}

// DeleteSource removes a source and its answers.
func (db *DB) DeleteSource(ctx context.Context, id string) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM inbound_sources WHERE id = $1`, id)
	return found(tag, err, "source")
}

// RotateSourceSecret makes secret the source's signing secret at once.
func (db *DB) RotateSourceSecret(ctx context.Context, id, secret string) (lead.InboundSource, error) {
	tag, err := db.pool.Exec(ctx, `UPDATE inbound_sources SET secret = $2, updated_at = now() WHERE id = $1`, id, secret)
	if err := found(tag, err, "source"); err != nil {
		return lead.InboundSource{}, err
	}
	out, _, err := db.Source(ctx, id)
	return out, err
}

// DeliveryAnswer is the answer kept for a source's delivery (ok false
// when there is none yet).
func (db *DB) DeliveryAnswer(ctx context.Context, sourceID, deliveryID string) (answer []byte, ok bool, err error) {
	err = db.pool.QueryRow(ctx, `SELECT answer FROM inbound_deliveries WHERE source_id = $1 AND delivery_id = $2`,
		sourceID, deliveryID).Scan(&answer)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	return answer, err == nil, err
}

// KeepDeliveryAnswer keeps the answer to a source's delivery unless one
// is kept already, and returns the one kept (the first).
func (db *DB) KeepDeliveryAnswer(ctx context.Context, sourceID, deliveryID, leadID string, answer []byte) ([]byte, error) {
	_, err := db.pool.Exec(ctx, `INSERT INTO inbound_deliveries (source_id, delivery_id, lead_id, answer)
		VALUES ($1, $2, nullif($3, '')::uuid, $4) ON CONFLICT DO NOTHING`, sourceID, deliveryID, leadID, answer)
	if err != nil {
		return nil, err
	}
	kept, _, err := db.DeliveryAnswer(ctx, sourceID, deliveryID)
	return kept, err
}
