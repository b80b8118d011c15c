package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

const leadColumns = `l.id::text, l.status, l.stage, l.company, l.name, l.phone, l.phone_e164, l.email, l.country, l.source, l.channel,
	l.profession, l.address, l.district, l.division, l.notes, l.tags, l.custom, coalesce(l.pool_id::text, ''), coalesce(l.owner_id::text, ''),
	coalesce(l.merged_into::text, ''), l.reject_reasons, coalesce(l.customer_id::text, ''), coalesce(host(l.ip), ''), l.dedup_key,
	coalesce(l.created_by::text, ''), l.created_at, l.updated_at, l.assigned_at, l.last_follow_up_at, l.score, l.review_reasons,
	l.offered_at, l.invalid_reason, p.policy, l.phones, l.emails, coalesce(l.duplicate_of::text, '')`

// leadFrom joins a lead to its pool, whose policy travels with the lead.
const leadFrom = `leads l LEFT JOIN pools p ON p.id = l.pool_id`

func scanLead(row pgx.Row) (lead.Lead, error) {
	var l lead.Lead
	var custom, policy []byte
	err := row.Scan(&l.ID, &l.Status, &l.Stage, &l.Company, &l.Name, &l.Phone, &l.PhoneE164, &l.Email, &l.Country,
		&l.Source, &l.Channel, &l.Profession, &l.Address, &l.District, &l.Division, &l.Notes, &l.Tags, &custom,
		&l.PoolID, &l.OwnerID, &l.MergedInto, &l.RejectReasons, &l.CustomerID, &l.IP, &l.DedupKey, &l.CreatedBy,
		&l.CreatedAt, &l.UpdatedAt, &l.AssignedAt, &l.LastFollowUpAt, &l.Score, &l.ReviewReasons,
		&l.OfferedAt, &l.InvalidReason, &policy, &l.Phones, &l.Emails, &l.DuplicateOf)
	if err != nil {
		return l, err
	}
	if len(custom) > 0 && string(custom) != "{}" {
		if err := json.Unmarshal(custom, &l.Custom); err != nil {
			return l, fmt.Errorf("store: lead %s custom fields: %w", l.ID, err)
		}
	}
	if l.Tags == nil {
		l.Tags = []string{}
	}
	if len(policy) > 0 {
		l.Policy = &lead.Policy{}
		if err := json.Unmarshal(policy, l.Policy); err != nil {
			return l, fmt.Errorf("store: policy of pool %s: %w", l.PoolID, err)
		}
	}
	return l, nil
}

// Lead returns one lead.
func (db *DB) Lead(ctx context.Context, id string) (lead.Lead, error) {
	if !isUUID(id) {
		return lead.Lead{}, lead.Errorf(lead.CodeNotFound, "lead not found")
	}
	l, err := scanLead(db.pool.QueryRow(ctx, `SELECT `+leadColumns+` FROM `+leadFrom+` WHERE l.id = $1`, id))
	return l, notFound(err, "lead")
}

// InsertReceived stores a lead that has just entered its workflow, with
// status received and a "created" event. It is idempotent: when the row
// exists already (an activity retry) the stored lead is returned unchanged.
func (db *DB) InsertReceived(ctx context.Context, l lead.Lead) (lead.Lead, error) {
	custom, err := json.Marshal(nonNilMap(l.Custom))
	if err != nil {
		return lead.Lead{}, fmt.Errorf("store: custom fields: %w", err)
	}
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			INSERT INTO leads (id, status, stage, company, name, phone, phone_e164, email, country, source, channel,
				profession, address, district, division, notes, tags, custom, ip, company_key, dedup_key, created_by)
			VALUES ($1, 'received', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
				nullif($18, '')::inet, $19, $20, nullif($21, '')::uuid)
			ON CONFLICT (id) DO NOTHING`,
			l.ID, l.Stage, l.Company, l.Name, l.Phone, l.PhoneE164, l.Email, l.Country, l.Source, l.Channel,
			l.Profession, l.Address, l.District, l.Division, l.Notes, nonNilStrings(l.Tags), custom, l.IP,
			lead.NormalizeCompany(l.Company), l.DedupKey, l.CreatedBy)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return insertEvent(ctx, tx, lead.Event{LeadID: l.ID, Type: lead.EventCreated, ActorID: l.CreatedBy,
			Data: map[string]any{"source": l.Source}}, l.ID+"/created")
	})
	if err != nil {
		return lead.Lead{}, err
	}
	return db.Lead(ctx, l.ID)
}

// Decision is the outcome of a lead's intake: where it goes and why.
type Decision struct {
	Status  lead.Status
	PoolID  string
	OwnerID string
	Reasons []string // why it was rejected
	Score   int
	Review  []string     // rules that failed at run time: the lead needs review
	Events  []lead.Event // the decisions, each with rule kind, version and trace
	// DuplicatePolicy applies when a live lead has the same dedup key
	// (empty: merge).
	DuplicatePolicy lead.DuplicatePolicy
	// InviterID is the rep whose invite link registered the lead: a lead
	// that is not a duplicate goes to them while they have room.
	InviterID string
}

// ApplyIntake records the intake decision on a received lead. A lead that
// is no longer received (a retry after success) is returned unchanged.
//
// A lead that is not rejected is first de-duplicated: under a transaction
// lock on its dedup key the oldest live lead with the same key is looked
// up, and the duplicate policy merges the new lead into it (the existing
// lead's history records the registration), rejects it, or creates it with
// DuplicateOf set (warn). The partial unique index on live dedup keys makes
// two live leads of one key impossible even without the lock.
func (db *DB) ApplyIntake(ctx context.Context, id string, d Decision) (lead.Lead, error) {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var l lead.Lead
		err := tx.QueryRow(ctx, `SELECT status, dedup_key, source, name, email, coalesce(created_by::text, '') FROM leads WHERE id = $1 FOR UPDATE`, id).
			Scan(&l.Status, &l.DedupKey, &l.Source, &l.Name, &l.Email, &l.CreatedBy)
		if errors.Is(err, pgx.ErrNoRows) {
			return lead.Errorf(lead.CodeNotFound, "lead %s not found", id)
		}
		if err != nil || l.Status != lead.StatusReceived {
			return err
		}
		l.ID = id
		duplicateOf := ""
		if d.Status != lead.StatusRejected && l.DedupKey != "" {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 7))`, l.DedupKey); err != nil {
				return err
			}
			var dup string
			err := tx.QueryRow(ctx, `
				SELECT id::text FROM leads
				WHERE dedup_key = $1 AND duplicate_of IS NULL AND id <> $2
				  AND status IN ('pooled', 'offered', 'assigned', 'converted')
				ORDER BY created_at, id LIMIT 1`, l.DedupKey, id).Scan(&dup)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			if dup != "" {
				switch d.DuplicatePolicy {
				case lead.DuplicateWarn:
					duplicateOf = dup
				case lead.DuplicateReject:
					reason := lead.DuplicateReasonPrefix + dup
					d.Status, d.PoolID, d.OwnerID, d.Reasons = lead.StatusRejected, "", "", []string{reason}
					d.Events = append(d.Events[:min(1, len(d.Events))], lead.Event{Type: lead.EventRejected, ActorID: l.CreatedBy,
						Reason: reason, Data: map[string]any{"duplicate_of": dup, "policy": string(lead.DuplicateReject)}})
				default:
					return mergeInto(ctx, tx, l, dup, d)
				}
			}
		}
		if d.Status == lead.StatusPooled && d.InviterID != "" {
			switch err := checkCapacity(ctx, tx, d.InviterID, false); {
			case err == nil:
				d.Status, d.OwnerID = lead.StatusAssigned, d.InviterID
				d.Events = append(d.Events, lead.Event{Type: lead.EventAssigned, ActorID: d.InviterID,
					Reason: "registered through the rep's invite link", Data: map[string]any{"owner_id": d.InviterID}})
			case lead.ErrorCode(err) == lead.CodeInternal:
				return err
			default:
				// The inviter is full or inactive: the routing rules decide.
				if n := len(d.Events); n > 0 {
					d.Events[n-1].Reason = "the inviting rep cannot take the lead: " + err.Error()
				}
			}
		}
		if duplicateOf != "" && len(d.Events) > 0 {
			last := &d.Events[len(d.Events)-1]
			if last.Data == nil {
				last.Data = map[string]any{}
			}
			last.Data["duplicate_of"] = duplicateOf
		}
		if _, err := tx.Exec(ctx, `
			UPDATE leads SET status = $2, pool_id = nullif($3, '')::uuid, owner_id = nullif($4, '')::uuid,
				reject_reasons = $5, score = $6, review_reasons = $7, updated_at = now(),
				duplicate_of = nullif($8, '')::uuid,
				assigned_at = CASE WHEN $2 = 'assigned' THEN now() END
			WHERE id = $1`,
			id, d.Status, d.PoolID, d.OwnerID, nonNilStrings(d.Reasons), d.Score, nonNilStrings(d.Review), duplicateOf); err != nil {
			if isUniqueViolation(err, "leads_live_dedup_key") {
				return lead.Errorf(lead.CodeUnavailable, "a lead with the same company, phone and country was registered at the same moment; retry")
			}
			return err
		}
		return insertIntakeEvents(ctx, tx, id, d.Events)
	})
	if err != nil {
		return lead.Lead{}, err
	}
	return db.Lead(ctx, id)
}

func insertIntakeEvents(ctx context.Context, tx pgx.Tx, id string, events []lead.Event) error {
	for i, e := range events {
		e.LeadID = id
		if err := insertEvent(ctx, tx, e, fmt.Sprintf("%s/intake/%d", id, i)); err != nil {
			return err
		}
	}
	return nil
}

// mergeInto ends a new lead as merged into the live lead dup: the new lead's
// history says where it went, dup's history records the registration, and
// dup gains the name and e-mail it lacked.
func mergeInto(ctx context.Context, tx pgx.Tx, l lead.Lead, dup string, d Decision) error {
	if _, err := tx.Exec(ctx, `UPDATE leads SET status = 'merged', merged_into = $2, pool_id = NULL, owner_id = NULL,
		score = $3, review_reasons = $4, updated_at = now() WHERE id = $1`, l.ID, dup, d.Score, nonNilStrings(d.Review)); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE leads SET name = CASE WHEN name = '' THEN $2 ELSE name END,
		email = CASE WHEN email = '' THEN $3 ELSE email END, updated_at = now() WHERE id = $1`, dup, l.Name, l.Email); err != nil {
		return err
	}
	events := append(d.Events[:min(1, len(d.Events)):min(1, len(d.Events))], lead.Event{Type: lead.EventMerged, ActorID: l.CreatedBy,
		Reason: "a duplicate of lead " + dup, Data: map[string]any{"merged_into": dup}})
	if err := insertIntakeEvents(ctx, tx, l.ID, events); err != nil {
		return err
	}
	data := map[string]any{"lead_id": l.ID, "source": l.Source}
	if d.InviterID != "" {
		data["inviter_id"] = d.InviterID
	}
	actor := l.CreatedBy
	if actor == "" {
		actor = d.InviterID
	}
	return insertEvent(ctx, tx, lead.Event{LeadID: dup, Type: lead.EventRegistered, ActorID: actor,
		Reason: "registered again through " + l.Source, Data: data}, l.ID+"/merged-into")
}

// IPCompanies counts, for each lead and window, the distinct companies
// other than the lead's registered from the lead's IP within that window
// before the lead itself was created. One query per window, whatever the
// number of leads (the preview of a rule change asks for a thousand).
func (db *DB) IPCompanies(ctx context.Context, leadIDs []string, windows map[string]time.Duration) (map[string]map[string]int, error) {
	out := make(map[string]map[string]int, len(leadIDs))
	for _, id := range leadIDs {
		out[id] = map[string]int{}
	}
	if len(leadIDs) == 0 {
		return out, nil
	}
	for name, w := range windows {
		rows, err := db.pool.Query(ctx, `
			SELECT l.id::text, count(DISTINCT o.company_key)
			FROM leads l JOIN leads o ON o.ip = l.ip AND o.id <> l.id AND o.company_key <> l.company_key
				AND o.created_at <= l.created_at AND o.created_at > l.created_at - $2::interval
			WHERE l.id = ANY($1::uuid[]) AND l.ip IS NOT NULL
			GROUP BY l.id`, leadIDs, strconv.FormatInt(w.Microseconds(), 10)+" microseconds")
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return nil, err
			}
			out[id][name] = n
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// RecentLeads returns the last n leads that went through intake, newest
// first: the sample a rule-change preview replays.
func (db *DB) RecentLeads(ctx context.Context, n int) ([]lead.Lead, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+leadColumns+` FROM `+leadFrom+` WHERE l.status <> 'received'
		ORDER BY l.created_at DESC, l.id DESC LIMIT $1`, n)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (lead.Lead, error) { return scanLead(r) })
}

// Claim assigns a pooled lead to a rep, enforcing the rep's capacity, daily
// claim limit and cooldown atomically: the rep's row is locked while counting.
func (db *DB) Claim(ctx context.Context, r lead.Claim) (lead.Lead, error) {
	m := lead.Move{LeadID: r.LeadID, RequestID: r.RequestID}
	return db.transition(ctx, m, func(tx pgx.Tx, l lead.Lead) error {
		capErr := checkCapacity(ctx, tx, r.RepID, true)
		if capErr != nil && lead.ErrorCode(capErr) != lead.CodeConflict {
			return capErr
		}
		var reasons []string
		if l.Status != lead.StatusPooled {
			reasons = append(reasons, fmt.Sprintf("wrong status: the lead is %s, not pooled", l.Status))
		}
		if capErr != nil {
			reasons = append(reasons, capErr.(*lead.Error).Reasons...)
		}
		var until time.Time
		err := tx.QueryRow(ctx, `SELECT until FROM lead_cooldowns WHERE lead_id = $1 AND user_id = $2 AND until > now()`,
			l.ID, r.RepID).Scan(&until)
		if err == nil {
			reasons = append(reasons, "cooldown: the lead was reclaimed from or returned by this rep; claimable again after "+until.UTC().Format(time.RFC3339))
		} else if err != pgx.ErrNoRows {
			return err
		}
		if len(reasons) > 0 {
			return lead.Conflict("the lead cannot be claimed", reasons...)
		}
		if _, err := tx.Exec(ctx, `UPDATE leads SET status = 'assigned', owner_id = $2, assigned_at = now(), updated_at = now(),
			invalid_reason = '' WHERE id = $1`, r.LeadID, r.RepID); err != nil {
			return err
		}
		data := map[string]any{}
		if r.ExpectedAt != nil {
			data["expected_follow_up_at"] = r.ExpectedAt.UTC().Format(time.RFC3339)
		}
		return insertEvent(ctx, tx, lead.Event{LeadID: r.LeadID, Type: lead.EventClaimed, ActorID: r.RepID,
			Reason: r.Reason, Data: data}, r.RequestID)
	})
}

// AddFollowUp records a follow-up on an assigned lead by its owner (or by
// a manager or admin) and moves the lead to stage when one is given.
func (db *DB) AddFollowUp(ctx context.Context, n lead.NewFollowUp) (lead.FollowUp, error) {
	f, stage, requestID := n.FollowUp, n.Stage, n.RequestID
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if done, err := requestApplied(ctx, tx, requestID); err != nil || done {
			return err
		}
		var status lead.Status
		var owner string
		if err := tx.QueryRow(ctx, `SELECT status, coalesce(owner_id::text, '') FROM leads WHERE id = $1 FOR UPDATE`, f.LeadID).
			Scan(&status, &owner); err != nil {
			return notFound(err, "lead")
		}
		var role lead.Role
		if err := tx.QueryRow(ctx, `SELECT role FROM users WHERE id = $1`, f.AuthorID).Scan(&role); err != nil {
			return notFound(err, "author")
		}
		var reasons []string
		if status != lead.StatusAssigned {
			reasons = append(reasons, fmt.Sprintf("wrong status: the lead is %s, not assigned", status))
		}
		if owner != f.AuthorID && role == lead.RoleRep {
			reasons = append(reasons, "the lead belongs to another rep")
		}
		if len(reasons) > 0 {
			return lead.Conflict("the follow-up cannot be recorded", reasons...)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO follow_ups (id, lead_id, author_id, type, content, next_step, next_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			f.ID, f.LeadID, f.AuthorID, f.Type, f.Content, f.NextStep, f.NextAt); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE leads SET last_follow_up_at = now(), updated_at = now(),
			stage = CASE WHEN $2 <> '' THEN $2 WHEN stage = 'New' THEN 'Started' ELSE stage END WHERE id = $1`,
			f.LeadID, stage); err != nil {
			return err
		}
		return insertEvent(ctx, tx, lead.Event{LeadID: f.LeadID, Type: lead.EventFollowedUp, ActorID: f.AuthorID,
			Data: map[string]any{"follow_up_id": f.ID, "type": f.Type}}, requestID)
	})
	if err != nil {
		return lead.FollowUp{}, err
	}
	return db.FollowUp(ctx, f.ID)
}

// FollowUp returns one follow-up record.
func (db *DB) FollowUp(ctx context.Context, id string) (lead.FollowUp, error) {
	var f lead.FollowUp
	err := db.pool.QueryRow(ctx, `SELECT id::text, lead_id::text, author_id::text, type, content, next_step, next_at, created_at
		FROM follow_ups WHERE id = $1`, id).
		Scan(&f.ID, &f.LeadID, &f.AuthorID, &f.Type, &f.Content, &f.NextStep, &f.NextAt, &f.CreatedAt)
	return f, notFound(err, "follow-up")
}

// Convert turns an assigned lead into a customer. Converting a converted
// lead again returns the same customer.
func (db *DB) Convert(ctx context.Context, c lead.Conversion) (lead.Customer, error) {
	leadID, actorID, requestID, customerID := c.LeadID, c.ActorID, c.RequestID, c.CustomerID
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		l, err := lockLead(ctx, tx, leadID)
		if err != nil {
			return err
		}
		if l.Status == lead.StatusConverted {
			customerID = l.CustomerID
			return nil
		}
		if l.Status != lead.StatusAssigned {
			return lead.Conflict("the lead cannot be converted", fmt.Sprintf("wrong status: the lead is %s, not assigned", l.Status))
		}
		// The mapped fields; the named columns default to the lead's own values.
		fields := map[string]any{}
		for k, v := range c.Customer {
			fields[k] = v
		}
		take := func(k, def string) string {
			v := fields[k]
			delete(fields, k)
			if v == nil || v == "" {
				return def
			}
			return fmt.Sprint(v)
		}
		name, contact := take("name", l.Company), take("contact", l.Name)
		phone, email, country := take("phone", firstNonEmpty(l.PhoneE164, l.Phone)), take("email", l.Email), take("country", l.Country)
		data, err := json.Marshal(fields)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO customers (id, lead_id, name, contact, phone, email, country, owner_id, data)
			VALUES ($1, $2, $3, $4, $5, $6, $7, nullif($8, '')::uuid, $9)`,
			customerID, l.ID, name, contact, phone, email, country, l.OwnerID, data); err != nil {
			return err
		}
		if len(c.Order) > 0 {
			order, err := json.Marshal(c.Order)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO orders (id, customer_id, lead_id, data) VALUES ($1, $1, $2, $3)`,
				customerID, l.ID, order); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE leads SET status = 'converted', customer_id = $2, updated_at = now() WHERE id = $1`,
			l.ID, customerID); err != nil {
			return err
		}
		return insertEvent(ctx, tx, lead.Event{LeadID: l.ID, Type: lead.EventConverted, ActorID: actorID,
			Data: map[string]any{"customer_id": customerID}}, requestID)
	})
	if err != nil {
		return lead.Customer{}, err
	}
	return db.Customer(ctx, customerID)
}

// Customer returns one customer.
func (db *DB) Customer(ctx context.Context, id string) (lead.Customer, error) {
	if !isUUID(id) {
		return lead.Customer{}, lead.Errorf(lead.CodeNotFound, "customer not found")
	}
	var c lead.Customer
	var data []byte
	err := db.pool.QueryRow(ctx, `SELECT id::text, lead_id::text, name, contact, phone, email, country,
		coalesce(owner_id::text, ''), data, created_at FROM customers WHERE id = $1`, id).
		Scan(&c.ID, &c.LeadID, &c.Name, &c.Contact, &c.Phone, &c.Email, &c.Country, &c.OwnerID, &data, &c.CreatedAt)
	if err != nil {
		return c, notFound(err, "customer")
	}
	if len(data) > 0 && string(data) != "{}" {
		err = json.Unmarshal(data, &c.Data)
	}
	return c, err
}

// requestApplied reports whether an event with this request id exists,
// i.e. whether a retried write already happened.
func requestApplied(ctx context.Context, tx pgx.Tx, requestID string) (bool, error) {
	if requestID == "" {
		return false, fmt.Errorf("store: a request id is required")
	}
	var n int
	err := tx.QueryRow(ctx, `SELECT count(*) FROM lead_events WHERE request_id = $1`, requestID).Scan(&n)
	return n > 0, err
}

// insertEvent appends e to its lead's history under a unique request id.
func insertEvent(ctx context.Context, tx pgx.Tx, e lead.Event, requestID string) error {
	var data []byte
	if len(e.Data) > 0 {
		var err error
		if data, err = json.Marshal(e.Data); err != nil {
			return err
		}
	}
	var trace []byte
	if len(e.Trace) > 0 {
		trace = e.Trace
	}
	_, err := tx.Exec(ctx, `INSERT INTO lead_events (lead_id, type, actor_id, reason, rule_kind, rule_version, trace, data, request_id)
		VALUES ($1, $2, nullif($3, '')::uuid, $4, $5, $6, $7, $8, $9) ON CONFLICT (request_id) DO NOTHING`,
		e.LeadID, e.Type, e.ActorID, e.Reason, e.RuleKind, e.RuleVersion, trace, data, requestID)
	return err
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
	next := ""
	if len(events) > limit {
		events = events[:limit]
		next = strconv.FormatInt(events[limit-1].ID, 10)
	}
	return events, next, nil
}

// LeadFilter selects leads for the list endpoint. Empty fields do not filter.
type LeadFilter struct {
	Status, Stage, PoolID, OwnerID, Source, Channel, Tag, Country           string
	Q, Name, Phone, Email, Company, Profession, Address, District, Division string
	CreatedFrom, CreatedTo                                                  *time.Time
	// Review selects leads whose rules failed at run time.
	Review bool
	// VisibleTo limits a rep to pooled leads and their own.
	VisibleTo string
	Limit     int
	Cursor    string
}

// Leads lists leads newest first with keyset pagination.
func (db *DB) Leads(ctx context.Context, f LeadFilter) ([]lead.Lead, string, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	eq := map[string]string{"status": f.Status, "stage": f.Stage, "source": f.Source, "channel": f.Channel, "country": f.Country}
	for _, col := range []string{"status", "stage", "source", "channel", "country"} {
		if v := eq[col]; v != "" {
			where = append(where, "l."+col+" = "+arg(v))
		}
	}
	for col, v := range map[string]string{"pool_id": f.PoolID, "owner_id": f.OwnerID} {
		if v == "" {
			continue
		}
		if !isUUID(v) {
			return nil, "", lead.Invalid(lead.FieldError{Field: col, Reason: "is not an id"})
		}
		where = append(where, "l."+col+" = "+arg(v)+"::uuid")
	}
	if f.Tag != "" {
		where = append(where, arg(f.Tag)+" = ANY(l.tags)")
	}
	like := func(v string) string {
		return arg("%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(v) + "%")
	}
	for col, v := range map[string]string{"name": f.Name, "email": f.Email, "company": f.Company, "profession": f.Profession,
		"address": f.Address, "district": f.District, "division": f.Division} {
		if v != "" {
			where = append(where, "l."+col+" ILIKE "+like(v))
		}
	}
	if f.Phone != "" {
		p := like(f.Phone)
		where = append(where, "(l.phone ILIKE "+p+" OR l.phone_e164 ILIKE "+p+")")
	}
	if f.Q != "" {
		p := like(f.Q)
		where = append(where, "(l.company ILIKE "+p+" OR l.name ILIKE "+p+" OR l.phone ILIKE "+p+" OR l.phone_e164 ILIKE "+p+" OR l.email ILIKE "+p+")")
	}
	if f.CreatedFrom != nil {
		where = append(where, "l.created_at >= "+arg(*f.CreatedFrom))
	}
	if f.CreatedTo != nil {
		where = append(where, "l.created_at < "+arg(*f.CreatedTo))
	}
	if f.Review {
		where = append(where, "l.review_reasons <> '{}'")
	}
	if f.VisibleTo != "" {
		where = append(where, "(l.status = 'pooled' OR l.owner_id = "+arg(f.VisibleTo)+"::uuid)")
	}
	if f.Cursor != "" {
		t, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		where = append(where, "(l.created_at, l.id) < ("+arg(t)+", "+arg(id)+"::uuid)")
	}
	q := `SELECT ` + leadColumns + ` FROM ` + leadFrom
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY l.created_at DESC, l.id DESC LIMIT " + arg(f.Limit+1)
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	leads, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (lead.Lead, error) { return scanLead(r) })
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(leads) > f.Limit {
		leads = leads[:f.Limit]
		last := leads[f.Limit-1]
		next = encodeCursor(last.CreatedAt, last.ID)
	}
	return leads, next, nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
