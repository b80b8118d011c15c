package apptest

import (
	"fmt"
	"time"

	"github.com/leadflow/leadflow/lead"
)

// CreatePool creates a pool through the API and returns its id.
func (s *Stack) CreatePool(body string) string {
	s.T.Helper()
	var p lead.Pool
	s.Expect(s.Do("POST", "/api/v1/pools", s.Admin, body), 201).JSON(s.T, &p)
	if p.ID == "" {
		s.T.Fatalf("pool: %+v", p)
	}
	return p.ID
}

// ClaimedLeads creates n leads (companies prefix 0, prefix 1, ..., phones
// from phone, a Chinese mobile number's first 10 digits), moves them into
// pool poolID and has rep (a token) claim each; it returns their ids.
func (s *Stack) ClaimedLeads(poolID, rep, prefix, phone string, n int) []string {
	s.T.Helper()
	var ids []string
	for i := range n {
		l := s.CreateLead(fmt.Sprintf(`{"company":"%s %d","phone":"%s%d","country":"CN"}`, prefix, i, phone, i))
		s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/transfer", s.Admin, fmt.Sprintf(`{"pool_id":%q}`, poolID)), 200)
		s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 200)
		ids = append(ids, l.ID)
	}
	return ids
}

// GetLead reads lead id as the admin.
func (s *Stack) GetLead(id string) lead.Lead {
	s.T.Helper()
	var l lead.Lead
	s.Expect(s.Do("GET", "/api/v1/leads/"+id, s.Admin, ""), 200).JSON(s.T, &l)
	return l
}

// History is lead id's history as the admin reads it.
func (s *Stack) History(id string) []lead.Event {
	s.T.Helper()
	var h struct {
		Items []lead.Event `json:"items"`
	}
	s.Expect(s.Do("GET", "/api/v1/leads/"+id+"/history?limit=500", s.Admin, ""), 200).JSON(s.T, &h)
	return h.Items
}

// WaitFor polls the read model until cond holds or the limit passes.
func (s *Stack) WaitFor(limit time.Duration, what string, cond func() bool) time.Duration {
	s.T.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > limit {
			s.T.Fatalf("%s did not happen within %s", what, limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return time.Since(start)
}
