package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

func TestIntakeDeduplicates(t *testing.T) {
	ctx := context.Background()
	url := testenv.DatabaseURL(t)
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	first := pooledLead(t, db, "Dedup Motors Ltd", "")
	// The default policy merges; the first lead's history records it.
	second := pooledLead(t, db, "dedup motors", "")
	if second.Status != lead.StatusMerged || second.MergedInto != first.ID {
		t.Fatalf("second: %+v", second)
	}
	events, _, err := db.Events(ctx, first.ID, 50, "")
	if err != nil || events[len(events)-1].Type != lead.EventRegistered {
		t.Fatalf("first's history: %+v %v", events, err)
	}
	// Warn creates a second live row that names the first.
	in := lead.Input{Contact: lead.Contact{Company: "DEDUP MOTORS, LTD.", Phone: "+8613800138000"}, Source: lead.SourceAPI}
	if err := in.Clean(); err != nil {
		t.Fatal(err)
	}
	l, err := db.InsertReceived(ctx, in.NewLead("0193a000-0000-7000-8000-000000000001"))
	if err != nil {
		t.Fatal(err)
	}
	warned, err := db.ApplyIntake(ctx, l.ID, lead.IntakePlan{PoolID: lead.DefaultPoolID, DuplicatePolicy: lead.DuplicateWarn})
	if err != nil || warned.Status != lead.StatusPooled || warned.DuplicateOf != first.ID || warned.Outcome != lead.OutcomePooled {
		t.Fatalf("warned: %+v %v", warned, err)
	}
	// PostgreSQL itself refuses a second live lead with the same key.
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `UPDATE leads SET duplicate_of = NULL WHERE id = $1`, warned.ID)
	if err == nil || !strings.Contains(err.Error(), "leads_live_dedup_key") {
		t.Fatalf("a second live lead with one dedup key was stored: %v", err)
	}
}
