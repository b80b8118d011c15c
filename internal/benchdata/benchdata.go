// Package benchdata loads large generated data sets into a migrated
// leadflow database, for the store benchmarks and `leadflow bench`.
package benchdata

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// Manager is the manager who administers the global pool of the loaded leads.
const Manager = "00000000-0000-0000-0000-00000000b0b0"

// Rep is the id of bench rep k (0 to 19), who owns some of the loaded leads.
func Rep(k int) string { return "00000000-0000-0000-0000-0000000000" + strconv.Itoa(10+k) }

// LoadLeads generates n leads in SQL, one a second back from now, with
// their cast (20 reps, a manager of the global pool): statuses pooled,
// assigned, rejected and converted in turn (with their intake outcome,
// owner and reject reason), sources api, web, invite, import (an invite
// lead names its rep), companies, names and phones varied, one lead in
// 1,000 from "Zebra", scores 0 to 100; an owned lead was assigned an hour
// after it came and, two in three, followed up an hour later. The leads
// have no workflows.
func LoadLeads(ctx context.Context, conn *pgx.Conn, n int) error {
	if _, err := conn.Exec(ctx, `
		INSERT INTO users (id, name, email, role)
		SELECT ('00000000-0000-0000-0000-0000000000' || (10 + k))::uuid, 'Bench rep ' || k, 'rep' || k || '@example.com', 'rep'
		FROM generate_series(0, 19) AS k`); err != nil {
		return fmt.Errorf("benchdata: reps: %w", err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO users (id, name, email, role) VALUES ($1, 'Bench manager', 'mgr@example.com', 'manager')`,
		Manager); err != nil {
		return fmt.Errorf("benchdata: manager: %w", err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO pool_members (pool_id, user_id, role) VALUES ($1, $2, 'admin')`,
		lead.DefaultPoolID, Manager); err != nil {
		return fmt.Errorf("benchdata: pool admin: %w", err)
	}
	if _, err := conn.Exec(ctx, `
		INSERT INTO leads (id, status, stage, company, name, phone, phone_e164, email, country, source, channel, tags,
			pool_id, dedup_key, created_at, owner_id, created_by, intake_outcome, reject_reasons, score, assigned_at, last_follow_up_at)
		SELECT gen_random_uuid(), (ARRAY['pooled','assigned','rejected','converted'])[1 + i % 4], 'New',
			CASE WHEN i % 1000 = 0 THEN 'Zebra Logistics ' || i ELSE 'Company ' || md5(i::text) || ' Ltd' END,
			'Contact ' || md5((i * 7)::text), '138' || lpad(i::text, 8, '0'), '+86138' || lpad(i::text, 8, '0'),
			'c' || i || '@example.com', (ARRAY['CN','HK','SG'])[1 + i % 3], (ARRAY['api','web','invite','import'])[1 + i % 4],
			(ARRAY['Website','Referral','Event'])[1 + i % 3], CASE WHEN i % 100 = 0 THEN ARRAY['vip'] ELSE '{}' END,
			'00000000-0000-0000-0000-000000000001', 'k' || i, now() - (i || ' seconds')::interval,
			CASE WHEN i % 2 = 1 THEN ('00000000-0000-0000-0000-0000000000' || (10 + i / 4 % 20))::uuid END,
			CASE WHEN i % 4 = 2 THEN ('00000000-0000-0000-0000-0000000000' || (10 + i / 4 % 20))::uuid END,
			CASE WHEN i % 4 = 2 THEN 'rejected' ELSE 'pooled' END,
			CASE WHEN i % 4 = 2 THEN ARRAY['phone number is not valid for its country'] ELSE '{}' END,
			i * 37 % 101,
			CASE WHEN i % 2 = 1 THEN now() - (i || ' seconds')::interval + interval '1 hour' END,
			CASE WHEN i % 2 = 1 AND i % 3 <> 0 THEN now() - (i || ' seconds')::interval + interval '2 hours' END
		FROM generate_series(1, $1) AS i`, n); err != nil {
		return fmt.Errorf("benchdata: leads: %w", err)
	}
	return nil
}

// LoadEvents writes the history of the loaded leads, as intake and the
// reps would have: every lead created; a rejected one rejected by the
// phone rule (its trace names it); the others pooled; the assigned and
// converted ones claimed an hour later and, two in three, followed up
// within two hours of the claim; the converted ones converted; one pooled
// lead in five claimed and reclaimed. About 3.2 events a lead.
func LoadEvents(ctx context.Context, conn *pgx.Conn) error {
	if _, err := conn.Exec(ctx, `
		INSERT INTO lead_events (lead_id, type, actor_id, at, reason, rule_kind, rule_version, trace, request_id)
		SELECT l.id, v.type, CASE WHEN v.type IN ('claimed', 'followed_up', 'converted') THEN l.owner_id END,
			l.created_at + v.after, v.reason, v.kind, CASE WHEN v.kind = '' THEN 0 ELSE 1 END, v.trace, l.id::text || '/' || v.type
		FROM (SELECT l.*, substr(l.phone, 4)::int AS i FROM leads l) l CROSS JOIN LATERAL (VALUES
			('created', interval '0', '', '', NULL::jsonb, true),
			('rejected', interval '1 second', 'phone number is not valid for its country', 'validation',
				'[{"rule":"phone_invalid","when":"!phoneValid(lead.phone, lead.country)","matched":true,"value":true},
				  {"rule":"company_too_short","when":"len(trim(lead.company)) <= 4","matched":false,"value":false}]'::jsonb,
				l.status = 'rejected'),
			('pooled', interval '1 second', '', 'routing', '[]'::jsonb, l.status <> 'rejected'),
			('claimed', interval '1 hour', '', '', NULL, l.owner_id IS NOT NULL OR l.i % 20 = 0),
			('followed_up', interval '1 hour' + (l.i % 7200 || ' seconds')::interval, '', '', NULL, l.owner_id IS NOT NULL AND l.i % 3 <> 0),
			('converted', interval '1 day', '', '', NULL, l.status = 'converted'),
			('reclaimed', interval '3 days', 'no follow-up', '', NULL, l.owner_id IS NULL AND l.i % 20 = 0)
		) AS v (type, after, reason, kind, trace, keep)
		WHERE v.keep`); err != nil {
		return fmt.Errorf("benchdata: events: %w", err)
	}
	return nil
}

// LoadAssigned inserts n leads of pool poolID assigned to ownerID at
// assignedAt, companies and phones made unique by tag, and returns their
// ids. They have no workflows: the caller starts them.
func LoadAssigned(ctx context.Context, conn *pgx.Conn, n int, tag, poolID, ownerID string, assignedAt time.Time) ([]string, error) {
	return load(ctx, conn, n, tag, poolID, &ownerID, &assignedAt)
}

// LoadPooled inserts n leads pooled in pool poolID, companies and phones
// made unique by tag, and returns their ids. They have no workflows: the
// caller starts them.
func LoadPooled(ctx context.Context, conn *pgx.Conn, n int, tag, poolID string) ([]string, error) {
	return load(ctx, conn, n, tag, poolID, nil, nil)
}

// load inserts n leads of pool poolID, assigned to ownerID at assignedAt
// when ownerID is set, else pooled.
func load(ctx context.Context, conn *pgx.Conn, n int, tag, poolID string, ownerID *string, assignedAt *time.Time) ([]string, error) {
	rows, err := conn.Query(ctx, `
		INSERT INTO leads (id, status, stage, company, name, phone, phone_e164, email, country, source, channel,
			pool_id, dedup_key, owner_id, assigned_at, intake_outcome)
		SELECT gen_random_uuid(), CASE WHEN $4::uuid IS NULL THEN 'pooled' ELSE 'assigned' END, 'New',
			'Live ' || $2 || ' ' || i || ' Co., Ltd.', 'Contact ' || i,
			'137' || lpad(i::text, 8, '0'), '+86137' || lpad(i::text, 8, '0'), 'live' || i || '@example.com', 'CN', 'api', 'Website',
			$3, $2 || '/' || i, $4, $5, 'pooled'
		FROM generate_series(1, $1) AS i
		RETURNING id::text`, n, tag, poolID, ownerID, assignedAt)
	if err != nil {
		return nil, fmt.Errorf("benchdata: leads: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("benchdata: leads: %w", err)
	}
	return ids, nil
}
