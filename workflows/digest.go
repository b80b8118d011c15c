package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// The daily digest: a Temporal schedule (DigestScheduleID, created by the
// worker at start) runs DigestWorkflow every morning; it e-mails each rep
// the follow-ups due by the end of the day.
const (
	DigestScheduleID = "leadflow-daily-digest"
	// DigestCron is when the digest goes out: 07:00 UTC every day.
	DigestCron = "0 7 * * *"
)

// scheduledStart is the search attribute a schedule sets on the runs it starts.
var scheduledStart = temporal.NewSearchAttributeKeyTime("TemporalScheduledStartTime")

// DigestWorkflow sends the daily digests of the day it was scheduled for
// (the day it runs when started by hand) and returns how many reps had
// follow-ups due. Each rep's e-mail is keyed by rep and day, so a retried
// or repeated run sends a rep one digest a day.
func DigestWorkflow(ctx workflow.Context) (int, error) {
	at := workflow.Now(ctx)
	if t, ok := workflow.GetTypedSearchAttributes(ctx).GetTime(scheduledStart); ok && !t.IsZero() {
		at = t
	}
	day := at.UTC().Format(time.DateOnly)
	opts := emailOptions
	opts.StartToCloseTimeout = time.Hour
	opts.HeartbeatTimeout = 2 * time.Minute
	var n int
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, opts), ActivitySendDigests, day).Get(ctx, &n)
	return n, err
}
