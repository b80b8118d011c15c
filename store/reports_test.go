package store_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// TestReportFunnelMatchesEvents checks the funnel read from the lead_funnel
// summary (kept by migration 015's triggers) against the funnel computed
// from the leads and their events (store.EventFunnel, the former query),
// on a varied data set written the ways leads and events are written: a
// bulk insert of leads and of events, events one statement at a time
// (some dated before the lead's earlier ones), the store's own intake,
// updates moving owners, pools, countries, groups, statuses and outcomes,
// and deletions. Every grouping, five viewers and three periods.
func TestReportFunnelMatchesEvents(t *testing.T) {
	ctx := context.Background()
	url := testenv.DatabaseURL(t)
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := conn.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	reps := []lead.User{newUser(t, db, lead.RoleRep, 50, 20), newUser(t, db, lead.RoleRep, 50, 20), newUser(t, db, lead.RoleRep, 50, 20)}
	mgr := newUser(t, db, lead.RoleManager, 50, 20)
	poolA, poolB := uuid.NewString(), uuid.NewString()
	exec(`INSERT INTO pools (id, name, scope) VALUES ($1, 'Pool A', 'global'), ($2, 'Pool B', 'global')`, poolA, poolB)
	exec(`INSERT INTO pool_members (pool_id, user_id, role) VALUES ($1, $2, 'admin')`, poolA, mgr.ID)
	repIDs := []string{reps[0].ID, reps[1].ID, reps[2].ID}
	pools := []string{lead.DefaultPoolID, poolA, poolB}

	// 1,500 leads in one statement, over 60 days.
	exec(`
		INSERT INTO leads (id, status, company, phone, country, source, channel, lead_group, pool_id, owner_id, created_by,
			intake_outcome, dedup_key, created_at)
		SELECT gen_random_uuid(), (ARRAY['rejected','merged','pooled','offered','assigned','converted','closed'])[1 + i % 7],
			'Company ' || i, '138' || lpad(i::text, 8, '0'), (ARRAY['CN','HK','US',''])[1 + i % 4],
			(ARRAY['api','web','invite','import','manual'])[1 + i % 5], (ARRAY['Website','Referral','','Event'])[1 + i / 3 % 4],
			(ARRAY['','Retail','Wholesale'])[1 + i / 5 % 3],
			CASE WHEN i % 7 IN (0, 1) THEN NULL ELSE ($1::uuid[])[1 + i / 2 % 3] END,
			CASE WHEN i % 7 IN (4, 5, 6) THEN ($2::uuid[])[1 + i / 7 % 3] END,
			CASE WHEN i % 3 = 0 THEN ($2::uuid[])[1 + i % 3] END,
			(ARRAY['rejected','merged','pooled','offered','assigned','duplicate_refused','to_inviter'])[1 + i / 11 % 7],
			'fk' || i, now() - ((i * 3457 % 5184000) || ' seconds')::interval
		FROM generate_series(1, 1500) AS i`, pools, repIDs)
	// Their events in one statement: up to five each, funnel types and others.
	exec(`
		INSERT INTO lead_events (lead_id, type, at, request_id)
		SELECT l.id, (ARRAY['assigned','claimed','accepted','followed_up','converted','reclaimed','returned','transferred','edited','created'])[1 + x.h % 10],
			l.created_at + ((x.h / 10 % 200000) || ' seconds')::interval, 'bulk/' || l.id || '/' || k
		FROM leads l CROSS JOIN generate_series(1, 5) AS k
		CROSS JOIN LATERAL (SELECT hashtext(l.id::text || k) & 2147483647 AS h) x
		WHERE (hashtext(l.id::text || 'n' || k) & 2147483647) % 5 < 3`)
	// More events, one statement each, some before the lead's earlier ones.
	rng := rand.New(rand.NewPCG(1, 2))
	ids := leadIDs(t, conn)
	types := []string{"assigned", "claimed", "accepted", "followed_up", "followed_up", "converted", "reclaimed", "returned", "transferred", "edited"}
	for n := range 400 {
		id := ids[rng.IntN(len(ids))]
		exec(`INSERT INTO lead_events (lead_id, type, at, request_id)
			SELECT id, $2, created_at + $3 * interval '1 second', $4 FROM leads WHERE id = $1`,
			id, types[rng.IntN(len(types))], rng.IntN(300000), fmt.Sprintf("one/%d", n))
	}
	// Leads through the store's intake, some claimed.
	claimer := newUser(t, db, lead.RoleRep, 10, 10)
	for i := range 5 {
		l := pooledLead(t, db, fmt.Sprintf("Funnel Summary %d Ltd", i), "")
		if i%2 == 0 {
			if _, err := db.Claim(ctx, lead.Claim{LeadID: l.ID, RepID: claimer.ID, RequestID: "claim/" + l.ID}, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Owners, pools, countries, groups, statuses and outcomes change.
	for n := range 200 {
		id := ids[rng.IntN(len(ids))]
		switch n % 6 {
		case 0:
			exec(`UPDATE leads SET owner_id = $2 WHERE id = $1`, id, repIDs[rng.IntN(3)])
		case 1:
			exec(`UPDATE leads SET owner_id = NULL, pool_id = $2 WHERE id = $1`, id, pools[rng.IntN(3)])
		case 2:
			exec(`UPDATE leads SET country = 'SG', channel = 'Fair' WHERE id = $1`, id)
		case 3:
			exec(`UPDATE leads SET lead_group = 'Moved', status = 'closed' WHERE id = $1`, id)
		case 4:
			exec(`UPDATE leads SET intake_outcome = 'merged', source = 'invite', created_by = $2 WHERE id = $1`, id, repIDs[rng.IntN(3)])
		case 5:
			exec(`UPDATE leads SET created_at = created_at - interval '20 days', updated_at = now() WHERE id = $1`, id)
		}
	}
	exec(`UPDATE leads SET pool_id = $1 WHERE pool_id = $2 AND country = 'HK'`, poolA, poolB)
	exec(`UPDATE leads SET updated_at = now()`) // touches nothing the funnel reads
	exec(`DELETE FROM leads WHERE id IN (SELECT id FROM leads ORDER BY id LIMIT 40)`)

	now := time.Now().Add(time.Minute)
	periods := [][2]time.Time{{now.AddDate(0, 0, -30), now}, {now.AddDate(0, 0, -120), now}, {now.AddDate(0, 0, -20), now.AddDate(0, 0, -10)}}
	viewers := map[string]store.Viewer{"admin": {}, "manager": store.ViewerOf(mgr), "rep": store.ViewerOf(reps[1]),
		"other rep": store.ViewerOf(reps[2]), "claimer": store.ViewerOf(claimer)}
	for _, g := range store.FunnelGroups {
		for who, v := range viewers {
			for _, p := range periods {
				f := store.ReportFilter{From: p[0], To: p[1], GroupBy: g, Viewer: v}
				got, err := db.FunnelReport(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				want, err := store.EventFunnel(ctx, db, f)
				if err != nil {
					t.Fatal(err)
				}
				if len(want) == 0 && who != "claimer" { // the claimer's leads are all of today
					t.Fatalf("%s by %s %v: the oracle counts no lead", who, g, p)
				}
				compareFunnels(t, fmt.Sprintf("%s by %s from %s", who, g, p[0].Format(time.DateOnly)), got, want)
			}
		}
	}
	// The data set reaches every stage, so the comparison means something.
	all, err := store.EventFunnel(ctx, db, store.ReportFilter{From: now.AddDate(-1, 0, 0), To: now, GroupBy: store.GroupStatus})
	if err != nil {
		t.Fatal(err)
	}
	var sum store.FunnelRow
	for _, r := range all {
		for _, c := range [][2]*int64{{&sum.Rejected, &r.Rejected}, {&sum.Merged, &r.Merged}, {&sum.Pooled, &r.Pooled},
			{&sum.Assigned, &r.Assigned}, {&sum.FollowedUp, &r.FollowedUp}, {&sum.Converted, &r.Converted},
			{&sum.Reclaimed, &r.Reclaimed}, {&sum.Returned, &r.Returned}} {
			*c[0] += *c[1]
		}
	}
	if sum.Rejected == 0 || sum.Merged == 0 || sum.Pooled == 0 || sum.Assigned == 0 || sum.FollowedUp == 0 ||
		sum.Converted == 0 || sum.Reclaimed == 0 || sum.Returned == 0 || len(all) < 5 {
		t.Fatalf("the data set misses a stage: %+v over %d statuses", sum, len(all))
	}
}

// leadIDs lists every lead's id.
func leadIDs(t *testing.T, conn *pgx.Conn) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), `SELECT id::text FROM leads ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// compareFunnels compares two funnels row by row (the labels aside).
func compareFunnels(t *testing.T, what string, got, want []store.FunnelRow) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d groups, want %d:\n%+v\n%+v", what, len(got), len(want), got, want)
		return
	}
	for i, w := range want {
		g := got[i]
		gm, wm := g.MedianFirstContactSeconds, w.MedianFirstContactSeconds
		medianOK := (gm == nil) == (wm == nil) && (gm == nil || math.Abs(*gm-*wm) < 1e-6)
		g.Label, g.ConversionRate, g.MedianFirstContactSeconds, w.MedianFirstContactSeconds = "", 0, nil, nil
		if g != w || !medianOK {
			t.Errorf("%s: row %d is %+v (median %v), want %+v (median %v)", what, i, got[i], gm, want[i], wm)
		}
	}
}
