package store_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/internal/benchdata"
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

const benchManager = benchdata.Manager

func benchRep(k int) string { return benchdata.Rep(k) }

// loadLeads connects to a fresh database and loads n leads (benchdata.LoadLeads).
func loadLeads(b *testing.B, n int) (*pgx.Conn, string) {
	ctx := context.Background()
	url := testenv.DatabaseURL(b)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close(ctx) })
	if err := benchdata.LoadLeads(ctx, conn, n); err != nil {
		b.Fatal(err)
	}
	return conn, url
}

// loadEvents writes the history of the loaded leads (benchdata.LoadEvents).
func loadEvents(b *testing.B, conn *pgx.Conn) {
	if err := benchdata.LoadEvents(context.Background(), conn); err != nil {
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
		{"sort_score", store.LeadFilter{Sort: "score"}},
		{"score_min", store.LeadFilter{ScoreMin: new(50)}},
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
