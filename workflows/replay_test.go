package workflows

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// TestReplay replays recorded LeadWorkflow histories: a change to the
// workflow that alters its command sequence without workflow.GetVersion
// fails here. Record a new history with
// `go test ./api -run 'TestLeadSlice$|TestNoFollowUpReclaim$|TestIntakeHistoryEvents$|TestImportRows$|TestAssignEmailsTheRep$' -record-history`.
// The files named *_rev0.json were recorded before LeadInput.Revision (with
// search attributes and GetVersion markers): keep them, they are the
// histories of leads started by older code.
func TestReplay(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded histories in testdata: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(LeadWorkflow, workflow.RegisterOptions{Name: LeadWorkflowName})
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Fatalf("replay %s: %v", f, err)
			}
		})
	}
}
