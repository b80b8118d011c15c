package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestPoolArchiving (issue 28): a pool that holds leads is not archived
// (the refusal counts them and links to their list); an empty one is,
// and then takes no lead (a move into it is refused; a rule routing to it
// sends the lead to the default pool), leaves the lists and pickers, and
// is restored.
func TestPoolArchiving(t *testing.T) {
	s := apptest.NewStack(t)
	pool := s.CreatePool(`{"name":"Old campaign","scope":"global","policy":{"distribution":"claim_only"}}`)
	other := s.CreatePool(`{"name":"New campaign","scope":"global","policy":{"distribution":"claim_only"}}`)
	var leads []string
	for i := range 2 {
		l := s.CreateLead(fmt.Sprintf(`{"company":"Archive %d Trading","phone":"1380013%04d","country":"CN"}`, i, 8400+i))
		s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/transfer", s.Admin, fmt.Sprintf(`{"pool_id":%q}`, pool)), 200)
		leads = append(leads, l.ID)
	}
	refused := s.Expect(s.Do("POST", "/api/v1/pools/"+pool+"/archive", s.Admin, ""), 409).Problem(t)
	if why := strings.Join(refused.Reasons, "; "); !strings.Contains(why, "2 leads are still in the pool") || !strings.Contains(why, "/leads?pool_id="+pool) {
		t.Fatalf("the refusal: %+v", refused)
	}
	for _, id := range leads {
		s.Expect(s.Do("POST", "/api/v1/leads/"+id+"/transfer", s.Admin, fmt.Sprintf(`{"pool_id":%q}`, other)), 200)
	}
	var archived lead.Pool
	s.Expect(s.Do("POST", "/api/v1/pools/"+pool+"/archive", s.Admin, ""), 200).JSON(t, &archived)
	if archived.ArchivedAt == nil {
		t.Fatalf("the pool is not archived: %+v", archived)
	}
	s.Expect(s.Do("POST", "/api/v1/pools/"+pool+"/archive", s.Admin, ""), 200)
	s.Expect(s.Do("POST", "/api/v1/pools/"+lead.DefaultPoolID+"/archive", s.Admin, ""), 409)

	listed := func(query string) bool {
		var page struct{ Items []lead.Pool }
		s.Expect(s.Do("GET", "/api/v1/pools"+query, s.Admin, ""), 200).JSON(t, &page)
		for _, p := range page.Items {
			if p.ID == pool {
				return true
			}
		}
		return false
	}
	if listed("") || !listed("?archived=true") {
		t.Error("the archived pool is listed among the live ones, or not among the archived")
	}
	s.Expect(s.Do("POST", "/api/v1/leads/"+leads[0]+"/transfer", s.Admin, fmt.Sprintf(`{"pool_id":%q}`, pool)), 409)
	// A routing rule saved while the pool was live sends new leads to the default pool.
	s.Expect(s.Do("POST", "/api/v1/pools/"+pool+"/restore", s.Admin, ""), 200)
	s.Expect(s.Do("PUT", "/api/v1/rules/routing", s.Admin, fmt.Sprintf(`{"rules":[],"default_pool_id":%q}`, pool)), 200)
	s.Expect(s.Do("POST", "/api/v1/pools/"+pool+"/archive", s.Admin, ""), 200)
	l := s.CreateLead(`{"company":"Routed Archive Trading","phone":"13800138499","country":"CN"}`)
	if l.PoolID != lead.DefaultPoolID {
		t.Errorf("a lead routed to the archived pool went to %q, want the default pool", l.PoolID)
	}
	var restored lead.Pool
	s.Expect(s.Do("POST", "/api/v1/pools/"+pool+"/restore", s.Admin, ""), 200).JSON(t, &restored)
	if restored.ArchivedAt != nil || !listed("") {
		t.Errorf("the restored pool: %+v", restored)
	}
}
