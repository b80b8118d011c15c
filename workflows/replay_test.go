package workflows

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/leadflow/leadflow/lead"
)

// TestReplay replays every recorded history in testdata/<workflow type>/
// against the current code, each with every workflow of Definitions
// registered as the worker registers them: a change that alters a
// workflow's command sequence without workflow.GetVersion fails here with
// the history file's name. Every workflow type the worker runs needs at
// least one history.
//
// Record them again (new files beside the old ones, which stay: they are
// the histories of executions started by older code, e.g. the *_rev0.json
// leads from before LeadInput.Revision) with the tests that call
// apptest.RecordHistory, e.g.
// `go test -p 1 ./api -run 'TestLeadSlice$|TestWebhookDelivery$' -record-history`
// (docs/upgrading.md lists them all).
func TestReplay(t *testing.T) {
	for _, d := range Definitions() {
		files, err := filepath.Glob(filepath.Join("testdata", d.Name, "*.json"))
		if err != nil || len(files) == 0 {
			t.Errorf("%s: no recorded history in testdata/%s (%v): record one with apptest.RecordHistory", d.Name, d.Name, err)
		}
		for _, f := range files {
			t.Run(d.Name+"/"+filepath.Base(f), func(t *testing.T) {
				if err := replay(f); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
	// A directory of a type no longer registered holds histories nothing replays.
	known := map[string]bool{}
	for _, d := range Definitions() {
		known[d.Name] = true
	}
	dirs, _ := os.ReadDir("testdata")
	for _, e := range dirs {
		if e.IsDir() && !known[e.Name()] {
			t.Errorf("testdata/%s: no registered workflow of that type replays its histories", e.Name())
		}
	}
}

// replay replays the JSON history in file with every workflow registered;
// its error names the file.
func replay(file string) error {
	r := worker.NewWorkflowReplayer()
	for _, d := range Definitions() {
		r.RegisterWorkflowWithOptions(d.Func, workflow.RegisterOptions{Name: d.Name, VersioningBehavior: d.Versioning})
	}
	if err := r.ReplayWorkflowHistoryFromJSONFile(nil, file); err != nil {
		return fmt.Errorf("replay of the recorded history %s against the current code: %w", file, err)
	}
	return nil
}

// TestReplayNamesTheHistory: a history the code no longer follows (here
// its first activity renamed, as if the code had changed it without
// workflow.GetVersion) fails the replay with the file's name.
func TestReplayNamesTheHistory(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", LeadWorkflowName, "*.json"))
	if len(files) == 0 {
		t.Fatal("no lead history")
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	act := regexp.MustCompile(`("activityType":\s*\{\s*"name":\s*)"[^"]+"`)
	loc := act.FindSubmatchIndex(b)
	if loc == nil {
		t.Fatalf("%s: no activity in it", files[0])
	}
	changed := append(append(append([]byte{}, b[:loc[3]]...), `"RemovedActivity"`...), b[loc[1]:]...)
	bad := filepath.Join(t.TempDir(), "changed_lead.json")
	if err := os.WriteFile(bad, changed, 0o644); err != nil {
		t.Fatal(err)
	}
	err = replay(bad)
	if err == nil || !strings.Contains(err.Error(), "changed_lead.json") {
		t.Fatalf("a history with another activity replayed: %v", err)
	}
	t.Log(err)
}

// TestLeadInputRevisionIsFrozen: the API writes LeadInput.Revision into a
// new lead's workflow input, so it may never change: a revision the API
// chose would make the lead's code path depend on which API release started
// it, and an old worker running a lead started by a new API would record
// commands the new workers could not replay (the order dependency
// docs/upgrading.md rules out). A change to the commands branches on
// workflow.GetVersion, which the worker running the workflow records.
func TestLeadInputRevisionIsFrozen(t *testing.T) {
	if in := NewLeadInput(lead.Lead{ID: "x"}); in.Revision != 1 || LeadRevision != 1 {
		t.Fatalf("a new lead's input has revision %d (LeadRevision %d): it is frozen at 1; branch new commands on workflow.GetVersion",
			in.Revision, LeadRevision)
	}
}
