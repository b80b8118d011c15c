package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// InsertReceived stores a lead that has just entered its workflow, with
// status received and a "created" event, and returns it as stored. It is
// idempotent: when the row exists already (an activity retry) the stored
// lead is returned unchanged. One round trip: the statements of a batch
// run in one implicit transaction.
func (db *DB) InsertReceived(ctx context.Context, l lead.Lead) (lead.Lead, error) {
	custom, err := json.Marshal(nonNilMap(l.Custom))
	if err != nil {
		return lead.Lead{}, fmt.Errorf("store: custom fields: %w", err)
	}
	b := &pgx.Batch{}
	b.Queue(`
		INSERT INTO leads (id, status, stage, company, name, phone, phone_e164, email, country, source, channel,
			profession, address, district, division, notes, tags, custom, ip, company_key, dedup_key, created_by, lead_group,
			phones, emails)
		VALUES ($1, 'received', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
			nullif($18, '')::inet, $19, $20, nullif($21, '')::uuid, $22, $23, $24)
		ON CONFLICT (id) DO NOTHING`,
		l.ID, l.Stage, l.Company, l.Name, l.Phone, l.PhoneE164, l.Email, l.Country, l.Source, l.Channel,
		l.Profession, l.Address, l.District, l.Division, l.Notes, nonNilStrings(l.Tags), custom, l.IP,
		lead.NormalizeCompany(l.Company), l.DedupKey, l.CreatedBy, l.Group, nonNilStrings(l.Phones), nonNilStrings(l.Emails))
	// Keyed by its request id: a retry inserts no second "created" event.
	if err := queueEvent(b, lead.Event{LeadID: l.ID, Type: lead.EventCreated, ActorID: l.CreatedBy,
		Data: map[string]any{"source": l.Source}}, l.ID+"/created"); err != nil {
		return lead.Lead{}, err
	}
	var out lead.Lead
	b.Queue(`SELECT `+leadColumns+` FROM `+leadFrom+` WHERE l.id = $1`, l.ID).QueryRow(func(row pgx.Row) error {
		out, err = scanLead(row)
		return notFound(err, "lead")
	})
	return out, db.pool.SendBatch(ctx, b).Close()
}

// ApplyIntake applies the intake plan of a received lead in one
// transaction and returns the result. A lead that is no longer received (a
// retry after success) is answered as it was decided, without the plan.
//
// A lead the plan does not reject is first de-duplicated: under a
// transaction lock on its dedup key the oldest live lead with the same key
// is looked up, and the duplicate policy merges the new lead into it (its
// history records the registration), refuses it, or creates it with
// DuplicateOf set (warn). The partial unique index on live dedup keys makes
// two live leads of one key impossible even without the lock. A lead that
// is not a duplicate goes to its inviter (or the rep who created it) while
// they have room, else into
// the routed pool, where the pool's distribution may offer or assign it.
func (db *DB) ApplyIntake(ctx context.Context, id string, p lead.IntakePlan) (lead.IntakeResult, error) {
	var res lead.IntakeResult
	if !isUUID(id) {
		return res, lead.Errorf(lead.CodeNotFound, "lead %s not found", id)
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		l, err := lockLead(ctx, tx, id)
		if err != nil {
			return err
		}
		b := &pgx.Batch{}
		if l.Status == lead.StatusReceived {
			out, fields, err := applyIntake(ctx, tx, l, p)
			if err != nil {
				return err
			}
			if p.Registered != nil && keeps(out) {
				if err := registerTx(ctx, tx, id, *p.Registered, intakeKey(id, p)+"/registered"); err != nil {
					return err
				}
			}
			var raw []byte
			if len(fields) > 0 {
				if raw, err = json.Marshal(fields); err != nil {
					return err
				}
			}
			b.Queue(`UPDATE leads SET intake_outcome = $2, field_errors = $3 WHERE id = $1`, id, out, raw)
		}
		queueIntakeResult(b, id, &res)
		if err := tx.SendBatch(ctx, b).Close(); err != nil || l.Status != lead.StatusReceived {
			return err
		}
		return workingReclaimAt(ctx, tx, res.Lead) // given to a rep at intake, in a pool counting working time
	})
	return res, err
}

// IntakeResult returns a lead with what its intake decided.
func (db *DB) IntakeResult(ctx context.Context, id string) (lead.IntakeResult, error) {
	var res lead.IntakeResult
	if !isUUID(id) {
		return res, lead.Errorf(lead.CodeNotFound, "lead not found")
	}
	b := &pgx.Batch{}
	queueIntakeResult(b, id, &res)
	return res, db.pool.SendBatch(ctx, b).Close()
}

// queueIntakeResult queues the read of a lead with its intake outcome, and
// whether anyone is flagged to hear of new leads in its pool, into *res.
func queueIntakeResult(b *pgx.Batch, id string, res *lead.IntakeResult) {
	b.Queue(`SELECT `+leadColumns+`, l.intake_outcome, l.field_errors,
			NOT EXISTS (`+newLeadRecipientRows("l.pool_id")+`)
		FROM `+leadFrom+` WHERE l.id = $1`, id).QueryRow(func(row pgx.Row) error {
		var fields []byte
		l, err := scanLeadWith(row, &res.Outcome, &fields, &res.Unannounced)
		if err != nil {
			return notFound(err, "lead")
		}
		res.Lead = l
		if len(fields) > 0 {
			return json.Unmarshal(fields, &res.FieldErrors)
		}
		return nil
	})
}

// applyIntake applies plan p to the received, locked lead l and returns
// the outcome and the fields a rejection names.
func applyIntake(ctx context.Context, tx pgx.Tx, l lead.Lead, p lead.IntakePlan) (lead.IntakeOutcome, []lead.FieldError, error) {
	if p.Reject {
		if err := flagBurst(ctx, tx, l.ID, p.Bursts); err != nil {
			return lead.OutcomeRejected, nil, err
		}
		return lead.OutcomeRejected, p.Fields, decide(ctx, tx, l.ID, lead.StatusRejected, "", "", p.Reasons, p, "", p.Validated)
	}
	duplicateOf, err := findDuplicate(ctx, tx, l)
	if err != nil {
		return "", nil, err
	}
	if duplicateOf != "" {
		named, writable, err := duplicateAccess(ctx, tx, l, duplicateOf)
		if err != nil {
			return "", nil, err
		}
		policy := p.DuplicatePolicy
		if policy == lead.DuplicateMerge && !writable {
			policy = lead.DuplicateReject // nothing is written into a lead its creator may not act on
		}
		switch policy {
		case lead.DuplicateWarn:
			if p.Routed.Data == nil {
				p.Routed.Data = map[string]any{}
			}
			if named {
				p.Routed.Data["duplicate_of"] = duplicateOf
			} else {
				p.Routed.Data["duplicate"] = lead.DuplicateUnnamed
			}
		case lead.DuplicateReject:
			reason := lead.DuplicateReason(duplicateOf, named)
			data := map[string]any{"policy": string(policy)}
			if named {
				data["duplicate_of"] = duplicateOf
			}
			reasons := []string{reason}
			if policy != p.DuplicatePolicy {
				reasons = append(reasons, lead.DuplicateNotMerged)
			}
			refused := lead.Event{Type: lead.EventRejected, ActorID: l.CreatedBy, Reason: strings.Join(reasons, "; "), Data: data}
			return lead.OutcomeDuplicate, nil, decide(ctx, tx, l.ID, lead.StatusRejected, "", "", reasons, p, duplicateOf, p.Validated, refused)
		default:
			return lead.OutcomeMerged, nil, mergeInto(ctx, tx, l, duplicateOf, p)
		}
	}
	rep, why, outcome := p.InviterID, "registered through the rep's invite link", lead.OutcomeInviter
	if rep == "" {
		rep, why, outcome = p.CreatorID, "created by the rep: one of their own leads", lead.OutcomeAssigned
	}
	if rep != "" {
		_, _, err := checkTaker(ctx, tx, l, rep, TakeAssign)
		reasons, err := lead.RefusalReasons(err)
		if err != nil {
			return "", nil, err
		}
		if len(reasons) == 0 {
			given := lead.Event{Type: lead.EventAssigned, ActorID: rep, Reason: why, Data: map[string]any{"owner_id": rep}}
			return outcome, nil, decide(ctx, tx, l.ID, lead.StatusAssigned, p.PoolID, rep, nil, p, duplicateOf,
				p.Validated, p.Scored, p.Routed, given)
		}
		// The rep is full or inactive: the routing rules decide.
		p.Routed.Reason = "the rep cannot take the lead: " + strings.Join(reasons, "; ")
	}
	if err := decide(ctx, tx, l.ID, lead.StatusPooled, p.PoolID, "", nil, p, duplicateOf, p.Validated, p.Scored, p.Routed); err != nil {
		return "", nil, err
	}
	l.Status, l.PoolID = lead.StatusPooled, p.PoolID
	status, err := distribute(ctx, tx, l, p.AutoAccept, intakeKey(l.ID, p)+"/distribute")
	switch status {
	case lead.StatusOffered:
		return lead.OutcomeOffered, nil, err
	case lead.StatusAssigned:
		return lead.OutcomeAssigned, nil, err
	}
	return lead.OutcomePooled, nil, err
}

// duplicateAccess decides (lead.DuplicateAccess) what the creator of the
// new lead l may know of, and do to, the live lead dup it duplicates. A
// lead of a public channel (or of no user) has no creator: it merges.
func duplicateAccess(ctx context.Context, q queryRower, l lead.Lead, dup string) (named, writable bool, err error) {
	if l.CreatedBy == "" || lead.PublicSource(l.Source) {
		return false, true, nil
	}
	return userDuplicateAccess(ctx, q, l.CreatedBy, dup)
}

// userDuplicateAccess is lead.DuplicateAccess of user userID and lead dup.
func userDuplicateAccess(ctx context.Context, q queryRower, userID, dup string) (named, writable bool, err error) {
	u, err := userTx(ctx, q, userID)
	if err != nil {
		return false, false, err
	}
	d, err := scanLead(q.QueryRow(ctx, `SELECT `+leadColumns+` FROM `+leadFrom+` WHERE l.id = $1`, dup))
	if err != nil {
		return false, false, notFound(err, "lead")
	}
	r, err := relation(ctx, q, u, d)
	if err != nil {
		return false, false, err
	}
	named, writable = lead.DuplicateAccess(r, d.Status)
	return named, writable, nil
}

// NamesDuplicate reports whether the lead dup may be named to user u as
// the lead another duplicates (lead.DuplicateAccess): in a create's
// answer, an import's report, a lead's duplicate_of.
func (db *DB) NamesDuplicate(ctx context.Context, u lead.User, dup string) (bool, error) {
	named, _, err := db.DuplicateAccess(ctx, u, dup)
	return named, err
}

// liveDuplicateSQL finds the oldest live lead with dedup key $1 other
// than lead $2 (a nil uuid for none): the lead a new one duplicates.
const liveDuplicateSQL = `
		SELECT id::text FROM leads
		WHERE dedup_key = $1 AND duplicate_of IS NULL AND id <> $2
		  AND status IN ('pooled', 'offered', 'assigned', 'converted')
		ORDER BY created_at, id LIMIT 1`

// findDuplicate returns the oldest live lead with l's dedup key, under a
// transaction lock on the key; "" when there is none.
func findDuplicate(ctx context.Context, tx pgx.Tx, l lead.Lead) (string, error) {
	if l.DedupKey == "" {
		return "", nil
	}
	// The lock, then the look-up, in one round trip.
	b := &pgx.Batch{}
	b.Queue(`SELECT pg_advisory_xact_lock(hashtextextended($1, 7))`, l.DedupKey)
	var dup string
	b.Queue(liveDuplicateSQL, l.DedupKey, l.ID).QueryRow(func(row pgx.Row) error {
		if err := row.Scan(&dup); !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		return nil
	})
	return dup, tx.SendBatch(ctx, b).Close()
}

// decide writes the decided status of a received lead and its decision
// events, in one round trip.
func decide(ctx context.Context, tx pgx.Tx, id string, status lead.Status, poolID, ownerID string, reasons []string,
	p lead.IntakePlan, duplicateOf string, events ...lead.Event) error {
	b := &pgx.Batch{}
	b.Queue(`
		UPDATE leads SET status = $2, pool_id = nullif($3, '')::uuid, owner_id = nullif($4, '')::uuid, window_since = NULL,
			reject_reasons = $5, score = $6, review_reasons = $7, updated_at = now(),
			duplicate_of = nullif($8, '')::uuid,
			assigned_at = CASE WHEN $2 = 'assigned' THEN now() END
		WHERE id = $1`,
		id, status, poolID, ownerID, nonNilStrings(reasons), p.Score, nonNilStrings(p.Review), duplicateOf)
	if err := queueIntakeEvents(b, id, intakeKey(id, p), events); err != nil {
		return err
	}
	err := tx.SendBatch(ctx, b).Close()
	if isUniqueViolation(err, "leads_live_dedup_key") {
		return lead.Errorf(lead.CodeUnavailable, "a lead with the same company, phone and country was registered at the same moment; retry")
	}
	return err
}

// intakeKey is the request id the events of lead id's intake under plan p
// derive from: the lead's first intake, or a readmission.
func intakeKey(id string, p lead.IntakePlan) string {
	if p.Readmission != "" {
		return p.Readmission + "/intake"
	}
	return id + "/intake"
}

// queueIntakeEvents queues the decision events of lead id's intake, keyed
// by key (intakeKey).
func queueIntakeEvents(b *pgx.Batch, id, key string, events []lead.Event) error {
	for i, e := range events {
		if e.Type == "" {
			continue // a decision the plan did not make
		}
		e.LeadID = id
		if err := queueEvent(b, e, fmt.Sprintf("%s/%d", key, i)); err != nil {
			return err
		}
	}
	return nil
}

// mergeInto ends a new lead as merged into the live lead dup: the new lead's
// history says where it went, and dup's history records the registration
// with the contact details that differ as suggestions (never written over
// dup's own).
func mergeInto(ctx context.Context, tx pgx.Tx, l lead.Lead, dup string, p lead.IntakePlan) error {
	if _, err := tx.Exec(ctx, `UPDATE leads SET status = 'merged', merged_into = $2, pool_id = NULL, owner_id = NULL,
		score = $3, review_reasons = $4, updated_at = now() WHERE id = $1`, l.ID, dup, p.Score, nonNilStrings(p.Review)); err != nil {
		return err
	}
	var have lead.Lead
	if err := tx.QueryRow(ctx, `SELECT name, email, phone_e164 FROM leads WHERE id = $1`, dup).Scan(&have.Name, &have.Email, &have.PhoneE164); err != nil {
		return err
	}
	merged := lead.Event{Type: lead.EventMerged, ActorID: l.CreatedBy, Reason: "a duplicate of lead " + dup,
		Data: map[string]any{"merged_into": dup}}
	b := &pgx.Batch{}
	if err := queueIntakeEvents(b, l.ID, intakeKey(l.ID, p), []lead.Event{p.Validated, merged}); err != nil {
		return err
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return err
	}
	data := map[string]any{"lead_id": l.ID, "source": l.Source}
	// The registrant's contact details that differ are suggestions for the
	// owner to take or leave: a public form never overwrites a lead.
	suggested := map[string]string{}
	for _, f := range []struct{ name, have, got string }{{"name", have.Name, l.Name}, {"email", have.Email, l.Email}, {"phone", have.PhoneE164, l.PhoneE164}} {
		if f.got != "" && !strings.EqualFold(strings.TrimSpace(f.got), strings.TrimSpace(f.have)) {
			suggested[f.name] = f.got
		}
	}
	if len(suggested) > 0 {
		data["suggested"] = suggested
	}
	if p.InviterID != "" {
		data["inviter_id"] = p.InviterID
	}
	actor := l.CreatedBy
	if actor == "" {
		actor = p.InviterID
	}
	return insertEvent(ctx, tx, lead.Event{LeadID: dup, Type: lead.EventRegistered, ActorID: actor,
		Reason: "registered again through " + l.Source, Data: data}, l.ID+"/merged-into")
}
