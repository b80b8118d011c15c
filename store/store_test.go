package store_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

func newUser(t *testing.T, db *store.DB, role lead.Role, capacity, daily int) lead.User {
	t.Helper()
	id := uuid.NewString()
	u, err := db.CreateUser(context.Background(), lead.User{ID: id, Name: "U " + id[:8], Email: id[:8] + "@example.com",
		Role: role, Capacity: capacity, DailyClaimLimit: daily, Active: true}, []byte(id))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// pooledLead stores a lead and puts it in the default pool.
func pooledLead(t *testing.T, db *store.DB, company, ip string) lead.Lead {
	t.Helper()
	ctx := context.Background()
	in := lead.Input{Contact: lead.Contact{Company: company, Phone: "+8613800138000"}, Source: lead.SourceWeb, IP: ip}
	if err := in.Clean(); err != nil {
		t.Fatal(err)
	}
	l, err := db.InsertReceived(ctx, in.NewLead(uuid.NewString()))
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.ApplyIntake(ctx, l.ID, lead.IntakePlan{PoolID: lead.DefaultPoolID,
		Routed: lead.Event{Type: lead.EventPooled, RuleKind: "routing", RuleVersion: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return res.Lead
}

func TestMigrationsSeedTheDefaults(t *testing.T) {
	db := testenv.Store(t)
	set, err := db.ActiveRuleSet(context.Background(), "validation")
	if err != nil || set.Version != 1 || len(set.Body) == 0 {
		t.Fatalf("active validation rules: %+v %v", set, err)
	}
	// Migrating again is a no-op.
	if v, err := store.Migrate(context.Background(), testenv.DatabaseURL(t)); err != nil || v < 1 {
		t.Fatalf("migrate: %d %v", v, err)
	}
}

func TestInsertAndIntakeAreIdempotent(t *testing.T) {
	db := testenv.Store(t)
	ctx := context.Background()
	l := pooledLead(t, db, "Acme Trading", "")
	again, err := db.InsertReceived(ctx, lead.Lead{ID: l.ID, Contact: lead.Contact{Company: "Other Name", Phone: "1"}, Source: "api"})
	if err != nil || again.Company != "Acme Trading" || again.Status != lead.StatusPooled {
		t.Fatalf("re-insert changed the lead: %+v %v", again, err)
	}
	res, err := db.ApplyIntake(ctx, l.ID, lead.IntakePlan{Reject: true, Validated: lead.Event{Type: lead.EventRejected}})
	if err != nil || res.Status != lead.StatusPooled || res.Outcome != lead.OutcomePooled {
		t.Fatalf("a second intake decision was applied: %+v %v", again, err)
	}
	events, _, err := db.Events(ctx, l.ID, 50, "")
	if err != nil || len(events) != 2 {
		t.Fatalf("events: %+v %v", events, err)
	}
}

// TestClaimCapacityUnderConcurrency: 20 concurrent claims by a rep with
// capacity 5 give exactly 5 assignments.
func TestClaimCapacityUnderConcurrency(t *testing.T) {
	db := testenv.Store(t)
	rep := newUser(t, db, lead.RoleRep, 5, 100)
	leads := make([]lead.Lead, 20)
	for i := range leads {
		leads[i] = pooledLead(t, db, fmt.Sprintf("Company Number %d", i), "")
	}
	var wg sync.WaitGroup
	results := make([]error, len(leads))
	for i, l := range leads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, results[i] = db.Claim(context.Background(), lead.Claim{LeadID: l.ID, RepID: rep.ID, RequestID: "claim-" + l.ID}, nil)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range results {
		switch {
		case err == nil:
			ok++
		case lead.ErrorCode(err) != lead.CodeConflict:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 5 {
		t.Fatalf("%d claims succeeded, want 5", ok)
	}
	var held int
	mine, _, err := db.Leads(context.Background(), store.LeadFilter{OwnerID: rep.ID, Status: "assigned", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	held = len(mine)
	if held != 5 {
		t.Fatalf("rep holds %d leads", held)
	}
}

func TestClaimDailyLimitAndIdempotency(t *testing.T) {
	db := testenv.Store(t)
	ctx := context.Background()
	rep := newUser(t, db, lead.RoleRep, 10, 2)
	var ids []string
	for i := 0; i < 3; i++ {
		ids = append(ids, pooledLead(t, db, fmt.Sprintf("Daily Company %d", i), "").ID)
	}
	for _, id := range ids[:2] {
		if _, err := db.Claim(ctx, lead.Claim{LeadID: id, RepID: rep.ID, RequestID: "r-" + id}, nil); err != nil {
			t.Fatal(err)
		}
	}
	// Retrying a claim that succeeded is not a second claim.
	if l, err := db.Claim(ctx, lead.Claim{LeadID: ids[0], RepID: rep.ID, RequestID: "r-" + ids[0]}, nil); err != nil || l.OwnerID != rep.ID {
		t.Fatalf("retried claim: %+v %v", l, err)
	}
	_, err := db.Claim(ctx, lead.Claim{LeadID: ids[2], RepID: rep.ID, RequestID: "r-" + ids[2]}, nil)
	e, ok := err.(*lead.Error)
	if !ok || e.Code != lead.CodeConflict || len(e.Reasons) != 1 || e.Reasons[0] != "daily claim limit reached: 2 of 2 claims today" {
		t.Fatalf("third claim: %v", err)
	}
}

func TestIPCompanies(t *testing.T) {
	db := testenv.Store(t)
	ctx := context.Background()
	pooledLead(t, db, "First Company Ltd", "203.0.113.7")
	pooledLead(t, db, "FIRST COMPANY", "203.0.113.7") // the same company, normalised
	pooledLead(t, db, "Second Company", "203.0.113.7")
	pooledLead(t, db, "Elsewhere Company", "198.51.100.1")
	me := pooledLead(t, db, "Third Company", "203.0.113.7")
	first := pooledLead(t, db, "Zeroth Company", "")
	got, err := db.IPCompanies(ctx, []string{me.ID, first.ID}, map[string]time.Duration{"10m": 10 * time.Minute, "1ns": time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	if got[me.ID]["10m"] != 2 || got[me.ID]["1ns"] != 0 {
		t.Fatalf("ip companies: %v", got)
	}
	if got[first.ID]["10m"] != 0 {
		t.Fatalf("a lead without an IP counts nothing: %v", got)
	}
}

func TestLeadFiltersAndPaging(t *testing.T) {
	db := testenv.Store(t)
	ctx := context.Background()
	for i := 0; i < 7; i++ {
		pooledLead(t, db, fmt.Sprintf("Paging Company %d", i), "")
	}
	pooledLead(t, db, "Unrelated 100% Co_op", "")
	seen := map[string]bool{}
	cursor := ""
	for pages := 0; ; pages++ {
		items, next, err := db.Leads(ctx, store.LeadFilter{Company: "paging", Limit: 3, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range items {
			if seen[l.ID] {
				t.Fatalf("lead %s on two pages", l.ID)
			}
			seen[l.ID] = true
		}
		if next == "" {
			break
		}
		cursor = next
		if pages > 5 {
			t.Fatal("paging does not end")
		}
	}
	if len(seen) != 7 {
		t.Fatalf("paged through %d leads, want 7", len(seen))
	}
	// LIKE metacharacters in a filter are literal.
	items, _, err := db.Leads(ctx, store.LeadFilter{Company: "100%", Limit: 10})
	if err != nil || len(items) != 1 {
		t.Fatalf("literal %%: %d %v", len(items), err)
	}
	items, _, err = db.Leads(ctx, store.LeadFilter{Company: "d_1", Limit: 10})
	if err != nil || len(items) != 0 {
		t.Fatalf("literal _: %d %v", len(items), err)
	}
}
