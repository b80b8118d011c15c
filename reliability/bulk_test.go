//go:build reliability

package reliability

import (
	"net/http"
	"testing"
	"time"
)

// TestWorkerKilledDuringBulkAssign: RELIABILITY_BULK_LEADS (300) pooled
// leads are assigned to a rep by one bulk action (the pool's filtered
// list); once half of them are done (mid-batch) the worker is killed with SIGKILL
// and started again 3 s later. The job resumes and ends done with every
// lead assigned, none refused (a lead assigned before the kill but not yet
// recorded is answered from its update, not assigned again) and each
// lead's history holds exactly one assignment.
func TestWorkerKilledDuringBulkAssign(t *testing.T) {
	n := envInt(t, "RELIABILITY_BULK_LEADS", 300)
	s := newStack(t)
	s.startWorker()
	s.startAPI()
	repID, _ := s.poolWithRep(`{"distribution":"claim_only"}`)
	ids := s.createLeads("Bulk", n, nil)
	var l created
	s.must(http.StatusOK, &l, http.MethodGet, "/api/v1/leads/"+ids[0], s.admin, nil)
	if l.Status != "pooled" {
		t.Fatalf("lead %s is %s, want pooled", l.ID, l.Status)
	}

	var job struct {
		ID                     string
		Status                 string
		Total, Done, Succeeded int
		Refused, Failed        int
		RefusedByReason        map[string]int `json:"refused_by_reason"`
	}
	s.must(http.StatusAccepted, &job, http.MethodPost, "/api/v1/bulk-actions", s.admin, map[string]any{
		"action": "assign", "filter": map[string]string{"status": "pooled", "company": "Bulk Works"},
		"params": map[string]string{"rep_id": repID}}, "Idempotency-Key", "reliability-bulk")
	s.waitFor(5*time.Minute, "half the leads acted on", func() bool {
		return s.count(`SELECT count(*) FROM bulk_action_items WHERE bulk_id = $1 AND outcome IS NOT NULL`, job.ID) >= n/2
	})
	s.worker.kill()
	before := s.count(`SELECT count(*) FROM bulk_action_items WHERE bulk_id = $1 AND outcome IS NOT NULL`, job.ID)
	assignedBefore := s.count(`SELECT count(*) FROM leads WHERE owner_id = $1`, repID)
	time.Sleep(3 * time.Second)
	s.startWorker()
	t.Logf("worker killed (SIGKILL) with %d of %d leads recorded, %d assigned", before, n, assignedBefore)

	took := s.waitFor(10*time.Minute, "the bulk action done", func() bool {
		s.must(http.StatusOK, &job, http.MethodGet, "/api/v1/bulk-actions/"+job.ID, s.admin, nil)
		return job.Status != "running"
	})
	if job.Status != "done" || job.Total != n || job.Done != n || job.Succeeded != n || job.Refused != 0 || job.Failed != 0 {
		t.Fatalf("bulk action after the kill: %+v", job)
	}
	if got := s.count(`SELECT count(*) FROM leads WHERE owner_id = $1 AND status = 'assigned'`, repID); got != n {
		t.Errorf("%d leads assigned to the rep, want %d", got, n)
	}
	if twice := s.count(`SELECT count(*) FROM (SELECT lead_id FROM lead_events WHERE type = 'assigned' GROUP BY lead_id HAVING count(*) <> 1) x`); twice != 0 {
		t.Errorf("%d leads' histories do not hold exactly one assignment", twice)
	}
	if got := s.count(`SELECT count(DISTINCT lead_id) FROM lead_events WHERE type = 'assigned'`); got != n {
		t.Errorf("%d leads have an assignment, want %d", got, n)
	}
	t.Logf("bulk assign under a worker SIGKILL: %d leads assigned once each, done %v after the restart", n, took.Round(time.Millisecond))
}
