package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/leadflow/leadflow/lead"
)

// The capacity scenario (issue 30, docs/capacity.md) measures what one
// operation costs each component: CPU time of every process (the API
// and worker processes, Temporal, PostgreSQL's server processes) read
// from /proc, and PostgreSQL statements by database (pg_stat_statements:
// leadflow's own and Temporal's persistence), for o.CapacityOps
// operations of each kind: intake, claim, follow-up and reclaim. What the
// processes spend idle (pollers, Temporal's queues) over the same time is
// measured first and taken off.

// meter reads the CPU of the installation's processes and PostgreSQL's
// statement counts.
type meter struct {
	procs    map[string]int // name -> pid
	names    []string       // sorted, PostgreSQL last
	pool     *pgxpool.Pool
	database string // leadflow's database
	stmts    bool   // pg_stat_statements is there
}

// sample is one reading of a meter.
type sample struct {
	at    time.Time
	cpu   map[string]time.Duration
	stmts map[string]int64 // "leadflow", "temporal"
	bytes map[string]int64 // the databases' sizes, "leadflow" and "temporal"
}

func newMeter(ctx context.Context, st *stack, procs map[string]int) (*meter, error) {
	pool, err := pgxpool.New(ctx, st.dbURL)
	if err != nil {
		return nil, err
	}
	m := &meter{procs: map[string]int{}, pool: pool}
	for k, v := range procs {
		m.procs[k] = v
	}
	if err := pool.QueryRow(ctx, `SELECT current_database()`).Scan(&m.database); err != nil {
		pool.Close()
		return nil, err
	}
	var dir string
	if err := pool.QueryRow(ctx, `SELECT setting FROM pg_settings WHERE name = 'data_directory'`).Scan(&dir); err == nil && dir != "" {
		if b, err := os.ReadFile(filepath.Join(dir, "postmaster.pid")); err == nil {
			if pid, err := strconv.Atoi(strings.SplitN(string(b), "\n", 2)[0]); err == nil {
				m.procs["postgres"] = -pid // negative: a postmaster (postgresCPU)
			}
		}
	}
	if _, err := pool.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err == nil {
		_, err = pool.Exec(ctx, `SELECT pg_stat_statements_reset()`)
		m.stmts = err == nil
	}
	for k := range m.procs {
		m.names = append(m.names, k)
	}
	slices.SortFunc(m.names, func(a, b string) int {
		if (a == "postgres") != (b == "postgres") {
			if a == "postgres" {
				return 1
			}
			return -1
		}
		return strings.Compare(a, b)
	})
	return m, nil
}

func (m *meter) read(ctx context.Context) (sample, error) {
	s := sample{at: time.Now(), cpu: map[string]time.Duration{}, stmts: map[string]int64{}}
	for name, pid := range m.procs {
		var t time.Duration
		var err error
		if pid < 0 {
			t, err = postgresCPU(-pid)
		} else {
			t, err = procCPU(pid, false)
		}
		if err != nil {
			return s, fmt.Errorf("capacity: CPU of %s (pid %d): %w", name, pid, err)
		}
		s.cpu[name] = t
	}
	s.bytes = map[string]int64{}
	var own, temporal int64
	if err := m.pool.QueryRow(ctx, `SELECT coalesce(sum(pg_database_size(datname)) FILTER (WHERE datname = $1), 0)::bigint,
		coalesce(sum(pg_database_size(datname)) FILTER (WHERE datname LIKE 'temporal%'), 0)::bigint FROM pg_database`, m.database).
		Scan(&own, &temporal); err == nil {
		s.bytes["leadflow"], s.bytes["temporal"] = own, temporal
	}
	if m.stmts {
		rows, err := m.pool.Query(ctx, `SELECT CASE WHEN d.datname = $1 THEN 'leadflow' ELSE 'temporal' END, sum(s.calls)::bigint
			FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid GROUP BY 1`, m.database)
		if err != nil {
			return s, err
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			var n int64
			if err := rows.Scan(&k, &n); err != nil {
				return s, err
			}
			s.stmts[k] = n
		}
		return s, rows.Err()
	}
	return s, nil
}

// opCost is what one operation of a phase cost, idle taken off.
type opCost struct {
	name  string
	ops   int
	wall  time.Duration
	cpu   map[string]time.Duration // per operation
	stmts map[string]float64       // per operation
	bytes map[string]float64       // database growth per operation
}

func (c opCost) total() time.Duration {
	var t time.Duration
	for _, v := range c.cpu {
		t += v
	}
	return t
}

// cost is the cost per operation of ops operations between a and b, with
// idle's rate per second taken off.
func (m *meter) cost(name string, ops int, a, b sample, idle map[string]float64) opCost {
	c := opCost{name: name, ops: ops, wall: b.at.Sub(a.at), cpu: map[string]time.Duration{}, stmts: map[string]float64{}, bytes: map[string]float64{}}
	for k, v := range b.bytes {
		c.bytes[k] = float64(v-a.bytes[k]) / float64(ops)
	}
	for _, k := range m.names {
		d := b.cpu[k] - a.cpu[k] - time.Duration(idle[k]*c.wall.Seconds())
		c.cpu[k] = max(0, d/time.Duration(ops))
	}
	for k, v := range b.stmts {
		c.stmts[k] = float64(v-a.stmts[k]) / float64(ops)
	}
	return c
}

func (m *meter) format(c opCost) string {
	var parts []string
	for _, k := range m.names {
		parts = append(parts, fmt.Sprintf("%s %.2f", k, msf(c.cpu[k])))
	}
	s := fmt.Sprintf("CPU-ms per op: %s = %.2f; ", strings.Join(parts, ", "), msf(c.total()))
	if m.stmts {
		s += fmt.Sprintf("PostgreSQL statements per op: leadflow %.1f, temporal %.1f; ", c.stmts["leadflow"], c.stmts["temporal"])
	} else {
		s += "PostgreSQL statements: n/a (no pg_stat_statements); "
	}
	if len(c.bytes) > 0 {
		s += fmt.Sprintf("databases' growth per op: leadflow %.1f kB, temporal %.1f kB; ", c.bytes["leadflow"]/1024, c.bytes["temporal"]/1024)
	}
	return s + fmt.Sprintf("%d ops in %s (%s)", c.ops, c.wall.Round(time.Millisecond), rate(c.ops, c.wall))
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// benchCapacity runs o.CapacityOps intakes, claims, follow-ups and
// reclaims, one kind after the other, and reports each one's cost per
// component, then checks the model: the CPU a second run of a different
// size (o.CapacityOps × CapacityCheckFactor intakes) should take by the
// first run's cost per intake, against what it took.
func benchCapacity(ctx context.Context, st *stack, o Options) ([]Row, error) {
	procs := o.Processes
	if len(procs) == 0 {
		procs = map[string]int{"bench (api, worker, temporal)": os.Getpid()}
	}
	m, err := newMeter(ctx, st, procs)
	if err != nil {
		return nil, err
	}
	defer m.pool.Close()
	n := o.CapacityOps
	size := fmt.Sprintf("-capacity-ops %d", n)
	cmd := o.command("capacity", size)
	run := rand.Uint32()

	// Two pools: one without timers (claims and follow-ups), one whose
	// claimed leads are reclaimed after reclaimAfter without a follow-up.
	const reclaimAfter = 5 * time.Second
	var plain, timed struct{ ID string }
	if err := st.call(ctx, st.admin, "POST", "/api/v1/pools", map[string]any{"name": fmt.Sprintf("Capacity %d", run),
		"scope": "global", "member_ids": []string{st.repID}, "policy": map[string]any{"distribution": "claim_only"}}, 201, &plain); err != nil {
		return nil, err
	}
	if err := st.call(ctx, st.admin, "POST", "/api/v1/pools", map[string]any{"name": fmt.Sprintf("Capacity reclaim %d", run),
		"scope": "global", "member_ids": []string{st.repID}, "policy": map[string]any{"distribution": "claim_only",
			"no_follow_up_after": reclaimAfter.String()}}, 201, &timed); err != nil {
		return nil, fmt.Errorf("%w (against leadflow dev -cluster, start it with LEADFLOW_MIN_POLICY_DURATION=1s)", err)
	}

	// Idle first: what the processes spend doing nothing asked.
	const idleFor = 10 * time.Second
	a, err := m.read(ctx)
	if err != nil {
		return nil, err
	}
	time.Sleep(idleFor)
	b, err := m.read(ctx)
	if err != nil {
		return nil, err
	}
	idle := map[string]float64{}
	var idleParts []string
	for _, k := range m.names {
		idle[k] = float64(b.cpu[k]-a.cpu[k]) / b.at.Sub(a.at).Seconds()
		idleParts = append(idleParts, fmt.Sprintf("%s %.1f", k, idle[k]/float64(time.Millisecond)))
	}
	rows := []Row{{"capacity: idle CPU-ms per second", strings.Join(idleParts, ", "), cmd}}

	// phase measures op over n operations (conc clients).
	phase := func(name string, count, conc int, op func(ctx context.Context, i int) error) (opCost, error) {
		a, err := m.read(ctx)
		if err != nil {
			return opCost{}, err
		}
		if _, err := parallel(ctx, count, conc, nil, op); err != nil {
			return opCost{}, fmt.Errorf("capacity %s: %w", name, err)
		}
		b, err := m.read(ctx)
		if err != nil {
			return opCost{}, err
		}
		c := m.cost(name, count, a, b, idle)
		rows = append(rows, Row{"capacity: " + name, m.format(c), cmd})
		return c, nil
	}
	intakeInto := func(pool string, base int, ids []string) func(ctx context.Context, i int) error {
		return func(ctx context.Context, i int) error {
			body := leadBody(run, base+i)
			body["pool_id"] = pool
			var l struct{ ID string }
			if err := st.call(ctx, st.admin, "POST", "/api/v1/leads", body, 201, &l); err != nil {
				return err
			}
			ids[i] = l.ID
			return nil
		}
	}
	const conc = 16
	plainIDs, timedIDs := make([]string, n), make([]string, n)
	intake, err := phase(fmt.Sprintf("intake (POST /leads x%d, %d clients)", n, conc), n, conc, intakeInto(plain.ID, 0, plainIDs))
	if err != nil {
		return nil, err
	}
	// The leads to reclaim are taken in as well, outside any phase.
	if _, err := parallel(ctx, n, conc, nil, intakeInto(timed.ID, n, timedIDs)); err != nil {
		return nil, err
	}
	claim, err := phase(fmt.Sprintf("claim (POST /leads/{id}/claim x%d)", n), n, conc, func(ctx context.Context, i int) error {
		return st.call(ctx, st.rep, "POST", "/api/v1/leads/"+plainIDs[i]+"/claim", nil, 200, nil)
	})
	if err != nil {
		return nil, err
	}
	if _, err := phase(fmt.Sprintf("follow-up (POST /leads/{id}/follow-ups x%d)", n), n, conc, func(ctx context.Context, i int) error {
		return st.call(ctx, st.rep, "POST", "/api/v1/leads/"+plainIDs[i]+"/follow-ups", map[string]string{"type": "call", "content": "reached them"}, 201, nil)
	}); err != nil {
		return nil, err
	}
	// Reclaims: the timed leads are claimed (a claim's cost, measured
	// above, is taken off), then the phase waits until every one has been
	// reclaimed, reclaimAfter after its claim; the waiting is idle.
	ra, err := m.read(ctx)
	if err != nil {
		return nil, err
	}
	claimed := time.Now()
	if _, err := parallel(ctx, n, conc, nil, func(ctx context.Context, i int) error {
		return st.call(ctx, st.rep, "POST", "/api/v1/leads/"+timedIDs[i]+"/claim", nil, 200, nil)
	}); err != nil {
		return nil, err
	}
	if _, err := st.eventTimes(ctx, timedIDs, lead.EventReclaimed, claimed.Add(-time.Second), settleTimeout(n)+reclaimAfter); err != nil {
		return nil, err
	}
	rb, err := m.read(ctx)
	if err != nil {
		return nil, err
	}
	both := m.cost("", n, ra, rb, idle)
	reclaim := opCost{name: "reclaim", ops: n, wall: both.wall, cpu: map[string]time.Duration{}, stmts: map[string]float64{}}
	for _, k := range m.names {
		reclaim.cpu[k] = max(0, both.cpu[k]-claim.cpu[k])
	}
	for k, v := range both.stmts {
		reclaim.stmts[k] = v - claim.stmts[k]
	}
	rows = append(rows, Row{fmt.Sprintf("capacity: reclaim (x%d, due %s after a claim; the claim's cost taken off)", n, reclaimAfter),
		m.format(reclaim), cmd})

	// The check: a run of another size costs what the model says.
	k := 3 * n
	ids := make([]string, k)
	ca, err := m.read(ctx)
	if err != nil {
		return nil, err
	}
	split := make(chan string, 1)
	if o.TemporalProfile != "" {
		go func() { split <- temporalServices(ctx, st, o.TemporalProfile, 10*time.Second) }()
	} else {
		split <- ""
	}
	if _, err := parallel(ctx, k, conc, nil, intakeInto(plain.ID, 2*n, ids)); err != nil {
		return nil, err
	}
	cb, err := m.read(ctx)
	if err != nil {
		return nil, err
	}
	var measured time.Duration
	for _, name := range m.names {
		measured += cb.cpu[name] - ca.cpu[name] - time.Duration(idle[name]*cb.at.Sub(ca.at).Seconds())
	}
	predicted := intake.total() * time.Duration(k)
	rows = append(rows, Row{fmt.Sprintf("capacity: model check, %d intakes (%d× the first size)", k, k/n),
		fmt.Sprintf("predicted %.1f CPU-s (%d × %.2f ms), measured %.1f CPU-s (%.2fx); %s", predicted.Seconds(), k, msf(intake.total()),
			measured.Seconds(), measured.Seconds()/predicted.Seconds(), rate(k, cb.at.Sub(ca.at))), o.command("capacity", size)})
	rows = append(rows, Row{"capacity: peak resident set (VmHWM) of each process", peakMemory(m.names, m.procs), cmd})
	if sp := <-split; sp != "" {
		rows = append(rows, Row{"capacity: Temporal's CPU by service (a 10 s profile of the check's intakes)", sp, cmd})
	}
	return rows, nil
}
