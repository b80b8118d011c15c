package bench

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/internal/benchdata"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// benchList loads o.ListLeads leads (benchdata.LoadLeads, generated in one
// INSERT ... SELECT) and asks GET /api/v1/leads, as an admin, for the
// first page of 50 with three filters, with q= and in each order, o.ListRequests times
// each, beside the same store query (the same SQL through pgx) without
// HTTP, the two in turn.
func benchList(ctx context.Context, st *stack, o Options) ([]Row, error) {
	conn, err := pgx.Connect(ctx, st.dbURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	begin := time.Now()
	// The pool's timers give its assigned leads a reclaim deadline to sort
	// by, set as each lead is written (migration 028's trigger).
	if _, err := conn.Exec(ctx, `UPDATE pools SET policy = policy || '{"no_follow_up_after":"7d","no_conversion_after":"30d"}' WHERE id = $1`,
		lead.DefaultPoolID); err != nil {
		return nil, err
	}
	if err := benchdata.LoadLeads(ctx, conn, o.ListLeads); err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, `VACUUM ANALYZE leads`); err != nil {
		return nil, err
	}
	st.log.Info("bench: leads loaded", "n", o.ListLeads, "took", time.Since(begin).Round(time.Second))
	admin := store.Viewer{Role: lead.RoleAdmin}
	size := fmt.Sprintf("-list-leads %d -list-requests %d", o.ListLeads, o.ListRequests)
	var rows []Row
	for _, c := range []struct {
		name  string
		query url.Values
		f     store.LeadFilter
	}{
		{"status=assigned&source=web&channel=Event", url.Values{"status": {"assigned"}, "source": {"web"}, "channel": {"Event"}},
			store.LeadFilter{Status: "assigned", Source: "web", Channel: "Event"}},
		{"q=13800012345", url.Values{"q": {"13800012345"}}, store.LeadFilter{Q: "13800012345"}},
		// Each order of the list over all the leads (issue 28): its first page.
		{"sort=created", url.Values{"sort": {"created"}}, store.LeadFilter{Sort: "created"}},
		{"sort=assigned", url.Values{"sort": {"assigned"}}, store.LeadFilter{Sort: "assigned"}},
		{"sort=last_follow_up", url.Values{"sort": {"last_follow_up"}}, store.LeadFilter{Sort: "last_follow_up"}},
		{"sort=score", url.Values{"sort": {"score"}}, store.LeadFilter{Sort: "score"}},
		{"sort=company", url.Values{"sort": {"company"}}, store.LeadFilter{Sort: "company"}},
		{"sort=reclaim", url.Values{"sort": {"reclaim"}}, store.LeadFilter{Sort: "reclaim"}},
	} {
		c.query.Set("limit", "50")
		c.f.Limit, c.f.Viewer = 50, admin
		// One API request, then the same store query, in turn: both see the
		// same moment of the machine (a checkpoint, autovacuum, a GC), so
		// the two columns differ by what the API adds. A few rounds first
		// warm the caches and the connections, and are not counted.
		var api, sql latencies
		const warm = 10
		for i := range o.ListRequests + warm {
			t := time.Now()
			if err := st.call(ctx, st.admin, "GET", "/api/v1/leads?"+c.query.Encode(), nil, 200, nil); err != nil {
				return nil, err
			}
			if i >= warm {
				api.add(time.Since(t))
			}
			t = time.Now()
			if _, _, err := st.db.Leads(ctx, c.f); err != nil {
				return nil, err
			}
			if i >= warm {
				sql.add(time.Since(t))
			}
		}
		rows = append(rows, Row{fmt.Sprintf("GET /api/v1/leads?%s over %d leads", c.name, o.ListLeads),
			fmt.Sprintf("API %s; store (pgx) %s", api.pcts(), sql.pcts()), o.command("list", size)})
	}
	return rows, nil
}
