//go:build reliability

package reliability

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// regResult is the answer to one public registration.
type regResult struct {
	company    string
	status     int // the last answer; 0: no answer (a network error)
	first      int // the first answer
	attempts   int
	retryAfter string
	body       string
	err        error
}

// burst sends n public registrations, conc at a time, each from its own
// client IP (X-Forwarded-For behind the trusted loopback proxy, so neither
// the rate limit nor the per-IP fraud rule applies). Once a third of them
// are sent, fault runs in its own goroutine; burst returns when every
// request has answered and the fault has ended. A registration answered 503
// is sent again, with the same Idempotency-Key, after its Retry-After, up
// to retries times, as a careful client would.
func (s *stack) burst(prefix string, n, conc, retries int, fault func()) []regResult {
	results := make([]regResult, n)
	var next atomic.Int64
	var faultOnce sync.Once
	faultDone := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if i == n/3 {
					faultOnce.Do(func() {
						go func() {
							defer close(faultDone)
							fault()
						}()
					})
				}
				company := fmt.Sprintf("%s Works %05d", prefix, i)
				body := map[string]string{
					"company": company, "name": "Reliability Tester", "phone": fmt.Sprintf("139%08d", i),
					"email": fmt.Sprintf("r%d@example.com", i), "country": "CN",
				}
				var r regResult
				for attempt := 0; attempt <= retries; attempt++ {
					a := s.do(http.MethodPost, "/api/v1/register", "", body,
						"X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255),
						"Idempotency-Key", fmt.Sprintf("%s-%d", prefix, i))
					r = regResult{company: company, status: a.status, first: r.first, attempts: attempt + 1, body: string(a.body), err: a.err}
					if attempt == 0 {
						r.first = a.status
					}
					if a.header != nil {
						r.retryAfter = a.header.Get("Retry-After")
					}
					if a.status != http.StatusServiceUnavailable {
						break
					}
					if wait, err := strconv.Atoi(r.retryAfter); err == nil && attempt < retries {
						time.Sleep(time.Duration(wait) * time.Second) // as Retry-After asks
					}
				}
				results[i] = r
			}
		}()
	}
	wg.Wait()
	faultOnce.Do(func() { close(faultDone) }) // n too small to reach the fault
	<-faultDone
	return results
}

// outcome is what became of a burst.
type outcome struct {
	tried           int
	statuses        map[int]int // last answer status -> how many (0: no answer)
	firstStatuses   map[int]int // first answer status -> how many
	retried         int         // registrations sent more than once
	accepted        int         // answered 202
	acceptedLate    int         // not answered 202, yet the lead exists
	notAccepted     int         // not answered 202 and no lead
	lost            int         // answered 202 and no lead
	undecided       int         // leads still received
	duplicateLeads  int         // extra leads for one registration
	badDecisions    int         // leads without exactly one validated/rejected event
	doubleCreated   int         // leads with more than one created event
	workflows       int         // LeadWorkflow executions in Temporal
	leads           int         // leads in PostgreSQL
	allLeads        int         // leads in PostgreSQL, of the burst or not: one workflow each
	missing503Retry int         // 503 answers without Retry-After
	settled         time.Duration
}

func statusList(m map[int]int) string {
	var st []string
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	for _, k := range keys {
		st = append(st, fmt.Sprintf("%d×%d", k, m[k]))
	}
	return strings.Join(st, " ")
}

func (o outcome) String() string {
	return fmt.Sprintf("tried %d (first answers %s; retried %d; last answers %s): accepted %d, accepted late %d, not accepted %d; lost %d, duplicate leads %d, "+
		"leads without exactly one decision %d, double created %d, undecided %d; workflows %d, leads %d (%d in all); "+
		"503 without Retry-After %d; settled in %v",
		o.tried, statusList(o.firstStatuses), o.retried, statusList(o.statuses), o.accepted, o.acceptedLate, o.notAccepted, o.lost, o.duplicateLeads,
		o.badDecisions, o.doubleCreated, o.undecided, o.workflows, o.leads, o.allLeads, o.missing503Retry, o.settled.Round(time.Second))
}

// settle waits (up to timeout) until every lead workflow Temporal started
// has its lead in PostgreSQL (the burst's or another the test made) and no
// lead of the burst is still received,
// then counts what became of each registration.
func (s *stack) settle(prefix string, results []regResult, timeout time.Duration) outcome {
	s.t.Helper()
	like := prefix + " Works %"
	begin := time.Now()
	for {
		wfs, err := s.leadWorkflows()
		leads := s.count(`SELECT count(*) FROM leads`)
		received := s.count(`SELECT count(*) FROM leads WHERE company LIKE $1 AND status = 'received'`, like)
		if err == nil && wfs == leads && received == 0 {
			break
		}
		if time.Since(begin) > timeout {
			s.t.Errorf("not settled after %v: %d lead workflows (err %v), %d leads in all, %d of the burst still received", timeout, wfs, err, leads, received)
			break
		}
		time.Sleep(time.Second)
	}
	o := outcome{tried: len(results), statuses: map[int]int{}, firstStatuses: map[int]int{}, settled: time.Since(begin)}
	o.workflows, _ = s.leadWorkflows()
	o.leads = s.count(`SELECT count(*) FROM leads WHERE company LIKE $1`, like)
	o.allLeads = s.count(`SELECT count(*) FROM leads`)
	o.undecided = s.count(`SELECT count(*) FROM leads WHERE company LIKE $1 AND status = 'received'`, like)
	o.badDecisions = s.withoutOneEvent(like, "validated", "rejected")
	o.doubleCreated = s.count(`SELECT count(*) FROM (SELECT l.id FROM leads l
		JOIN lead_events e ON e.lead_id = l.id AND e.type = 'created'
		WHERE l.company LIKE $1 GROUP BY l.id HAVING count(*) > 1) x`, like)

	perCompany := map[string]int{}
	ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
	defer cancel()
	rows, err := s.db.Query(ctx, `SELECT company, count(*) FROM leads WHERE company LIKE $1 GROUP BY company`, like)
	if err != nil {
		s.t.Fatal(err)
	}
	for rows.Next() {
		var c string
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			s.t.Fatal(err)
		}
		perCompany[c] = n
		o.duplicateLeads += n - 1
	}
	if err := rows.Err(); err != nil {
		s.t.Fatal(err)
	}
	for _, r := range results {
		o.statuses[r.status]++
		o.firstStatuses[r.first]++
		if r.attempts > 1 {
			o.retried++
		}
		exists := perCompany[r.company] > 0
		switch {
		case r.status == http.StatusAccepted && exists:
			o.accepted++
		case r.status == http.StatusAccepted:
			o.lost++
		case exists:
			o.acceptedLate++
		default:
			o.notAccepted++
		}
		if r.status == http.StatusServiceUnavailable && r.retryAfter == "" {
			o.missing503Retry++
		}
	}
	return o
}

// check fails the test on a lost, duplicated, undecided or doubly decided lead.
func (s *stack) check(o outcome) {
	s.t.Helper()
	if o.lost != 0 || o.duplicateLeads != 0 || o.badDecisions != 0 || o.doubleCreated != 0 || o.undecided != 0 || o.workflows != o.allLeads {
		s.t.Errorf("leads lost or duplicated: %v", o)
	}
	for _, m := range []map[int]int{o.firstStatuses, o.statuses} {
		for st, n := range m {
			if st >= 500 && st != http.StatusServiceUnavailable {
				s.t.Errorf("%d answers %d", n, st)
			}
		}
	}
}

// examples returns up to 3 answers with a status (for the log).
func examples(results []regResult, status int) []string {
	var out []string
	for _, r := range results {
		if r.status == status && len(out) < 3 {
			out = append(out, fmt.Sprintf("%s: %v %s", r.company, r.err, r.body))
		}
	}
	return out
}
