package store_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/store"
)

// BenchmarkLeadList measures GET /api/v1/leads's query over a large table:
// LEADFLOW_BENCH_LEADS leads (default 200,000) generated in SQL, then each
// filter of the list asked for its first page of 50.
//
//	LEADFLOW_BENCH_LEADS=1000000 go test ./store -run '^$' -bench LeadList -benchtime 200x
func BenchmarkLeadList(b *testing.B) {
	n := 200_000
	if v, err := strconv.Atoi(os.Getenv("LEADFLOW_BENCH_LEADS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	url := testenv.DatabaseURL(b)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	// Companies, names and phones vary; one lead in 1,000 is from "Zebra".
	if _, err := conn.Exec(ctx, `
		INSERT INTO leads (id, status, stage, company, name, phone, phone_e164, email, country, source, channel, tags,
			pool_id, dedup_key, created_at)
		SELECT gen_random_uuid(), (ARRAY['pooled','assigned','rejected','converted'])[1 + i % 4], 'New',
			CASE WHEN i % 1000 = 0 THEN 'Zebra Logistics ' || i ELSE 'Company ' || md5(i::text) || ' Ltd' END,
			'Contact ' || md5((i * 7)::text), '138' || lpad(i::text, 8, '0'), '+86138' || lpad(i::text, 8, '0'),
			'c' || i || '@example.com', 'CN', (ARRAY['api','web','invite','import'])[1 + i % 4],
			(ARRAY['Website','Referral','Event'])[1 + i % 3], CASE WHEN i % 100 = 0 THEN ARRAY['vip'] ELSE '{}' END,
			'00000000-0000-0000-0000-000000000001', 'k' || i, now() - (i || ' seconds')::interval
		FROM generate_series(1, $1) AS i`, n); err != nil {
		b.Fatal(err)
	}
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
