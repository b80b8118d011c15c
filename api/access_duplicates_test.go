package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// TestDuplicatesAcrossTeams: de-duplication is no oracle into other
// teams' leads and writes nothing into them. Manager X, importing into or
// creating in pool X a lead that duplicates a lead of pool Y, learns only
// that "a live lead" has the same key (never its id), whatever the policy;
// a merge into it becomes a refusal, so its history gains nothing. A rep
// of pool X who sees a pooled duplicate there (but may not act on it) is
// told which lead it is, and it is not merged into either.
func TestDuplicatesAcrossTeams(t *testing.T) {
	w := apptest.NewWorld(t)
	theirs := w.NewLead()
	w.Expect(w.Do("POST", "/api/v1/leads/"+theirs.ID+"/transfer", w.Admin, fmt.Sprintf(`{"pool_id":%q}`, w.PoolB)), 200)
	mgr := w.Tokens[apptest.SubMgr]
	history := func(id string) string {
		return string(w.Expect(w.Do("GET", "/api/v1/leads/"+id+"/history", w.Admin, ""), 200).Body)
	}
	before := history(theirs.ID)

	for _, c := range []struct {
		policy                    string
		created, merged, rejected int
		outcome                   string
	}{
		{"reject", 0, 0, 1, "rejected"},
		{"merge", 0, 0, 1, "rejected"},
		{"warn", 1, 0, 0, "warning"},
	} {
		data := []byte(fmt.Sprintf("company,phone,country,notes\n%q,%s,CN,%s\n", theirs.Company, theirs.Phone, c.policy))
		var im store.Import
		w.Expect(w.Upload("/api/v1/imports", mgr, c.policy+".csv", data, "pool_id", w.PoolA, "duplicate_policy", c.policy), 202).JSON(t, &im)
		im = w.WaitImport(im.ID, time.Minute)
		if im.Created != c.created || im.Merged != c.merged || im.Rejected != c.rejected || im.Failed != 0 {
			t.Fatalf("%s: %+v", c.policy, im)
		}
		_, rows := w.ErrorRows(im.ID)
		if r := rows["2"]; len(rows) != 1 || r[1] != c.outcome || !strings.Contains(r[2], lead.DuplicateUnnamed) || strings.Contains(strings.Join(r, ","), theirs.ID) {
			t.Fatalf("%s: the import report names the other team's lead, or says nothing: %q", c.policy, rows)
		}
	}
	// The warned lead is manager X's: neither it nor the list names theirs.
	var page struct{ Items []lead.Lead }
	w.Expect(w.Do("GET", "/api/v1/leads?pool_id="+w.PoolA+"&limit=500", mgr, ""), 200).JSON(t, &page)
	for _, l := range page.Items {
		if l.DuplicateOf == theirs.ID {
			t.Fatalf("the list names the other team's lead: %+v", l)
		}
		if l.Company == theirs.Company {
			if r := w.Expect(w.Do("GET", "/api/v1/leads/"+l.ID, mgr, ""), 200); strings.Contains(string(r.Body), theirs.ID) {
				t.Fatalf("the lead names the other team's lead: %s", r.Body)
			}
		}
	}

	// Creates through the API: the same, for each policy.
	body := func(policy string) string {
		return fmt.Sprintf(`{"company":%q,"phone":%q,"country":"CN","duplicate_policy":%q}`, theirs.Company, theirs.Phone, policy)
	}
	for policy, c := range map[string]struct {
		status int
		why    string
	}{"merge": {409, "you may not edit that lead"}, "reject": {409, "policy of this source is reject"}, "warn": {201, ""}} {
		r := w.Expect(w.Do("POST", "/api/v1/leads", mgr, body(policy)), c.status)
		if strings.Contains(string(r.Body), theirs.ID) || !strings.Contains(string(r.Body), "a live lead") || !strings.Contains(string(r.Body), c.why) {
			t.Fatalf("create with %s: %s", policy, r.Body)
		}
	}
	if after := history(theirs.ID); after != before {
		t.Fatalf("the other team's lead gained history:\nbefore %s\nafter  %s", before, after)
	}

	// A rep sees the pooled leads of pool A but may not act on them: the
	// duplicate is named, and refused rather than merged.
	ours := w.Pooled()
	ourHistory := history(ours.ID)
	r := w.Expect(w.Do("POST", "/api/v1/leads", w.Tokens[apptest.SubMember],
		fmt.Sprintf(`{"company":%q,"phone":%q,"country":"CN","duplicate_policy":"merge"}`, ours.Company, ours.Phone)), 409)
	if !strings.Contains(string(r.Body), ours.ID) {
		t.Fatalf("the duplicate the rep can see is not named: %s", r.Body)
	}
	if history(ours.ID) != ourHistory {
		t.Fatalf("a rep's create merged into a lead they may not act on")
	}
	// The admin, who may act on every lead, merges as the policy says.
	w.Expect(w.Do("POST", "/api/v1/leads", w.Admin, body("merge")), 200)
	if !strings.Contains(history(theirs.ID), "registered_again") {
		t.Fatalf("the admin's merge was not recorded: %s", history(theirs.ID))
	}
}
