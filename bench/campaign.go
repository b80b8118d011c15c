package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/workflows"
)

// benchCampaign sends an e-mail campaign to an uploaded list of
// o.CampaignRecipients attendees through the outbox (POST
// /api/v1/campaigns, then /start, polled until done): messages a second
// from the start to done, the peak RSS of this process (API, worker and
// Temporal server), and the campaign workflow's history events per
// recipient. Beside it, the floor: the same number of outbox rows, of the
// same size, written by multi-row INSERTs of 1,000.
func benchCampaign(ctx context.Context, st *stack, o Options) ([]Row, error) {
	n, run := o.CampaignRecipients, rand.Uint32()
	var tpl lead.Template
	if err := st.call(ctx, st.admin, "POST", "/api/v1/templates", map[string]string{"name": fmt.Sprintf("Bench news %d", run),
		"channel": "email", "language": "en", "subject": "News for {{.Lead.Name}}",
		"body": "Dear {{.Lead.Name}},\nsee you at the fair: {{.InviteURL}}\n{{.Rep.Name}}"}, 201, &tpl); err != nil {
		return nil, err
	}
	list := make([]lead.Attendee, n)
	for i := range list {
		list[i] = lead.Attendee{Name: fmt.Sprintf("Guest %d", i), Email: fmt.Sprintf("guest%d-%d@bench.example.com", run, i)}
	}
	var c lead.Campaign
	if err := st.call(ctx, st.admin, "POST", "/api/v1/campaigns", map[string]any{"name": fmt.Sprintf("Bench %d", run), "channel": "email",
		"template_id": tpl.ID, "audience": map[string]any{"list": list}, "rate": 1_000_000}, 201, &c); err != nil {
		return nil, err
	}
	list = nil
	debug.FreeOSMemory() // the uploaded list's garbage is not the campaign's
	base, err := resetPeakRSS()
	if err != nil {
		return nil, err
	}
	begin := time.Now()
	if err := st.call(ctx, st.admin, "POST", "/api/v1/campaigns/"+c.ID+"/start", nil, 202, &c); err != nil {
		return nil, err
	}
	if err := waitUntil(ctx, 100*time.Millisecond, func() (bool, error) {
		if c.Status == lead.CampaignDone {
			return true, nil
		}
		if time.Since(begin) > time.Hour {
			return false, fmt.Errorf("campaign: %d of %d sent after an hour", c.Sent, n)
		}
		err := st.call(ctx, st.admin, "GET", "/api/v1/campaigns/"+c.ID, nil, 200, &c)
		return c.Status == lead.CampaignDone, err
	}); err != nil {
		return nil, err
	}
	took := time.Since(begin)
	peak, err := procStatus("VmHWM")
	if err != nil {
		return nil, err
	}
	if c.Sent != n {
		return nil, fmt.Errorf("campaign: %d sent of %d (%+v)", c.Sent, n, c)
	}
	desc, err := st.tc.DescribeWorkflowExecution(ctx, workflows.CampaignWorkflowID(c.ID), "")
	if err != nil {
		return nil, err
	}
	events := desc.GetWorkflowExecutionInfo().GetHistoryLength()
	floor, err := outboxFloor(ctx, st.dbURL, n, run)
	if err != nil {
		return nil, err
	}
	cmd := o.command("campaign", fmt.Sprintf("-campaign-recipients %d", n))
	return []Row{
		{fmt.Sprintf("campaign: %d e-mails to the outbox (uploaded list, start to done)", n),
			fmt.Sprintf("%s (%s); %.2f of the floor; peak RSS %d MB (%d MB before)", rate(n, took), took.Round(time.Millisecond),
				floor.Seconds()/took.Seconds(), peak>>20, base>>20), cmd},
		{"campaign: Temporal history events per recipient", fmt.Sprintf("%.4f (%d events, one workflow)", float64(events)/float64(n), events), cmd},
		{fmt.Sprintf("campaign floor: %d outbox rows by multi-row INSERTs of 1,000", n), fmt.Sprintf("%s (%s)", rate(n, floor), floor.Round(time.Millisecond)), cmd},
	}, nil
}

// outboxFloor writes n outbox rows like a campaign's (sent e-mails of
// the same size) by multi-row INSERTs of 1,000, in one connection, and
// answers how long it took.
func outboxFloor(ctx context.Context, dbURL string, n int, run uint32) (time.Duration, error) {
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return 0, err
	}
	defer pool.Close()
	begin := time.Now()
	for from := 0; from < n; from += 1000 {
		var q strings.Builder
		q.WriteString(`INSERT INTO notifications (id, key, kind, to_email, subject, text, html, channel, status, provider, sent_at,
			from_name, unsubscribe_url, started_at) VALUES `)
		var args []any
		for i := from; i < min(n, from+1000); i++ {
			if i > from {
				q.WriteString(",")
			}
			k := len(args)
			fmt.Fprintf(&q, "($%d, $%d, 'message', $%d, $%d, $%d, '', 'email', 'sent', 'outbox', now(), 'Bench Admin', $%d, now())",
				k+1, k+2, k+3, k+4, k+5, k+6)
			unsub := fmt.Sprintf("http://127.0.0.1/u/%s", strings.Repeat("x", 96))
			args = append(args, uuid.Must(uuid.NewV7()).String(), fmt.Sprintf("floor/%d/%d", run, i),
				fmt.Sprintf("guest%d-%d@bench.example.com", run, i), fmt.Sprintf("News for Guest %d", i),
				fmt.Sprintf("Dear Guest %d,\nsee you at the fair: http://127.0.0.1/r/%s\nBench Admin\n\nUnsubscribe: %s", i, strings.Repeat("y", 43), unsub),
				unsub)
		}
		if _, err := pool.Exec(ctx, q.String(), args...); err != nil {
			return 0, err
		}
	}
	return time.Since(begin), nil
}
