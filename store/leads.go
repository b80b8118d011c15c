package store

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

const leadColumns = `l.id::text, l.status, l.stage, l.company, l.name, l.phone, l.phone_e164, l.email, l.country, l.source, l.channel,
	l.profession, l.address, l.district, l.division, l.notes, l.tags, l.custom, coalesce(l.pool_id::text, ''), coalesce(l.owner_id::text, ''),
	coalesce(l.merged_into::text, ''), l.reject_reasons, coalesce(l.customer_id::text, ''), coalesce(host(l.ip), ''), l.dedup_key,
	coalesce(l.created_by::text, ''), l.created_at, l.updated_at, l.assigned_at, l.last_follow_up_at, l.score, l.review_reasons,
	l.offered_at, l.invalid_reason, ` + poolPolicy + `, l.phones, l.emails, coalesce(l.duplicate_of::text, ''), l.expected_follow_up_at, l.lead_group,
	l.registered_at, coalesce(l.crm_target_id::text, ''),
	(SELECT jsonb_object_agg(t.name, x.external_id) FROM lead_external_ids x JOIN crm_targets t ON t.id = x.target_id WHERE x.lead_id = l.id),
	l.window_since`

// leadFrom joins a lead to its pool, whose policy travels with the lead.
const leadFrom = `leads l LEFT JOIN pools p ON p.id = l.pool_id`

func scanLead(row pgx.Row) (lead.Lead, error) { return scanLeadWith(row) }

// scanLeadWith scans the leadColumns of a row, then its further columns into extra.
func scanLeadWith(row pgx.Row, extra ...any) (lead.Lead, error) {
	var l lead.Lead
	var custom, policy []byte
	err := row.Scan(append([]any{&l.ID, &l.Status, &l.Stage, &l.Company, &l.Name, &l.Phone, &l.PhoneE164, &l.Email, &l.Country,
		&l.Source, &l.Channel, &l.Profession, &l.Address, &l.District, &l.Division, &l.Notes, &l.Tags, &custom,
		&l.PoolID, &l.OwnerID, &l.MergedInto, &l.RejectReasons, &l.CustomerID, &l.IP, &l.DedupKey, &l.CreatedBy,
		&l.CreatedAt, &l.UpdatedAt, &l.AssignedAt, &l.LastFollowUpAt, &l.Score, &l.ReviewReasons,
		&l.OfferedAt, &l.InvalidReason, &policy, &l.Phones, &l.Emails, &l.DuplicateOf, &l.ExpectedFollowUpAt, &l.Group,
		&l.RegisteredAt, &l.CRMTargetID, &l.ExternalIDs, &l.WaitingSince}, extra...)...)
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

// RecentLeads returns the last n leads that went through intake among
// those v may see, newest first: the sample a rule-change preview replays.
func (db *DB) RecentLeads(ctx context.Context, v Viewer, n int) ([]lead.Lead, error) {
	q := listQuery{}
	q.arg(n)
	where := `l.status <> 'received'`
	if c := v.condition(q.arg); c != "" {
		where += ` AND ` + c
	}
	rows, err := db.pool.Query(ctx, `SELECT `+leadColumns+` FROM `+leadFrom+` WHERE `+where+`
		ORDER BY l.created_at DESC, l.id DESC LIMIT $1`, q.args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (lead.Lead, error) { return scanLead(r) })
}

// LeadFilter selects leads for the list endpoint. Empty fields do not filter.
type LeadFilter struct {
	Status, Stage, PoolID, OwnerID, Source, Channel, Group, Tag, Country    string
	Q, Name, Phone, Email, Company, Profession, Address, District, Division string
	// Agent is the owner: a user id, or part of the user's name.
	Agent string
	// CreatedFrom and CreatedTo bound the time TimeField names: created
	// (the default), assigned or last_follow_up.
	CreatedFrom, CreatedTo *time.Time
	TimeField              string
	// Period is a relative time frame on TimeField, as written; the
	// service resolves it into CreatedFrom and CreatedTo in the reader's
	// zone before listing (the store does not read it).
	Period lead.Period
	// Review selects leads whose rules failed at run time.
	Review bool
	// ScoreMin and ScoreMax bound the score (inclusive).
	ScoreMin, ScoreMax *int
	// Custom selects leads by the value of custom fields (of type select).
	Custom map[string]string
	// Sort is the list's order (LeadSorts): newest first ("" or
	// SortCreated), the soonest reclaim first (SortReclaim; leads without
	// one last), and the other columns'.
	Sort string
	// Viewer limits the list to the leads one user may see (lead.Visible).
	Viewer Viewer
	Limit  int
	Cursor string
}

// The orders of the lead list (LeadFilter.Sort).
const (
	SortCreated = "created"
	SortReclaim = "reclaim"
)

// noReclaim is the sort key of a lead without a reclaim deadline: after every other.
var noReclaim = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// reclaimAt is the SQL twin of lead.NextReclaim: when an assigned lead goes
// back to its pool by the no-follow-up or the no-conversion timer, the
// sooner; noReclaim for every other lead. The lead keeps it (reclaim_at,
// set by triggers from its pool's policy, migration 028), so the list
// sorts by it from an index on this expression.
var reclaimAt = `coalesce(l.reclaim_at, '` + noReclaim.Format("2006-01-02 15:04:05Z07:00") + `'::timestamptz)`

// timeFields are the times a time frame may bound: besides the lead's
// own, the next follow-up its owner expects and its reclaim deadline.
var timeFields = map[string]string{"": "l.created_at", "created": "l.created_at", "assigned": "l.assigned_at",
	"last_follow_up": "l.last_follow_up_at", "last_activity": "greatest(l.assigned_at, l.last_follow_up_at)",
	"next_follow_up": "l.expected_follow_up_at", "reclaim": reclaimAt}

// TimeFieldNames names the times a time frame may bound, for messages
// (last_activity: the last follow-up, else the assignment).
const TimeFieldNames = "created, assigned, last_follow_up, last_activity, next_follow_up or reclaim"

// ValidTimeField reports whether a time frame may bound the time f ("" is created).
func ValidTimeField(f string) bool {
	_, ok := timeFields[f]
	return ok
}

// Leads lists leads in the filter's order (LeadSorts) with keyset pagination.
func (db *DB) Leads(ctx context.Context, f LeadFilter) ([]lead.Lead, string, error) {
	q, err := leadWhere(f)
	if err != nil {
		return nil, "", err
	}
	ls, next, err := leadPage(ctx, db, q, f)
	if err != nil {
		return nil, "", err
	}
	return ls, next, db.unnameDuplicates(ctx, f.Viewer, ls)
}

// CountLeads counts the leads the filter selects (its viewer's, with its
// conditions; no paging).
func (db *DB) CountLeads(ctx context.Context, f LeadFilter) (int, error) {
	q, err := leadWhere(f)
	if err != nil {
		return 0, err
	}
	sql := `SELECT count(*) FROM ` + leadFrom
	if len(q.where) > 0 {
		sql += " WHERE " + strings.Join(q.where, " AND ")
	}
	var n int
	err = db.pool.QueryRow(ctx, sql, q.args...).Scan(&n)
	return n, err
}

// leadWhere is the conditions of the lead list's filter f.
func leadWhere(f LeadFilter) (*listQuery, error) {
	q := &listQuery{}
	if err := f.conditions(q); err != nil {
		return nil, err
	}
	if c := f.Viewer.condition(q.arg); c != "" {
		q.and(c)
	}
	return q, nil
}

// conditions adds f's conditions on lead l (joined to its pool p) to q,
// all but its Viewer's.
func (f LeadFilter) conditions(q *listQuery) error {
	like := func(v string) string {
		return q.arg(likePattern(v))
	}
	eq := map[string]string{"status": f.Status, "stage": f.Stage, "source": f.Source, "country": f.Country}
	for _, col := range []string{"status", "stage", "source", "country"} {
		if v := eq[col]; v != "" {
			q.and("l." + col + " = " + q.arg(v))
		}
	}
	for col, v := range map[string]string{"pool_id": f.PoolID, "owner_id": f.OwnerID} {
		if v == "" {
			continue
		}
		if !isUUID(v) {
			return lead.Invalid(lead.FieldError{Field: col, Reason: "is not an id"})
		}
		q.and("l." + col + " = " + q.arg(v) + "::uuid")
	}
	if f.Channel != "" {
		q.and("lower(l.channel) = lower(" + q.arg(f.Channel) + ")")
	}
	if f.Group != "" {
		q.and("lower(l.lead_group) = lower(" + q.arg(f.Group) + ")")
	}
	if f.Tag != "" {
		q.and("l.tags_lower @> ARRAY[lower(" + q.arg(f.Tag) + ")]")
	}
	if f.Agent != "" {
		if isUUID(f.Agent) {
			q.and("l.owner_id = " + q.arg(f.Agent) + "::uuid")
		} else {
			q.and("l.owner_id IN (SELECT a.id FROM users a WHERE a.name ILIKE " + like(f.Agent) + ")")
		}
	}
	for col, v := range map[string]string{"name": f.Name, "search_emails": f.Email, "company": f.Company, "profession": f.Profession,
		"address": f.Address, "district": f.District, "division": f.Division} {
		if v != "" {
			q.and("l." + col + " ILIKE " + like(v))
		}
	}
	if f.Phone != "" {
		q.and("l.search_phones ILIKE " + like(f.Phone))
	}
	if f.Q != "" {
		p := like(f.Q)
		q.and("(l.company ILIKE " + p + " OR l.name ILIKE " + p + " OR l.phone ILIKE " + p + " OR l.phone_e164 ILIKE " + p + " OR l.email ILIKE " + p + ")")
	}
	timeCol, ok := timeFields[f.TimeField]
	if !ok {
		return lead.Invalid(lead.FieldError{Field: "time_field", Reason: "must be " + TimeFieldNames})
	}
	if f.CreatedFrom != nil {
		q.and(timeCol + " >= " + q.arg(*f.CreatedFrom))
	}
	if f.CreatedTo != nil {
		q.and(timeCol + " < " + q.arg(*f.CreatedTo))
	}
	if f.ScoreMin != nil {
		q.and("l.score >= " + q.arg(*f.ScoreMin))
	}
	if f.ScoreMax != nil {
		q.and("l.score <= " + q.arg(*f.ScoreMax))
	}
	for _, name := range slices.Sorted(maps.Keys(f.Custom)) {
		q.and("l.custom->>" + q.arg(name) + " = " + q.arg(f.Custom[name]))
	}
	if f.Review {
		q.and("l.review_reasons <> '{}'")
	}
	return nil
}

// unnameDuplicates clears the duplicate_of of the leads of a list that
// name a lead v may not see (lead.DuplicateAccess: what v sees is named).
func (db *DB) unnameDuplicates(ctx context.Context, v Viewer, ls []lead.Lead) error {
	var dups []string
	for _, l := range ls {
		if l.DuplicateOf != "" {
			dups = append(dups, l.DuplicateOf)
		}
	}
	if len(dups) == 0 || v.ID == "" || v.Role == lead.RoleAdmin {
		return nil
	}
	rows, err := db.pool.Query(ctx, `SELECT l.id::text FROM `+leadFrom+` WHERE l.id = ANY($1::uuid[]) AND `+visibleSQL("$2::uuid"), dups, v.ID)
	if err != nil {
		return err
	}
	seen, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for i := range ls {
		if ls[i].DuplicateOf != "" && !slices.Contains(seen, ls[i].DuplicateOf) {
			ls[i].DuplicateOf = ""
		}
	}
	return nil
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

// LeadsByID returns the stored leads among ids, by id.
func (db *DB) LeadsByID(ctx context.Context, ids []string) (map[string]lead.Lead, error) {
	out := make(map[string]lead.Lead, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT `+leadColumns+` FROM `+leadFrom+` WHERE l.id = ANY($1::uuid[])`, ids)
	if err != nil {
		return nil, err
	}
	leads, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (lead.Lead, error) { return scanLead(r) })
	if err != nil {
		return nil, err
	}
	for _, l := range leads {
		out[l.ID] = l
	}
	return out, nil
}
