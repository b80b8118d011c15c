package api_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/server"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/worker"
	"github.com/leadflow/leadflow/workflows"
)

// TestBulkAssignOverCapacity: a bulk assign of 2,000 pooled leads (the
// pool's whole filtered list) to a rep who may hold 1,700 assigns 1,700
// and refuses 300 for capacity, each said in refused.csv; every assigned
// lead's history has one assignment, and the same request again (its
// Idempotency-Key) answers the same job.
func TestBulkAssignOverCapacity(t *testing.T) {
	s := apptest.NewStack(t)
	repID, _ := s.CreateRep("Cara", 1700)
	poolID := s.CreatePool(fmt.Sprintf(`{"name":"Bulk pool","scope":"global","member_ids":[%q],"policy":{"distribution":"claim_only"}}`, repID))
	ids := s.PooledLeads("Capacity", 2000, 0, poolID)
	if len(ids) != 2000 {
		t.Fatalf("%d leads in the pool", len(ids))
	}
	body := fmt.Sprintf(`{"action":"assign","filter":{"pool_id":%q,"status":"pooled"},"params":{"rep_id":%q,"reason":"Redistribution"}}`, poolID, repID)
	start := time.Now()
	job := s.StartBulk(s.Admin, "bulk-1", body)
	if again := s.StartBulk(s.Admin, "bulk-1", body); again.ID != job.ID {
		t.Fatalf("the same request started another job: %s, then %s", job.ID, again.ID)
	}
	b := s.WaitBulk(s.Admin, job.ID, 5*time.Minute)
	t.Logf("bulk assign of %d leads: %s", b.Total, time.Since(start).Round(time.Millisecond))
	if b.Status != store.BulkDone || b.Total != 2000 || b.Done != 2000 || b.Succeeded != 1700 || b.Refused != 300 || b.Failed != 0 ||
		b.RefusedByReason["capacity"] != 300 || len(b.RefusedByReason) != 1 || b.FinishedAt == nil {
		t.Fatalf("bulk action: %+v", b.BulkAction)
	}
	if n := len(s.LeadIDs("owner_id=" + repID)); n != 1700 {
		t.Errorf("the rep owns %d leads, want 1700", n)
	}
	rows := refusedCSV(t, s, s.Admin, b.RefusedURL)
	if len(rows) != 301 || strings.Join(rows[0], ",") != "position,lead_id,company,outcome,reason,detail" {
		t.Fatalf("refused.csv: %d rows, header %v", len(rows), rows[0])
	}
	for _, r := range rows[1:] {
		if r[3] != "refused" || r[4] != "capacity" || !strings.Contains(r[5], "capacity reached") || !strings.HasPrefix(r[2], "Capacity ") {
			t.Fatalf("refused row %v", r)
		}
	}
	// A job of more than 1,000 leads e-mails its creator when it is over.
	var mails []lead.Notification
	s.WaitFor(time.Minute, "the bulk action's e-mail", func() bool {
		var err error
		mails, _, err = s.DB.Notifications(context.Background(), store.NotificationFilter{Kind: lead.EmailBulkFinished, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return len(mails) > 0
	})
	if len(mails) != 1 || mails[0].ToEmail != "ada@example.com" || !strings.Contains(mails[0].Subject, "2000 leads, 1700 done, 300 refused") ||
		!strings.Contains(mails[0].Text, "/bulk-actions/"+b.ID) {
		t.Errorf("bulk e-mails: %+v", mails)
	}
	for _, id := range []string{ids[0], ids[999], ids[1999]} {
		l := s.GetLead(id)
		assigned := 0
		for _, e := range s.History(id) {
			if e.Type == lead.EventAssigned {
				assigned++
			}
		}
		if l.Status == lead.StatusAssigned && assigned != 1 || l.Status == lead.StatusPooled && assigned != 0 {
			t.Errorf("lead %s is %s with %d assignments", id, l.Status, assigned)
		}
	}
	apptest.RecordHistoryOfType(t, s.TC, workflows.BulkWorkflowName, "bulk_assign_over_capacity")
}

// refusedCSV reads a bulk action's refused.csv as token.
func refusedCSV(t *testing.T, s *apptest.Stack, token, path string) [][]string {
	t.Helper()
	r := s.Expect(s.Do("GET", path, token, ""), 200)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("refused.csv is %s", ct)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(r.Body), "\xEF\xBB\xBF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestBulkClaimOtherTeam: a rep's bulk claim of leads named by id, half of
// them in another team's pool, claims their own pool's and refuses the
// others for access, touching none of them; a filter selects only what
// the rep's list shows. Only the rep and admins see the job.
func TestBulkClaimOtherTeam(t *testing.T) {
	s := apptest.NewStack(t)
	var teamA, teamB struct{ ID string }
	s.Expect(s.Do("POST", "/api/v1/teams", s.Admin, `{"name":"Team A"}`), 201).JSON(t, &teamA)
	s.Expect(s.Do("POST", "/api/v1/teams", s.Admin, `{"name":"Team B"}`), 201).JSON(t, &teamB)
	repID, rep := s.CreateRep("Rita", 50)
	otherID, other := s.CreateRep("Otto", 50)
	s.Expect(s.Do("PATCH", "/api/v1/users/"+repID, s.Admin, fmt.Sprintf(`{"team_id":%q}`, teamA.ID)), 200)
	s.Expect(s.Do("PATCH", "/api/v1/users/"+otherID, s.Admin, fmt.Sprintf(`{"team_id":%q}`, teamB.ID)), 200)
	poolA := s.CreatePool(fmt.Sprintf(`{"name":"A","scope":"team","team_id":%q,"member_ids":[%q],"policy":{"distribution":"claim_only"}}`, teamA.ID, repID))
	poolB := s.CreatePool(fmt.Sprintf(`{"name":"B","scope":"team","team_id":%q,"member_ids":[%q],"policy":{"distribution":"claim_only"}}`, teamB.ID, otherID))
	mine := s.PooledLeads("Mine", 6, 0, poolA)
	theirs := s.PooledLeads("Theirs", 6, 100, poolB)

	ids := append(append([]string{}, theirs[:3]...), mine[:3]...)
	ids = append(ids, theirs[3:]...)
	job := s.StartBulk(rep, "", fmt.Sprintf(`{"action":"claim","lead_ids":["%s"],"params":{"reason":"my patch"}}`, strings.Join(ids, `","`)))
	b := s.WaitBulk(rep, job.ID, time.Minute)
	if b.Status != store.BulkDone || b.Total != 9 || b.Succeeded != 3 || b.Refused != 6 || b.RefusedByReason["access"] != 6 {
		t.Fatalf("bulk claim: %+v", b.BulkAction)
	}
	for _, id := range theirs {
		l := s.GetLead(id)
		h := s.History(id)
		if l.Status != lead.StatusPooled || l.OwnerID != "" || h[0].Type == lead.EventClaimed {
			t.Errorf("another team's lead %s was touched: %s, owner %q, last event %s", id, l.Status, l.OwnerID, h[0].Type)
		}
	}
	for _, r := range refusedCSV(t, s, rep, b.RefusedURL)[1:] {
		if r[2] != "" || r[4] != "access" {
			t.Errorf("a refused lead of another team shows %v", r)
		}
	}
	// A filter selects what the rep's list shows: the rest of their pool.
	b = s.WaitBulk(rep, s.StartBulk(rep, "", `{"action":"claim","filter":{"status":"pooled"}}`).ID, time.Minute)
	if b.Total != 3 || b.Succeeded != 3 {
		t.Fatalf("bulk claim of the rep's list: %+v", b.BulkAction)
	}
	s.Expect(s.Do("GET", "/api/v1/bulk-actions/"+b.ID, other, ""), 404)
	s.Expect(s.Do("GET", "/api/v1/bulk-actions/"+b.ID, s.Admin, ""), 200)
	var page struct{ Items []apptest.BulkResult }
	s.Expect(s.Do("GET", "/api/v1/bulk-actions", other, ""), 200).JSON(t, &page)
	if len(page.Items) != 0 {
		t.Errorf("another rep lists %d bulk actions", len(page.Items))
	}
}

// TestBulkInvalid: a bad bulk action is a 422 naming the field.
func TestBulkInvalid(t *testing.T) {
	s := apptest.NewStack(t)
	for body, field := range map[string]string{
		`{"action":"explode","filter":{}}`:                                        "action",
		`{"action":"close"}`:                                                      "filter",
		`{"action":"close","filter":{},"lead_ids":["x"]}`:                         "lead_ids",
		`{"action":"close","lead_ids":["not-an-id"]}`:                             "lead_ids[0]",
		`{"action":"close","filter":{"status":"sleeping"}}`:                       "filter.status",
		`{"action":"close","filter":{"colour":"red"}}`:                            "filter.colour",
		`{"action":"assign","filter":{}}`:                                         "params.rep_id",
		`{"action":"transfer","filter":{},"params":{}}`:                           "params.pool_id",
		`{"action":"close","filter":{},"params":{"stage":"New"}}`:                 "params.stage",
		`{"action":"add_tags","filter":{},"params":{"tags":[" "]}}`:               "params.tags",
		`{"action":"set_stage","filter":{},"params":{"stage":"Sleeping"}}`:        "params.stage",
		`{"action":"export","lead_ids":["00000000-0000-0000-0000-000000000001"]}`: "lead_ids",
	} {
		r := s.Do("POST", "/api/v1/bulk-actions", s.Admin, body)
		if r.Status != 422 {
			t.Errorf("%s: %d %s", body, r.Status, r.Body)
			continue
		}
		apptest.FieldProblem(t, r, field)
	}
	// The body may name service.MaxBulkLeadIDs leads (it is not refused
	// as too large): one more is refused by its field.
	ids := make([]string, service.MaxBulkLeadIDs+1)
	for i := range ids {
		ids[i] = fmt.Sprintf("00000000-0000-0000-0000-%012d", i+1)
	}
	r := s.Do("POST", "/api/v1/bulk-actions", s.Admin, `{"action":"close","lead_ids":["`+strings.Join(ids, `","`)+`"]}`)
	if r.Status != 422 {
		t.Fatalf("%d lead ids: %d %.300s", len(ids), r.Status, r.Body)
	}
	apptest.FieldProblem(t, r, "lead_ids")
}

// TestBulkTagsStageCancel: tags are added and removed and the stage set
// on a filtered list, and a cancelled job stops.
func TestBulkTagsStageCancel(t *testing.T) {
	s := apptest.NewStack(t)
	poolID := s.CreatePool(`{"name":"Tags","scope":"global","policy":{"distribution":"claim_only"}}`)
	ids := s.PooledLeads("Tagged", 5, 0, poolID)
	filter := fmt.Sprintf(`"filter":{"pool_id":%q}`, poolID)
	for _, body := range []string{`{"action":"add_tags",` + filter + `,"params":{"tags":["vip","expo"]}}`,
		`{"action":"remove_tags",` + filter + `,"params":{"tags":["EXPO"]}}`,
		`{"action":"set_stage",` + filter + `,"params":{"stage":"Started"}}`} {
		if b := s.WaitBulk(s.Admin, s.StartBulk(s.Admin, "", body).ID, time.Minute); b.Succeeded != 5 {
			t.Fatalf("%s: %+v", body, b.BulkAction)
		}
	}
	for _, id := range ids {
		if l := s.GetLead(id); strings.Join(l.Tags, ",") != "vip" || l.Stage != "Started" {
			t.Errorf("lead %s: tags %v, stage %s", id, l.Tags, l.Stage)
		}
	}
	b := s.StartBulk(s.Admin, "", `{"action":"close",`+filter+`}`)
	var cancelled apptest.BulkResult
	s.Expect(s.Do("POST", "/api/v1/bulk-actions/"+b.ID+"/cancel", s.Admin, ""), 200).JSON(t, &cancelled)
	if cancelled.Status != store.BulkCancelled && cancelled.Status != store.BulkDone {
		t.Fatalf("cancelled: %+v", cancelled.BulkAction)
	}
	s.WaitFor(time.Minute, "the job stops", func() bool {
		s.Expect(s.Do("GET", "/api/v1/bulk-actions/"+b.ID, s.Admin, ""), 200).JSON(t, &cancelled)
		return cancelled.FinishedAt != nil
	})
	t.Logf("cancelled after %d of %d leads", cancelled.Done, cancelled.Total)

	// An export of the filter is an export job, the bulk action done at once.
	ex := s.StartBulk(s.Admin, "", `{"action":"export",`+filter+`,"params":{"format":"csv","fields":["company"]}}`)
	if ex.Status != store.BulkDone || ex.ExportID == "" {
		t.Fatalf("bulk export: %+v", ex.BulkAction)
	}
	if e := s.WaitExport(s.Admin, ex.ExportID); e.Rows != 5 {
		t.Errorf("the bulk export holds %d leads", e.Rows)
	}
}

// TestBulkRate: a worker with BulkRate 10 acts on no more than 10 leads a
// second, whatever its concurrency (here, 20 leads that do not exist: each
// refused at once for access).
func TestBulkRate(t *testing.T) {
	db := testenv.Store(t)
	tc, ns := testenv.Temporal(t)
	testenv.Worker(t, worker.Config{Temporal: tc, Namespace: ns, Store: db, BulkRate: 10, Webhooks: worker.Webhooks{Guard: apptest.LocalHooks}})
	s := apptest.StackOn(t, db, tc, server.Config{})
	ids := make([]string, 20)
	for i := range ids {
		ids[i] = uuid.NewString()
	}
	start := time.Now()
	b := s.WaitBulk(s.Admin, s.StartBulk(s.Admin, "", `{"action":"close","lead_ids":["`+strings.Join(ids, `","`)+`"]}`).ID, time.Minute)
	if took := time.Since(start); b.Refused != 20 || b.RefusedByReason["access"] != 20 || took < 1900*time.Millisecond {
		t.Fatalf("20 leads at 10 a second took %s: %+v", took, b.BulkAction)
	}
}
