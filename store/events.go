package store

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// requestApplied reports whether an event with this request id exists,
// i.e. whether a retried write already happened.
func requestApplied(ctx context.Context, tx pgx.Tx, requestID string) (bool, error) {
	if requestID == "" {
		return false, errNoRequestID
	}
	var n int
	err := tx.QueryRow(ctx, requestAppliedSQL, requestID).Scan(&n)
	return n > 0, err
}

// errNoRequestID refuses a change without the request id that makes it
// idempotent.
var errNoRequestID = errors.New("store: a request id is required")

const requestAppliedSQL = `SELECT count(*) FROM lead_events WHERE request_id = $1`

// RequestApplied reports whether the request requestID changed a lead (its
// event is stored): a retried request answers with the lead as it is.
func (db *DB) RequestApplied(ctx context.Context, requestID string) (bool, error) {
	var applied bool
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		applied, err = requestApplied(ctx, tx, requestID)
		return err
	})
	return applied, err
}

// insertEvent appends e to its lead's history under a unique request id.
func insertEvent(ctx context.Context, tx pgx.Tx, e lead.Event, requestID string) error {
	args, err := eventArgs(e, requestID)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, insertEventSQL, args...)
	return err
}

// queueEvent queues the insert of e (as insertEvent does) in a batch, so
// that several events cost one round trip.
func queueEvent(b *pgx.Batch, e lead.Event, requestID string) error {
	args, err := eventArgs(e, requestID)
	if err != nil {
		return err
	}
	b.Queue(insertEventSQL, args...)
	return nil
}

const insertEventSQL = `INSERT INTO lead_events (lead_id, type, actor_id, reason, rule_kind, rule_version, trace, data, request_id)
		VALUES ($1, $2, nullif($3, '')::uuid, $4, $5, $6, $7, $8, $9) ON CONFLICT (request_id) DO NOTHING`

func eventArgs(e lead.Event, requestID string) ([]any, error) {
	var data []byte
	if len(e.Data) > 0 {
		var err error
		if data, err = json.Marshal(e.Data); err != nil {
			return nil, err
		}
	}
	var trace []byte
	if len(e.Trace) > 0 {
		trace = e.Trace
	}
	return []any{e.LeadID, e.Type, e.ActorID, e.Reason, e.RuleKind, e.RuleVersion, trace, data, requestID}, nil
}

// Events returns a lead's history, oldest first.
func (db *DB) Events(ctx context.Context, leadID string, limit int, cursor string) ([]lead.Event, string, error) {
	var after int64
	if cursor != "" {
		v, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || v < 0 {
			return nil, "", lead.Invalid(lead.FieldError{Field: "cursor", Reason: "is not a cursor returned by this list"})
		}
		after = v
	}
	rows, err := db.pool.Query(ctx, `SELECT id, lead_id::text, type, coalesce(actor_id::text, ''), at, reason, rule_kind,
		rule_version, trace, data FROM lead_events WHERE lead_id = $1 AND id > $2 ORDER BY id LIMIT $3`, leadID, after, limit+1)
	if err != nil {
		return nil, "", err
	}
	events, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (lead.Event, error) {
		var e lead.Event
		var trace, data []byte
		if err := r.Scan(&e.ID, &e.LeadID, &e.Type, &e.ActorID, &e.At, &e.Reason, &e.RuleKind, &e.RuleVersion, &trace, &data); err != nil {
			return e, err
		}
		e.Trace = trace
		if len(data) > 0 {
			if err := json.Unmarshal(data, &e.Data); err != nil {
				return e, err
			}
		}
		return e, nil
	})
	if err != nil {
		return nil, "", err
	}
	events, next := pageOf(events, limit, func(last lead.Event) string { return strconv.FormatInt(last.ID, 10) })
	return events, next, nil
}
