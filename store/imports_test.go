package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// TestImportOutcomesCountOnce: a retried batch records each row's outcome
// once and counts it once; the problems list holds the bad rows in order.
func TestImportOutcomesCountOnce(t *testing.T) {
	db := testenv.Store(t)
	ctx := context.Background()
	u := newUser(t, db, lead.RoleAdmin, 10, 10)
	im := store.Import{ID: uuid.NewString(), CreatedBy: u.ID, FileName: "a.csv", Format: "csv", FileSHA256: "abc",
		Headers: []string{"company", "phone"}, Mapping: map[string]string{"company": "company", "phone": "phone"}}
	rows := []store.ImportRow{{Row: 2, Cells: []string{"Acme", "1"}}, {Row: 4, Cells: []string{"", "2"}}, {Row: 5, Cells: []string{"Beta", "3"}}}
	got, created, err := db.CreateImport(ctx, im, rows)
	if err != nil || !created || got.Total != 3 || got.Status != store.JobRunning {
		t.Fatalf("create: %+v %v %v", got, created, err)
	}
	if _, created, err := db.CreateImport(ctx, im, rows); err != nil || created {
		t.Fatalf("second create: %v %v", created, err)
	}
	leadID := uuid.NewString()
	if err := db.StartImportRows(ctx, im.ID, map[int]string{2: leadID}); err != nil {
		t.Fatal(err)
	}
	stored, err := db.ImportRows(ctx, im.ID, 0, 2)
	if err != nil || len(stored) != 2 || stored[0].LeadID != leadID || stored[1].Seq != 1 || stored[1].Row != 4 {
		t.Fatalf("rows %+v %v", stored, err)
	}
	outs := []store.ImportOutcome{
		{Row: 2, LeadID: leadID, Outcome: store.RowCreated, Reason: "created, but it duplicates lead x"},
		{Row: 4, Outcome: store.RowRejected, Reason: "company: is required"},
	}
	for range 2 {
		if err := db.RecordImportOutcomes(ctx, im.ID, outs); err != nil {
			t.Fatal(err)
		}
	}
	// A retry that reaches another outcome does not change a recorded row.
	if err := db.RecordImportOutcomes(ctx, im.ID, []store.ImportOutcome{{Row: 4, Outcome: store.RowFailed}, {Row: 5, Outcome: store.RowMerged}}); err != nil {
		t.Fatal(err)
	}
	got, err = db.Import(ctx, im.ID)
	if err != nil || got.Processed != 3 || got.Created != 1 || got.Warnings != 1 || got.Rejected != 1 || got.Merged != 1 || got.Failed != 0 {
		t.Fatalf("counts %+v %v", got, err)
	}
	var problems []int
	if err := db.ImportProblems(ctx, im.ID, func(r store.ImportRow) error { problems = append(problems, r.Row); return nil }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(problems, []int{2, 4}) {
		t.Fatalf("problems %v", problems)
	}
	if got, err = db.FinishImport(ctx, im.ID, ""); err != nil || got.Status != store.JobCompleted || got.FinishedAt == nil {
		t.Fatalf("finish %+v %v", got, err)
	}
	if again, err := db.FinishImport(ctx, im.ID, "late failure"); err != nil || again.Status != store.JobCompleted || !again.FinishedAt.Equal(*got.FinishedAt) {
		t.Fatalf("finish twice %+v %v", again, err)
	}
	if _, err := db.Import(ctx, "nope"); lead.ErrorCode(err) != lead.CodeNotFound {
		t.Fatalf("bad id: %v", err)
	}
}
