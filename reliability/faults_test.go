//go:build reliability

package reliability

import (
	"net/http"
	"testing"
	"time"
)

// TestWorkerKilledDuringBurst: RELIABILITY_REGISTRATIONS (500) public
// registrations, 16 at a time; a third of the way in the worker process is
// killed with SIGKILL and started again RELIABILITY_WORKER_DOWN (40s)
// later, longer than the API's 30 s wait for an intake decision, so some
// registrations are answered 503 while their workflow has started. Every
// registration Temporal accepted reaches exactly one intake decision (a 503
// whose lead exists counts as accepted late), none is lost and none is
// decided twice.
func TestWorkerKilledDuringBurst(t *testing.T) {
	n := envInt(t, "RELIABILITY_REGISTRATIONS", 500)
	down := envDuration(t, "RELIABILITY_WORKER_DOWN", 40*time.Second)
	s := newStack(t)
	s.startWorker()
	s.startAPI()

	var killedAt, restartedAt time.Time
	results := s.burst("Killed", n, 16, 0, func() {
		killedAt = time.Now()
		s.worker.kill()
		time.Sleep(down) // the worker stays dead
		s.startWorker()
		restartedAt = time.Now()
	})
	t.Logf("worker killed (SIGKILL) at %s, running again after %v", killedAt.Format(time.TimeOnly), restartedAt.Sub(killedAt).Round(time.Millisecond))
	o := s.settle("Killed", results, 5*time.Minute)
	t.Logf("worker SIGKILL: %v", o)
	for _, st := range []int{0, http.StatusServiceUnavailable, http.StatusInternalServerError} {
		for _, e := range examples(results, st) {
			t.Logf("answered %d: %s", st, e)
		}
	}
	s.check(o)
}

// TestPostgresRestartedDuringBurst: RELIABILITY_PG_REGISTRATIONS (300)
// registrations, 16 at a time; a third of the way in the PostgreSQL cluster
// is stopped (pg_ctl stop -m fast), kept down 5 s and started again. No
// accepted lead is lost or duplicated, and the requests the outage refused
// answer 503 with Retry-After, never 500; sent again after Retry-After
// with the same Idempotency-Key they are accepted once.
func TestPostgresRestartedDuringBurst(t *testing.T) {
	n := envInt(t, "RELIABILITY_PG_REGISTRATIONS", 300)
	s := newStack(t)
	s.startWorker()
	s.startAPI()

	var down time.Time
	var up time.Duration
	results := s.burst("Restarted", n, 16, 3, func() {
		down = time.Now()
		if err := s.restartPostgres(5 * time.Second); err != nil {
			t.Errorf("restart postgres: %v", err)
		}
		up = time.Since(down)
	})
	t.Logf("postgres stopped at %s, accepting connections again after %v", down.Format(time.TimeOnly), up.Round(time.Millisecond))
	o := s.settle("Restarted", results, 5*time.Minute)
	t.Logf("postgres restart: %v", o)
	for _, st := range []int{0, http.StatusServiceUnavailable, http.StatusInternalServerError} {
		for _, e := range examples(results, st) {
			t.Logf("answered %d: %s", st, e)
		}
	}
	s.check(o)
	if o.missing503Retry != 0 {
		t.Errorf("%d answers 503 without Retry-After", o.missing503Retry)
	}
	if o.statuses[0] != 0 {
		t.Errorf("%d requests got no answer at all", o.statuses[0])
	}
}
