package store_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// benchLeads is LEADFLOW_BENCH_LEADS, default 200,000.
func benchLeads() int {
	if v, err := strconv.Atoi(os.Getenv("LEADFLOW_BENCH_LEADS")); err == nil && v > 0 {
		return v
	}
	return 200_000
}

// The cast of the loaded leads: 20 reps own the assigned and converted
// leads (bench rep 0 to 19), and a manager administers the global pool.
const benchManager = "00000000-0000-0000-0000-00000000b0b0"

func benchRep(k int) string { return "00000000-0000-0000-0000-0000000000" + strconv.Itoa(10+k) }

// loadLeads connects to a fresh database and generates n leads in SQL,
// one a second back from now: statuses pooled, assigned, rejected and
// converted in turn (with their intake outcome, owner and reject reason),
// sources api, web, invite, import (an invite lead names its rep),
// companies, names and phones varied, one lead in 1,000 from "Zebra".
func loadLeads(b *testing.B, n int) (*pgx.Conn, string) {
	ctx := context.Background()
	url := testenv.DatabaseURL(b)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close(ctx) })
	if _, err := conn.Exec(ctx, `
		INSERT INTO users (id, name, email, role)
		SELECT ('00000000-0000-0000-0000-0000000000' || (10 + k))::uuid, 'Bench rep ' || k, 'rep' || k || '@example.com', 'rep'
		FROM generate_series(0, 19) AS k`); err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO users (id, name, email, role) VALUES ($1, 'Bench manager', 'mgr@example.com', 'manager')`,
		benchManager); err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO pool_members (pool_id, user_id, role) VALUES ($1, $2, 'admin')`,
		lead.DefaultPoolID, benchManager); err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `
		INSERT INTO leads (id, status, stage, company, name, phone, phone_e164, email, country, source, channel, tags,
			pool_id, dedup_key, created_at, owner_id, created_by, intake_outcome, reject_reasons)
		SELECT gen_random_uuid(), (ARRAY['pooled','assigned','rejected','converted'])[1 + i % 4], 'New',
			CASE WHEN i % 1000 = 0 THEN 'Zebra Logistics ' || i ELSE 'Company ' || md5(i::text) || ' Ltd' END,
			'Contact ' || md5((i * 7)::text), '138' || lpad(i::text, 8, '0'), '+86138' || lpad(i::text, 8, '0'),
			'c' || i || '@example.com', (ARRAY['CN','HK','SG'])[1 + i % 3], (ARRAY['api','web','invite','import'])[1 + i % 4],
			(ARRAY['Website','Referral','Event'])[1 + i % 3], CASE WHEN i % 100 = 0 THEN ARRAY['vip'] ELSE '{}' END,
			'00000000-0000-0000-0000-000000000001', 'k' || i, now() - (i || ' seconds')::interval,
			CASE WHEN i % 2 = 1 THEN ('00000000-0000-0000-0000-0000000000' || (10 + i / 4 % 20))::uuid END,
			CASE WHEN i % 4 = 2 THEN ('00000000-0000-0000-0000-0000000000' || (10 + i / 4 % 20))::uuid END,
			CASE WHEN i % 4 = 2 THEN 'rejected' ELSE 'pooled' END,
			CASE WHEN i % 4 = 2 THEN ARRAY['phone number is not valid for its country'] ELSE '{}' END
		FROM generate_series(1, $1) AS i`, n); err != nil {
		b.Fatal(err)
	}
	return conn, url
}

// loadEvents writes the history of the loaded leads, as intake and the
// reps would have: every lead created; a rejected one rejected by the
// phone rule (its trace names it); the others pooled; the assigned and
// converted ones claimed an hour later and, two in three, followed up
// within two hours of the claim; the converted ones converted; one pooled
// lead in five claimed and reclaimed. About 3.2 events a lead.
func loadEvents(b *testing.B, conn *pgx.Conn) {
	if _, err := conn.Exec(context.Background(), `
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
		b.Fatal(err)
	}
}

// BenchmarkLeadList measures GET /api/v1/leads's query over a large table:
// LEADFLOW_BENCH_LEADS leads (default 200,000) generated in SQL, then each
// filter of the list asked for its first page of 50.
//
//	LEADFLOW_BENCH_LEADS=1000000 go test ./store -run '^$' -bench LeadList -benchtime 200x
func BenchmarkLeadList(b *testing.B) {
	ctx := context.Background()
	conn, url := loadLeads(b, benchLeads())
	if _, err := conn.Exec(ctx, `ANALYZE leads`); err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	for _, c := range []struct {
		name string
		f    store.LeadFilter
	}{
		{"all", store.LeadFilter{}},
		{"status", store.LeadFilter{Status: "assigned"}},
		{"company_rare", store.LeadFilter{Company: "zebra"}},
		{"q_phone", store.LeadFilter{Q: "13800012345"}},
		{"name", store.LeadFilter{Name: "Contact 4e07"}},
		{"email", store.LeadFilter{Email: "c4242@"}},
		{"tag", store.LeadFilter{Tag: "vip"}},
		{"source_channel", store.LeadFilter{Source: "web", Channel: "Event"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			f := c.f
			f.Limit = 50
			for b.Loop() {
				if _, _, err := db.Leads(ctx, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReports measures the funnel and rejection reports over the
// leads of BenchmarkLeadList with their events: the last 30 days (every
// loaded lead when there are up to 2.5 million) and the last day, as an
// admin, as the manager of the pool that holds them and as one rep.
//
//	LEADFLOW_BENCH_LEADS=1000000 go test ./store -run '^$' -bench Reports -benchtime 5x -timeout 60m
func BenchmarkReports(b *testing.B) {
	ctx := context.Background()
	conn, url := loadLeads(b, benchLeads())
	loadEvents(b, conn)
	// lead_funnel too: the events' trigger updated its rows (migration 015).
	for _, t := range []string{"leads", "lead_events", "lead_funnel"} {
		if _, err := conn.Exec(ctx, `VACUUM ANALYZE `+t); err != nil {
			b.Fatal(err)
		}
	}
	db, err := store.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	now := time.Now().Add(time.Minute)
	month, day := now.AddDate(0, 0, -30), now.AddDate(0, 0, -1)
	admin := store.Viewer{}
	manager := store.Viewer{ID: benchManager, Role: lead.RoleManager}
	rep := store.Viewer{ID: benchRep(3), Role: lead.RoleRep}
	for _, c := range []struct {
		name string
		f    store.ReportFilter
	}{
		{"funnel_30d_source_admin", store.ReportFilter{From: month, To: now, GroupBy: store.GroupSource, Viewer: admin}},
		{"funnel_30d_owner_admin", store.ReportFilter{From: month, To: now, GroupBy: store.GroupOwner, Viewer: admin}},
		{"funnel_30d_source_manager", store.ReportFilter{From: month, To: now, GroupBy: store.GroupSource, Viewer: manager}},
		{"funnel_30d_source_rep", store.ReportFilter{From: month, To: now, GroupBy: store.GroupSource, Viewer: rep}},
		{"funnel_1d_pool_admin", store.ReportFilter{From: day, To: now, GroupBy: store.GroupPool, Viewer: admin}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := db.FunnelReport(ctx, c.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	for _, c := range []struct {
		name string
		v    store.Viewer
	}{{"rejections_30d_admin", admin}, {"rejections_30d_manager", manager}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := db.RejectionReport(ctx, store.ReportFilter{From: month, To: now, Viewer: c.v}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
