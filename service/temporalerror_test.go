package service

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/leadflow/leadflow/lead"
)

// TestTemporalErrorTimeouts: every way the SDK says a call outlived its
// deadline is a 503 (unavailable), not a 500; the reliability test
// TestTemporalRestartedWhileTimersPending found the update's own error type
// answered 500 while the Temporal server was down.
func TestTemporalErrorTimeouts(t *testing.T) {
	for _, err := range []error{
		context.DeadlineExceeded,
		fmt.Errorf("start: %w", context.Canceled),
		client.NewWorkflowUpdateServiceTimeoutOrCanceledError(errors.New("context deadline exceeded")), // the text seen, whatever the cause
		serviceerror.NewDeadlineExceeded("deadline"),
		serviceerror.NewCanceled("canceled"),
		serviceerror.NewUnavailable("down"),
		// TestWorkerKilledDuringBurst: an update-with-start while the workflow's task had failed.
		fmt.Errorf("failed workflow update: %w",
			serviceerror.NewWorkflowNotReady("Unable to perform workflow execution update due to Workflow Task in failed state.")),
	} {
		if got := lead.ErrorCode(TemporalError(err)); got != lead.CodeUnavailable {
			t.Errorf("%v (%T): code %q, want %q", err, err, got, lead.CodeUnavailable)
		}
	}
	if got := lead.ErrorCode(TemporalError(errors.New("boom"))); got == lead.CodeUnavailable {
		t.Errorf("an unknown error is not unavailable")
	}
}
