package api_test

import (
	"net/url"
	"testing"

	"github.com/leadflow/leadflow/lead"
)

// fieldError fails unless the answer is a 422 naming field.
func fieldError(t *testing.T, r response, field string) {
	t.Helper()
	if r.status != 422 {
		t.Fatalf("status %d, want 422 on %s; body %s", r.status, field, r.body)
	}
	for _, f := range r.problem(t).Errors {
		if f.Field == field {
			return
		}
	}
	t.Fatalf("no error on %s: %s", field, r.body)
}

// TestFollowUpsAndCustomers: a lead's follow-ups are listed newest first in
// pages, with their author and stage, and the history links them.
func TestFollowUpsAndCustomers(t *testing.T) {
	s := newStack(t)
	repID, rep := s.createRep("Rosa", 5)
	_, other := s.createRep("Olaf", 5)
	l := s.createLead(`{"company":"Seed Steel Works","name":"Wang Fang","phone":"13800138111","country":"CN","custom":{"industry":"Steel"}}`)
	s.expect(s.do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 200)

	for _, body := range []string{`{"type":"call","content":"first call"}`, `{"type":"visit","content":"visited","stage":"In progress"}`,
		`{"type":"email","content":"sent the quote","next_step":"call back","next_at":"2030-01-02T10:00:00Z"}`} {
		s.expect(s.do("POST", "/api/v1/leads/"+l.ID+"/follow-ups", rep, body), 201)
	}
	type followUps struct {
		Items      []lead.FollowUp `json:"items"`
		NextCursor string          `json:"next_cursor"`
	}
	var p1, p2 followUps
	s.expect(s.do("GET", "/api/v1/leads/"+l.ID+"/follow-ups?limit=2", rep, ""), 200).json(t, &p1)
	if len(p1.Items) != 2 || p1.NextCursor == "" || p1.Items[0].Content != "sent the quote" || p1.Items[0].NextStep != "call back" ||
		p1.Items[0].AuthorID != repID || p1.Items[0].AuthorName != "Rosa" || p1.Items[0].Stage != "In progress" || p1.Items[1].Content != "visited" {
		t.Fatalf("first page: %+v", p1)
	}
	s.expect(s.do("GET", "/api/v1/leads/"+l.ID+"/follow-ups?limit=2&cursor="+url.QueryEscape(p1.NextCursor), rep, ""), 200).json(t, &p2)
	if len(p2.Items) != 1 || p2.NextCursor != "" || p2.Items[0].Content != "first call" || p2.Items[0].Stage != "Started" {
		t.Fatalf("second page: %+v", p2)
	}
	s.expect(s.do("GET", "/api/v1/leads/"+l.ID+"/follow-ups", other, ""), 404)
	fieldError(t, s.do("GET", "/api/v1/leads/"+l.ID+"/follow-ups?cursor=nope", rep, ""), "cursor")
	linked := 0
	for _, e := range s.history(l.ID) {
		if e.Type == lead.EventFollowedUp && e.Data["follow_up_id"] == p2.Items[0].ID && e.Data["stage"] == "Started" {
			linked++
		}
	}
	if linked != 1 {
		t.Fatalf("the history does not link the first follow-up: %+v", s.history(l.ID))
	}
}
