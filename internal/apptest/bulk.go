package apptest

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// PooledLeads imports n leads named "<prefix> <i> Trading" into pool
// poolID (phones from base on) and returns their ids.
func (s *Stack) PooledLeads(prefix string, n, base int, poolID string) []string {
	s.T.Helper()
	var b strings.Builder
	b.WriteString("company,phone,country\n")
	for i := range n {
		fmt.Fprintf(&b, "%s %05d Trading,139%08d,CN\n", prefix, i, base+i)
	}
	im := s.ImportFile(prefix+".csv", []byte(b.String()), 5*time.Minute+time.Duration(n)*50*time.Millisecond, "pool_id", poolID)
	if im.Created != n {
		s.T.Fatalf("import of %d leads into the pool: %+v", n, im)
	}
	return s.LeadIDs("pool_id=" + url.QueryEscape(poolID))
}

// LeadIDs are the ids of the leads the admin's lead list shows with query.
func (s *Stack) LeadIDs(query string) []string {
	s.T.Helper()
	var ids []string
	cursor := ""
	for {
		var page struct {
			Items      []lead.Lead `json:"items"`
			NextCursor string      `json:"next_cursor"`
		}
		s.Expect(s.Do("GET", "/api/v1/leads?limit=500&"+query+"&cursor="+url.QueryEscape(cursor), s.Admin, ""), 200).JSON(s.T, &page)
		for _, l := range page.Items {
			ids = append(ids, l.ID)
		}
		if page.NextCursor == "" {
			return ids
		}
		cursor = page.NextCursor
	}
}

// BulkResult is a bulk action as GET /api/v1/bulk-actions/{id} shows it.
type BulkResult struct {
	store.BulkAction
	URL        string `json:"url"`
	RefusedURL string `json:"refused_url"`
}

// StartBulk posts bulk action body as token with idempotency key key ("" for none).
func (s *Stack) StartBulk(token, key, body string) BulkResult {
	s.T.Helper()
	var headers []string
	if key != "" {
		headers = []string{"Idempotency-Key", key}
	}
	var b BulkResult
	r := s.Expect(s.Do("POST", "/api/v1/bulk-actions", token, body, headers...), 202)
	r.JSON(s.T, &b)
	if b.ID == "" || r.Header.Get("Location") != "/api/v1/bulk-actions/"+b.ID {
		s.T.Fatalf("bulk action: %s", r.Body)
	}
	return b
}

// WaitBulk polls bulk action id as token until it is over.
func (s *Stack) WaitBulk(token, id string, limit time.Duration) BulkResult {
	s.T.Helper()
	var b BulkResult
	s.WaitFor(limit, "the bulk action "+id, func() bool {
		s.Expect(s.Do("GET", "/api/v1/bulk-actions/"+id, token, ""), 200).JSON(s.T, &b)
		if b.Done > b.Total {
			s.T.Fatalf("progress %d of %d", b.Done, b.Total)
		}
		return b.Status != store.BulkRunning
	})
	return b
}

// Bulk runs a bulk action as subject sub (a close of one lead that does
// not exist: refused) and returns its id once it is over.
func (w *World) Bulk(sub int) string {
	b := w.StartBulk(w.Tokens[sub], "", `{"action":"close","lead_ids":["`+missingLead+`"]}`)
	return w.WaitBulk(w.Tokens[sub], b.ID, time.Minute).ID
}

// missingLead is the id of no lead.
const missingLead = "00000000-0000-4000-8000-000000000001"
