package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/leadflow/leadflow/internal/benchdata"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/workflows"
)

// liveLeads inserts n leads of poolID assigned to the bench rep at
// assignedAt and starts their LeadWorkflows with policy p, as a
// continuation (the way continue-as-new starts one): no intake, straight to
// the timers. It returns the leads' ids.
func (st *stack) liveLeads(ctx context.Context, o Options, n int, poolID string, assignedAt time.Time, p lead.Policy) ([]string, error) {
	conn, err := pgx.Connect(ctx, st.dbURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	ids, err := benchdata.LoadAssigned(ctx, conn, n, fmt.Sprintf("b%d", rand.Uint32()), poolID, st.repID, assignedAt)
	if err != nil {
		return nil, err
	}
	return st.startLeads(ctx, o, ids, func(l *lead.Lead) { l.Policy, l.AssignedAt = &p, &assignedAt })
}

// startLeads starts the LeadWorkflows of the stored leads ids, each as a
// continuation (no intake) of the lead as fix leaves it, o.Concurrency at
// a time; it returns ids.
func (st *stack) startLeads(ctx context.Context, o Options, ids []string, fix func(*lead.Lead)) ([]string, error) {
	begin := time.Now()
	_, err := parallel(ctx, len(ids), o.Concurrency, nil, func(ctx context.Context, i int) error {
		l, err := st.db.Lead(ctx, ids[i])
		if err != nil {
			return err
		}
		fix(&l)
		_, err = st.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.WorkflowID(l.ID), TaskQueue: workflows.TaskQueue},
			workflows.LeadWorkflowName, workflows.NewLeadInput(l))
		return err
	})
	st.log.Info("bench: live leads started", "n", len(ids), "took", time.Since(begin).Round(time.Millisecond))
	return ids, err
}

// eventTimes waits until each lead of ids has an event of type typ at or
// after since, or until timeout, and returns each lead's latest such
// event's time.
func (st *stack) eventTimes(ctx context.Context, ids []string, typ lead.EventType, since time.Time, timeout time.Duration) (map[string]time.Time, error) {
	conn, err := pgx.Connect(ctx, st.dbURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	deadline := time.Now().Add(timeout)
	for {
		rows, err := conn.Query(ctx, `SELECT lead_id::text, max(at) FROM lead_events WHERE lead_id = ANY($1::uuid[]) AND type = $2 AND at >= $3
			GROUP BY lead_id`, ids, string(typ), since)
		if err != nil {
			return nil, err
		}
		times := map[string]time.Time{}
		var id string
		var at time.Time
		if _, err := pgx.ForEachRow(rows, []any{&id, &at}, func() error { times[id] = at; return nil }); err != nil {
			return nil, err
		}
		if len(times) == len(ids) {
			return times, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%d of %d leads have a %s event after %s", len(times), len(ids), typ, timeout)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// dueAfterStarts is a whole second by which n workflows have started, at
// a rate well below the floor (a busy machine may need fewer of them).
func dueAfterStarts(n int) time.Time {
	return time.Now().Add(3*time.Second + time.Duration(n)*60*time.Millisecond).Truncate(time.Second)
}

// settleTimeout is how long a scenario waits for n leads' timers to be
// handled before it gives up.
func settleTimeout(n int) time.Duration { return 5*time.Minute + time.Duration(n)*time.Second/10 }

// benchReclaim gives o.Reclaims live leads a reclaim due in the same
// instant and measures how late their reclaimed events are.
func benchReclaim(ctx context.Context, st *stack, o Options) ([]Row, error) {
	n := o.Reclaims
	// The floor first, on its own: its workflows are terminated before the
	// reclaims' leads start (they may stay in the SDK's process-wide cache
	// until the leads push them out).
	floor, err := timerFloor(ctx, st, o, n)
	if err != nil {
		return nil, err
	}
	due := dueAfterStarts(n)
	const after = time.Hour
	policy, label := lead.Policy{NoFollowUpAfter: lead.Wall(after)}, ""
	if o.ReclaimCalendar {
		policy, label = lead.Policy{NoFollowUpAfter: lead.Span{WorkingHours: lead.Duration(after)}, Calendar: allWeek()}, ", counted in working hours on a calendar"
	}
	ids, err := st.liveLeads(ctx, o, n, lead.DefaultPoolID, due.Add(-after), policy)
	if err != nil {
		return nil, err
	}
	if started := time.Now(); started.After(due) {
		return nil, fmt.Errorf("starting %d workflows took until %s after the reclaims were due: give fewer (-reclaims)",
			n, started.Sub(due).Round(time.Millisecond))
	}
	cache := []string{"temporal_sticky_cache_hit", "temporal_sticky_cache_miss", "temporal_sticky_cache_total_forced_eviction"}
	count0, err := st.sdkCounters(cache...)
	if err != nil {
		return nil, err
	}
	pool0 := st.db.PoolStat()
	times, err := st.eventTimes(ctx, ids, lead.EventReclaimed, due.Add(-time.Second), settleTimeout(n))
	if err != nil {
		return nil, err
	}
	count1, err := st.sdkCounters(cache...)
	if err != nil {
		return nil, err
	}
	pool1 := st.db.PoolStat()
	var late latencies
	last := ""
	for id, t := range times {
		late.add(t.Sub(due))
		if last == "" || t.After(times[last]) {
			last = id
		}
	}
	trail, err := st.timerTrail(ctx, workflows.WorkflowID(last), due)
	if err != nil {
		return nil, err
	}
	var handedOn atomic.Int64
	if _, err := parallel(ctx, len(ids), o.Concurrency, nil, func(ctx context.Context, i int) error {
		n, err := st.stickyTimeouts(ctx, workflows.WorkflowID(ids[i]))
		handedOn.Add(int64(n))
		return err
	}); err != nil {
		return nil, err
	}
	flags := fmt.Sprintf("-reclaims %d", n)
	if o.ReclaimCalendar {
		flags += " -reclaim-calendar"
	}
	cmd := o.command("reclaim", flags)
	rows := []Row{{fmt.Sprintf("%d reclaims due in the same second%s: lateness", n, label),
		fmt.Sprintf("last %s, p99 %s, p90 %s, p50 %s; %d tasks past the sticky timeout", ms(late.quantile(1)), ms(late.quantile(0.99)),
			ms(late.quantile(0.9)), ms(late.quantile(0.5)), handedOn.Load()), cmd},
		{"the last reclaim's workflow, after the due time", trail, cmd}}
	if st.ownsWorker {
		// A miss is a workflow task whose workflow was not in the cache: the
		// worker fetched and replayed its history. The leads started before
		// the first count; their first tasks may fall either side of it.
		rows = append(rows, Row{"the worker's workflow cache from the leads' starts to the last reclaim",
			fmt.Sprintf("%.0f hits, %.0f misses (replays), %.0f evicted to make room", count1[cache[0]]-count0[cache[0]],
				count1[cache[1]]-count0[cache[1]], count1[cache[2]]-count0[cache[2]]), cmd})
		waited := pool1.EmptyAcquireCount() - pool0.EmptyAcquireCount()
		rows = append(rows, Row{fmt.Sprintf("the API's and worker's PostgreSQL pool (%d connections), the same time", pool1.MaxConns()),
			fmt.Sprintf("%d acquired, %d of them waited for a connection, %s waiting in all", pool1.AcquireCount()-pool0.AcquireCount(),
				waited, ms(pool1.AcquireDuration()-pool0.AcquireDuration())), cmd})
	}
	return append(rows, Row{fmt.Sprintf("floor: %d timers due in the same second, same server, %d pollers: lateness", n, o.WorkflowPollers), floor, cmd}), nil
}

// timerFloor is the floor of the reclaims: n workflows on a worker of
// their own (16 workflow-task pollers) sleep until the same instant, then
// run a local activity that notes the time (a reclaim's shape: a timer, a
// workflow task, a local activity) and wait on, as a lead does; how late
// each noted its time. They are terminated afterwards.
func timerFloor(ctx context.Context, st *stack, o Options, n int) (string, error) {
	queue := fmt.Sprintf("bench-timers-%d", rand.Uint32())
	type note struct {
		id string
		at time.Time
	}
	fired := make(chan note, 2*n)
	w, err := floorWorker(st.tc, queue, o.WorkflowPollers, func(w sdkworker.Worker) {
		w.RegisterWorkflowWithOptions(floorTimerWorkflow, workflow.RegisterOptions{Name: "BenchFloorTimer"})
		w.RegisterActivityWithOptions(func(ctx context.Context) error {
			select {
			case fired <- note{activity.GetInfo(ctx).WorkflowExecution.ID, time.Now()}:
			default: // never blocks a worker: a retried task's note is not needed
			}
			return nil
		}, activity.RegisterOptions{Name: "BenchFloorFired"})
	})
	if err != nil {
		return "", err
	}
	defer w.Stop()
	due := dueAfterStarts(n)
	id := func(i int) string { return fmt.Sprintf("%s-%d", queue, i) }
	wait := settleTimeout(n)
	// The workflows end here, whatever happens: terminated once measured
	// (or on a failure), and in any case by their own execution timeout, so
	// none waits on a queue with no worker.
	defer func() {
		tctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		_, _, _ = tolerant(tctx, n, o.Concurrency, nil, func(ctx context.Context, i int) error {
			return st.tc.TerminateWorkflow(ctx, id(i), "", "bench: measured")
		})
	}()
	if _, err := parallel(ctx, n, o.Concurrency, nil, func(ctx context.Context, i int) error {
		_, err := st.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id(i), TaskQueue: queue,
			WorkflowExecutionTimeout: time.Until(due) + wait}, "BenchFloorTimer", due)
		return err
	}); err != nil {
		return "", err
	}
	var late latencies
	seen := map[string]bool{}
	timeout := time.After(wait)
	for len(seen) < n {
		select {
		case f := <-fired:
			if !seen[f.id] { // a retried task notes again: its first note counts
				seen[f.id] = true
				late.add(f.at.Sub(due))
			}
		case <-timeout:
			return "", fmt.Errorf("%d of %d floor timers fired", len(seen), n)
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	return fmt.Sprintf("last %s, p99 %s, p90 %s, p50 %s", ms(late.quantile(1)), ms(late.quantile(0.99)), ms(late.quantile(0.9)), ms(late.quantile(0.5))), nil
}

// floorTimerWorkflow sleeps until due, notes the time in a local activity
// and waits until it is terminated.
func floorTimerWorkflow(ctx workflow.Context, due time.Time) error {
	if err := workflow.Sleep(ctx, due.Sub(workflow.Now(ctx))); err != nil {
		return err
	}
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: time.Minute})
	if err := workflow.ExecuteLocalActivity(lctx, "BenchFloorFired").Get(ctx, nil); err != nil {
		return err
	}
	return workflow.Await(ctx, func() bool { return false })
}

// benchPolicy changes the policy of a pool of o.PolicyLeads live leads so
// that each has a reminder due already, and measures the PATCH's answer and
// the time until every lead has recorded its reminder: re-armed and fired.
func benchPolicy(ctx context.Context, st *stack, o Options) ([]Row, error) {
	n := o.PolicyLeads
	var pool lead.Pool
	if err := st.call(ctx, st.admin, "POST", "/api/v1/pools", map[string]any{"name": fmt.Sprintf("Bench policy %d", rand.Uint32()),
		"scope": "global", "policy": map[string]any{"no_follow_up_after": "30d"}}, 201, &pool); err != nil {
		return nil, err
	}
	ids, err := st.liveLeads(ctx, o, n, pool.ID, time.Now().Add(-2*time.Hour), lead.Policy{NoFollowUpAfter: lead.Wall(30 * 24 * time.Hour)})
	if err != nil {
		return nil, err
	}
	// The live leads' first workflow tasks are done before the change.
	if _, err := st.settledHistory(ctx, workflows.WorkflowID(ids[len(ids)-1])); err != nil {
		return nil, err
	}
	begin := time.Now()
	// The reclaim reminder comes 1h after the claim, which was 2h ago: due at once.
	if err := st.call(ctx, st.admin, "PATCH", "/api/v1/pools/"+pool.ID,
		map[string]any{"policy": map[string]any{"remind_before": "719h"}}, 200, nil); err != nil {
		return nil, err
	}
	answer := time.Since(begin)
	times, err := st.eventTimes(ctx, ids, lead.EventReminded, begin.Add(-time.Second), settleTimeout(n))
	if err != nil {
		return nil, err
	}
	var last time.Time
	for _, t := range times {
		if t.After(last) {
			last = t
		}
	}
	cmd := o.command("policy", fmt.Sprintf("-policy-leads %d", n))
	return []Row{
		{fmt.Sprintf("policy change, pool of %d live leads: PATCH answered", n), ms(answer), cmd},
		{fmt.Sprintf("policy change, pool of %d live leads: all re-armed (reminder recorded)", n), ms(last.Sub(begin)), cmd},
	}, nil
}

// allWeek is a calendar open around the clock every day: working time is
// wall-clock time on it, but every deadline goes through its arithmetic.
func allWeek() *lead.Calendar {
	c := &lead.Calendar{ID: "bench-all-week", Name: "All week", TimeZone: "Asia/Shanghai", Version: 1, WorkingHours: map[string][]lead.ClockRange{}}
	for _, d := range lead.Weekdays {
		c.WorkingHours[d] = []lead.ClockRange{{"00:00", "24:00"}}
	}
	return c
}
