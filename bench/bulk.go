package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/internal/benchdata"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// benchIntakeClients are the clients posting leads while a bulk action
// runs, and before it, for the intake latency beside the job.
const benchIntakeClients = 2

// benchIntakeAlone is the most intakes measured alone, and the most single
// assigns that intake is measured beside.
const benchIntakeAlone = 1000

// benchBulk assigns o.BulkLeads pooled leads to the bench rep by one bulk
// action, beside the floor: o.BulkLeads single POST /leads/{id}/assign at
// the job's concurrency (o.BulkConcurrency) on the same
// server. Intake (POST /api/v1/leads, benchIntakeClients clients) is
// measured three times: alone (up to benchIntakeAlone leads), beside
// single assigns at the job's concurrency (the same work done by hand, on
// up to benchIntakeAlone more leads), and during the job.
func benchBulk(ctx context.Context, st *stack, o Options) ([]Row, error) {
	n, conc := o.BulkLeads, o.BulkConcurrency
	var pool struct{ ID string }
	if err := st.call(ctx, st.admin, "POST", "/api/v1/pools", map[string]any{"name": fmt.Sprintf("Bench bulk %d", rand.Uint32()),
		"scope": "global", "member_ids": []string{st.repID}, "policy": map[string]any{"distribution": "claim_only"}}, 201, &pool); err != nil {
		return nil, err
	}
	single, err := st.pooledLeads(ctx, o, n, pool.ID)
	if err != nil {
		return nil, err
	}
	bulk, err := st.pooledLeads(ctx, o, n, pool.ID)
	if err != nil {
		return nil, err
	}
	m := min(benchIntakeAlone, n)
	byHand, err := st.pooledLeads(ctx, o, m, pool.ID)
	if err != nil {
		return nil, err
	}
	size := fmt.Sprintf("-bulk-leads %d -bulk-concurrency %d", n, conc)
	var alat latencies
	assign := func(ids []string) func(ctx context.Context, i int) error {
		return func(ctx context.Context, i int) error {
			return st.call(ctx, st.admin, "POST", "/api/v1/leads/"+ids[i]+"/assign", map[string]string{"rep_id": st.repID}, 200, nil)
		}
	}
	floor, failed, err := tolerant(ctx, n, conc, &alat, assign(single))
	if failed == n {
		return nil, err
	}
	rows := []Row{{fmt.Sprintf("bulk floor: POST /leads/{id}/assign x%d, %d clients", n, conc),
		fmt.Sprintf("%s in %s, %s", rate(n-failed, floor), floor.Round(time.Millisecond), alat.pcts()) + failures(failed, err), o.command("bulk", size)}}

	// Intake alone, beside single assigns, then beside the job.
	run := rand.Uint32()
	var seq atomic.Int64
	intake := func(ctx context.Context, _ int) error {
		return st.call(ctx, st.admin, "POST", "/api/v1/leads", leadBody(run, int(seq.Add(1))), 201, nil)
	}
	var alone, byHandLat latencies
	if _, err := parallel(ctx, m, benchIntakeClients, &alone, intake); err != nil {
		return nil, err
	}
	var byHandTook time.Duration
	byHandFailed := 0
	byHandIntake, err := beside(ctx, &byHandLat, intake, func() error {
		var err error
		byHandTook, byHandFailed, err = tolerant(ctx, m, conc, &latencies{}, assign(byHand))
		if byHandFailed == m {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var job struct {
		ID                         string
		Status                     string
		Succeeded, Refused, Failed int
	}
	begin := time.Now()
	if err := st.call(ctx, st.admin, "POST", "/api/v1/bulk-actions", map[string]any{"action": "assign", "lead_ids": bulk,
		"params": map[string]string{"rep_id": st.repID}}, 202, &job); err != nil {
		return nil, err
	}
	var during latencies
	ended := func() bool { return job.Status != "" && job.Status != store.BulkRunning }
	if _, err := beside(ctx, &during, intake, func() error {
		return waitUntil(ctx, 200*time.Millisecond, func() (bool, error) {
			if ended() {
				return true, nil
			}
			err := st.call(ctx, st.admin, "GET", "/api/v1/bulk-actions/"+job.ID, nil, 200, &job)
			return ended(), err
		})
	}); err != nil {
		return nil, err
	}
	took := time.Since(begin)
	rows = append(rows,
		Row{fmt.Sprintf("bulk job: assign x%d (POST /bulk-actions, %d at a time)", n, conc),
			fmt.Sprintf("%s in %s (%.2fx the floor), %d done, %d refused, %d failed, %s", rate(job.Succeeded, took), took.Round(time.Millisecond),
				took.Seconds()/floor.Seconds(), job.Succeeded, job.Refused, job.Failed, job.Status), o.command("bulk", size)},
		Row{fmt.Sprintf("bulk: intake p99, %d clients, alone / during the job", benchIntakeClients),
			fmt.Sprintf("%s / %s (%.2fx); alone %s, during %s", ms(alone.quantile(0.99)), ms(during.quantile(0.99)),
				ratio(&during, &alone), alone.pcts(), during.pcts()), o.command("bulk", size)},
		Row{fmt.Sprintf("bulk: intake p99, %d clients, beside %d single assigns (%d clients)", benchIntakeClients, m, conc),
			fmt.Sprintf("%s (%.2fx alone; the job's is %.2fx this), %d intakes, %s; the assigns ran at %s",
				ms(byHandLat.quantile(0.99)), ratio(&byHandLat, &alone), ratio(&during, &byHandLat), byHandIntake, byHandLat.pcts(),
				rate(m-byHandFailed, byHandTook)), o.command("bulk", size)})
	return rows, nil
}

// beside runs op as fast as benchIntakeClients clients can, recording
// the latencies of those that succeed in lat, until work returns; it
// returns how many succeeded, and work's error.
func beside(ctx context.Context, lat *latencies, op func(ctx context.Context, i int) error, work func() error) (int, error) {
	bctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _, _ = tolerant(bctx, 1<<30, benchIntakeClients, lat, op)
	}()
	err := work()
	stop()
	<-done
	return lat.count(), err
}

// ratio is a's p99 over b's.
func ratio(a, b *latencies) float64 {
	return a.quantile(0.99).Seconds() / b.quantile(0.99).Seconds()
}

// pooledLeads inserts n leads pooled in poolID and starts their workflows.
func (st *stack) pooledLeads(ctx context.Context, o Options, n int, poolID string) ([]string, error) {
	conn, err := pgx.Connect(ctx, st.dbURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	ids, err := benchdata.LoadPooled(ctx, conn, n, fmt.Sprintf("p%d", rand.Uint32()), poolID)
	if err != nil {
		return nil, err
	}
	return st.startLeads(ctx, o, ids, func(l *lead.Lead) {
		if l.Policy == nil {
			l.Policy = &lead.Policy{}
		}
	})
}
