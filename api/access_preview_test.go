package api_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/api"
	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/server"
)

// TestPreviewShowsOnlyWhatTheCallerReads: the rules preview replays a
// draft over the leads its caller may read (the list's view), each as the
// caller sees it. A conversion draft that maps a lead's contact details
// into the customer shows manager X the leads of pool X and not those of
// pool Y (and the reverse), never a registrant IP to a manager, and its
// error samples name no lead the caller cannot read. Reps may not preview;
// a deactivated rep and nobody are not signed in. Every subject of the
// matrix is asked.
func TestPreviewShowsOnlyWhatTheCallerReads(t *testing.T) {
	w := apptest.NewWorld(t)
	w.App = server.New(server.Config{Store: w.DB, Temporal: w.TC, UpdateTimeout: 20 * time.Second, MinPolicyDuration: time.Second,
		TrustedProxies: []string{"0.0.0.0/0", "::/0"}})
	register := func(company, phone, email, ip, pool string) lead.Lead {
		w.Expect(w.Register("/api/v1/register", ip, fmt.Sprintf(`{"company":%q,"phone":%q,"email":%q,"country":"CN"}`, company, phone, email)), 202)
		got := w.LeadsOf("company=" + url.QueryEscape(company))
		if len(got) != 1 || got[0].IP != ip {
			t.Fatalf("registered %s: %+v", company, got)
		}
		w.Expect(w.Do("POST", "/api/v1/leads/"+got[0].ID+"/transfer", w.Admin, fmt.Sprintf(`{"pool_id":%q}`, pool)), 200)
		return got[0]
	}
	inA := register("Pool X Secrets Ltd", "13800138551", "alpha@x.example", "198.51.100.51", w.PoolA)
	inB := register("Pool Y Secrets Ltd", "13800138552", "beta@y.example", "198.51.100.52", w.PoolB)
	deactivatedID, deactivated := w.CreateRep("Dee", 5)
	w.Expect(w.Do("PATCH", "/api/v1/users/"+deactivatedID, w.Admin, `{"active":false}`), 200)

	leak := `{"rules":{"mapping":{"customer.name":"lead.company + '|' + lead.phone + '|' + lead.email + '|' + lead.ip"}},"limit":10000}`
	failing := `{"rules":{"mapping":{"customer.name":"lead.company","customer.n":"int(lead.company)"}},"limit":10000}`
	type view struct{ a, b, ip bool }
	want := map[int]view{apptest.SubAdmin: {true, true, true}, apptest.SubMgr: {true, false, false}, apptest.SubOtherMgr: {false, true, false}}
	for sub := range apptest.Subjects {
		t.Run(apptest.SubjectNames[sub], func(t *testing.T) {
			r := w.Do("POST", "/api/v1/rules/conversion/preview", w.Tokens[sub], leak)
			v, staff := want[sub]
			if !staff {
				w.Expect(r, 403)
				return
			}
			w.Expect(r, 200)
			body := string(r.Body)
			for _, c := range []struct {
				lead lead.Lead
				want bool
			}{{inA, v.a}, {inB, v.b}} {
				for _, s := range []string{c.lead.ID, c.lead.Phone, c.lead.Email} {
					if strings.Contains(body, s) != c.want {
						t.Errorf("%s: the preview shows %q: %v, want %v", apptest.SubjectNames[sub], s, !c.want, c.want)
					}
				}
				if c.want && strings.Contains(body, c.lead.IP) != v.ip {
					t.Errorf("%s: the preview shows the registrant IP %s: %v, want %v", apptest.SubjectNames[sub], c.lead.IP, !v.ip, v.ip)
				}
			}
			var res api.PreviewResult
			w.Expect(w.Do("POST", "/api/v1/rules/conversion/preview", w.Tokens[sub], failing), 200).JSON(t, &res)
			if res.Errors == 0 || len(res.ErrorSamples) == 0 {
				t.Fatalf("the failing draft: %+v", res)
			}
			samples := strings.Join(res.ErrorSamples, "\n")
			if strings.Contains(samples, inA.ID) != v.a || strings.Contains(samples, inB.ID) != v.b {
				t.Errorf("%s: error samples %s", apptest.SubjectNames[sub], samples)
			}
		})
	}
	w.Expect(w.Do("POST", "/api/v1/rules/conversion/preview", deactivated, leak), 401)
	w.Expect(w.Do("POST", "/api/v1/rules/conversion/preview", "", leak), 401)
}

// TestPreviewHasOneBudget: a draft that costs the most a lead may cost
// cannot make a preview run long: the whole preview stops at its budget
// and answers what it judged, marked partial; and a user runs one preview
// at a time (a second meanwhile is 429 with Retry-After).
func TestPreviewHasOneBudget(t *testing.T) {
	s := apptest.NewStack(t)
	s.App = server.New(server.Config{Store: s.DB, Temporal: s.TC, UpdateTimeout: 20 * time.Second, MinPolicyDuration: time.Second,
		PreviewBudget: 1500 * time.Millisecond})
	for i := range 12 {
		s.CreateLead(fmt.Sprintf(`{"company":"Budget Trading %d","phone":"138001386%02d","country":"CN"}`, i, i))
	}
	var heavy []map[string]any
	for i := range 200 {
		heavy = append(heavy, map[string]any{"name": fmt.Sprintf("r%d", i), "when": "all(1..99999, {# + len(lead.company) > 0}) == false", "points": 1})
	}
	body, _ := json.Marshal(map[string]any{"rules": map[string]any{"rules": heavy}, "limit": 10000})

	var first apptest.Response
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		first = s.Do("POST", "/api/v1/rules/scoring/preview", s.Admin, string(body))
	}()
	// While the first runs, a second of the same user is refused.
	refused := false
	small := `{"rules":{"rules":[{"name":"a","when":"true","points":1}]},"limit":1}`
	for running := true; running && !refused; {
		select {
		case <-finished:
			running = false
		case <-time.After(20 * time.Millisecond):
			r := s.Do("POST", "/api/v1/rules/scoring/preview", s.Admin, small)
			switch r.Status {
			case 429:
				refused = r.Header.Get("Retry-After") != "" && r.Problem(t).Code == "rate_limited"
			case 200: // the first has not begun yet
			default:
				t.Fatalf("a second preview: %d %s", r.Status, r.Body)
			}
		}
	}
	<-finished
	if !refused {
		t.Errorf("a second preview of the same user ran while the first did")
	}
	s.Expect(first, 200)
	var res api.PreviewResult
	first.JSON(t, &res)
	if !res.Partial || !strings.Contains(res.PartialReason, "budget") || res.Sample >= 12 {
		t.Fatalf("the heavy preview: partial %v (%q), %d of 12 judged", res.Partial, res.PartialReason, res.Sample)
	}
	// Once it answered, the user may preview again.
	s.Expect(s.Do("POST", "/api/v1/rules/scoring/preview", s.Admin, small), 200)
}
