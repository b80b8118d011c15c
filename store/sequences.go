package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// This file keeps the sequences and their enrolments (migration 034).

// enrolmentSequence and enrolmentActive are QueueMessage's parts for a
// sequence step's message ($14: its enrolment, "" for any other): the
// sequence it counts for, and the guard that stores it only while the
// enrolment is active.
const (
	enrolmentSequence = `(SELECT e.sequence_id FROM sequence_enrolments e WHERE e.id = nullif($14, '')::uuid)`
	enrolmentActive   = `($14 = '' OR EXISTS (SELECT 1 FROM sequence_enrolments e
		WHERE e.id = nullif($14, '')::uuid AND e.status = 'active' FOR SHARE))`
)

const sequenceColumns = `s.id::text, s.name, s.pool_ids::text[], s.steps, s.created_by::text, s.created_at, s.updated_at`

func scanSequence(row pgx.Row) (lead.Sequence, error) {
	var s lead.Sequence
	var steps []byte
	err := row.Scan(&s.ID, &s.Name, &s.PoolIDs, &steps, &s.CreatedBy, &s.CreatedAt, &s.UpdatedAt)
	if err == nil {
		err = json.Unmarshal(steps, &s.Steps)
	}
	return s, err
}

// SaveSequence stores sequence s: a new one once per id (a retry answers
// the stored one), or an existing one's name, pools and steps.
func (db *DB) SaveSequence(ctx context.Context, s lead.Sequence, create bool) (lead.Sequence, error) {
	steps, err := json.Marshal(s.Steps)
	if err != nil {
		return s, err
	}
	if s.PoolIDs == nil {
		s.PoolIDs = []string{}
	}
	if create {
		_, err = db.pool.Exec(ctx, `INSERT INTO sequences (id, name, pool_ids, steps, created_by)
			VALUES ($1, $2, $3::uuid[], $4, $5) ON CONFLICT (id) DO NOTHING`, s.ID, s.Name, s.PoolIDs, steps, s.CreatedBy)
	} else {
		_, err = db.pool.Exec(ctx, `UPDATE sequences SET name = $2, pool_ids = $3::uuid[], steps = $4, updated_at = now()
			WHERE id = $1`, s.ID, s.Name, s.PoolIDs, steps)
	}
	if err != nil {
		return s, err
	}
	return db.Sequence(ctx, s.ID)
}

// Sequence is sequence id.
func (db *DB) Sequence(ctx context.Context, id string) (lead.Sequence, error) {
	if !isUUID(id) {
		return lead.Sequence{}, lead.Errorf(lead.CodeNotFound, "sequence not found")
	}
	s, err := scanSequence(db.pool.QueryRow(ctx, `SELECT `+sequenceColumns+` FROM sequences s WHERE s.id = $1`, id))
	return s, notFound(err, "sequence")
}

// Sequences lists the sequences, newest first.
func (db *DB) Sequences(ctx context.Context, limit int, cursor string) ([]lead.Sequence, string, error) {
	var q listQuery
	if err := q.keyset("s.created_at", "s.id", true, cursor); err != nil {
		return nil, "", err
	}
	if limit < 1 {
		limit = 50
	}
	return queryPage(ctx, db, sequenceColumns+` FROM sequences s`, &q, limit, scanSequence,
		func(s lead.Sequence) (time.Time, string) { return s.CreatedAt, s.ID })
}

const enrolmentColumns = `e.id::text, e.sequence_id::text, s.name, e.lead_id::text, e.status, e.reason, e.step,
	jsonb_array_length(e.steps), e.next_at, coalesce(e.enrolled_by::text, ''), e.via, e.created_at, e.ended_at`

func scanEnrolment(row pgx.Row) (lead.Enrolment, error) {
	var e lead.Enrolment
	err := row.Scan(&e.ID, &e.SequenceID, &e.SequenceName, &e.LeadID, &e.Status, &e.Reason, &e.Step, &e.Steps, &e.NextAt,
		&e.EnrolledBy, &e.Via, &e.CreatedAt, &e.EndedAt)
	return e, err
}

// Enrol enrols lead e.LeadID in sequence e.SequenceID (its steps as they
// are now) under id e.ID and records the event, unless the lead is in the
// sequence already: the answer is then its active enrolment, and created
// is false. A retry (the same id) answers the same enrolment.
func (db *DB) Enrol(ctx context.Context, e lead.Enrolment) (out lead.Enrolment, created bool, err error) {
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO sequence_enrolments (id, sequence_id, lead_id, steps, enrolled_by, via)
			SELECT $1, s.id, $3, s.steps, nullif($4, '')::uuid, $5 FROM sequences s WHERE s.id = $2
			ON CONFLICT DO NOTHING`, e.ID, e.SequenceID, e.LeadID, e.EnrolledBy, e.Via)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		created = true
		return insertEvent(ctx, tx, lead.Event{LeadID: e.LeadID, Type: lead.EventSequenceEnrolled, ActorID: e.EnrolledBy,
			Data: map[string]any{"sequence_id": e.SequenceID, "enrolment_id": e.ID, "via": e.Via}}, "sequence-enrolled/"+e.ID)
	})
	if err != nil {
		return out, false, err
	}
	out, err = scanEnrolment(db.pool.QueryRow(ctx, `SELECT `+enrolmentColumns+`
		FROM sequence_enrolments e JOIN sequences s ON s.id = e.sequence_id
		WHERE e.id = $1 OR (e.sequence_id = $2 AND e.lead_id = $3 AND e.status = 'active')
		ORDER BY e.id = $1 DESC LIMIT 1`, e.ID, e.SequenceID, e.LeadID))
	return out, created, notFound(err, "sequence")
}

// Enrolment is enrolment id with the steps it goes through.
func (db *DB) Enrolment(ctx context.Context, id string) (lead.Enrolment, []lead.Step, error) {
	if !isUUID(id) {
		return lead.Enrolment{}, nil, lead.Errorf(lead.CodeNotFound, "enrolment not found")
	}
	var raw []byte
	var e lead.Enrolment
	err := db.pool.QueryRow(ctx, `SELECT `+enrolmentColumns+`, e.steps
		FROM sequence_enrolments e JOIN sequences s ON s.id = e.sequence_id WHERE e.id = $1`, id).
		Scan(&e.ID, &e.SequenceID, &e.SequenceName, &e.LeadID, &e.Status, &e.Reason, &e.Step, &e.Steps, &e.NextAt,
			&e.EnrolledBy, &e.Via, &e.CreatedAt, &e.EndedAt, &raw)
	if err != nil {
		return e, nil, notFound(err, "enrolment")
	}
	var steps []lead.Step
	return e, steps, json.Unmarshal(raw, &steps)
}

// Enrolments are lead id's enrolments, newest first.
func (db *DB) Enrolments(ctx context.Context, leadID string) ([]lead.Enrolment, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+enrolmentColumns+`
		FROM sequence_enrolments e JOIN sequences s ON s.id = e.sequence_id
		WHERE e.lead_id = $1 ORDER BY e.created_at DESC, e.id DESC LIMIT 100`, leadID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (lead.Enrolment, error) { return scanEnrolment(r) })
}

// SetEnrolmentStep records that active enrolment id is at step, the
// next due at next (nil: at once), or is done (the last step passed).
func (db *DB) SetEnrolmentStep(ctx context.Context, id string, step int, next *time.Time, done bool) error {
	_, err := db.pool.Exec(ctx, `UPDATE sequence_enrolments SET step = $2, next_at = $3,
			status = CASE WHEN $4 THEN 'done' ELSE status END, ended_at = CASE WHEN $4 THEN now() END
		WHERE id = $1 AND status = 'active'`, id, step, next, done)
	return err
}

// ExitReason is why active enrolment e should exit now ("" when it
// should not): the first event since it was enrolled that ends a lead's
// sequences (lead.SequenceExit: a rep took the lead, it was converted or
// replied), or one of its addresses unsubscribed since. It is what the
// service records at each of those events, read again before each step
// in case the event came from the workflow (the distribution) or the
// service was stopped between the event and its exit.
func (db *DB) ExitReason(ctx context.Context, e lead.Enrolment) (string, error) {
	var typ *string
	err := db.pool.QueryRow(ctx, `SELECT t FROM (
			SELECT ev.type AS t, ev.at FROM lead_events ev WHERE ev.lead_id = $1 AND ev.at >= $2 AND ev.type = ANY($3)
			UNION ALL
			SELECT NULL, s.created_at FROM suppressions s WHERE s.lead_id = $1 AND s.created_at >= $2
		) x ORDER BY at LIMIT 1`, e.LeadID, e.CreatedAt, eventTypes(lead.SequenceExitEvents())).Scan(&typ)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return "", nil
	case err != nil:
		return "", err
	case typ == nil:
		return lead.ExitUnsubscribed, nil
	}
	return lead.SequenceExit(lead.EventType(*typ)), nil
}

// eventTypes are ts as text, a query's argument.
func eventTypes(ts []lead.EventType) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t)
	}
	return out
}

// ExitEnrolments ends lead leadID's active enrolments (only enrolment
// onlyID's when it is given) for reason, each with its event, and
// answers the ids of those it ended: none when none was active.
func (db *DB) ExitEnrolments(ctx context.Context, leadID, onlyID, reason, actorID string) ([]lead.Enrolment, error) {
	// One statement, so the usual case (no active enrolment: every claim
	// and assignment asks) is one round trip, not a transaction's three.
	rows, err := db.pool.Query(ctx, `WITH ex AS (
			UPDATE sequence_enrolments e SET status = 'exited', reason = $3, next_at = NULL, ended_at = now()
			FROM sequences s WHERE s.id = e.sequence_id AND e.lead_id = $1 AND e.status = 'active' AND ($2 = '' OR e.id::text = $2)
			RETURNING `+enrolmentColumns+`
		), ev AS (
			INSERT INTO lead_events (lead_id, type, actor_id, reason, data, request_id)
			SELECT $1, $5, nullif($4, '')::uuid, $3,
				jsonb_build_object('sequence_id', ex.sequence_id, 'enrolment_id', ex.id, 'step', ex.step), 'sequence-exited/' || ex.id
			FROM ex ON CONFLICT (request_id) DO NOTHING
		)
		SELECT * FROM ex`, leadID, onlyID, reason, actorID, string(lead.EventSequenceExited))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (lead.Enrolment, error) { return scanEnrolment(r) })
}

// EnrolmentStarted records that enrolment id's workflow was started.
func (db *DB) EnrolmentStarted(ctx context.Context, id string) error {
	_, err := db.pool.Exec(ctx, `UPDATE sequence_enrolments SET started_at = now() WHERE id = $1 AND started_at IS NULL`, id)
	return err
}

// UnstartedEnrolments are up to limit active enrolments whose workflow's
// start was not recorded: those a rule made (the intake cannot start a
// workflow) and those made by hand more than after ago (the service died
// or lost Temporal before it started them), oldest first.
func (db *DB) UnstartedEnrolments(ctx context.Context, limit int, after time.Duration) ([]lead.Enrolment, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+enrolmentColumns+`
		FROM sequence_enrolments e JOIN sequences s ON s.id = e.sequence_id
		WHERE e.started_at IS NULL AND e.status = 'active' AND (e.via = 'rule' OR e.created_at < now() - $2::interval)
		ORDER BY e.created_at LIMIT $1`, limit, after.String())
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (lead.Enrolment, error) { return scanEnrolment(r) })
}
