package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/leadflow/leadflow/lead"
)

// The daily digest: a Temporal schedule (DigestScheduleID, created by the
// worker at start) runs DigestWorkflow every lead.DigestEvery; each run
// e-mails the users whose 07:00 (lead.DigestHour in their zone) falls in
// its slot the follow-ups due by the end of their day.
const (
	DigestScheduleID = "leadflow-daily-digest"
	// DigestCron is when the digest's slots start: every 15 minutes
	// (lead.DigestEvery), so 07:00 in every zone starts one.
	DigestCron = "*/15 * * * *"
)

// scheduledStart is the search attribute a schedule sets on the runs it starts.
var scheduledStart = temporal.NewSearchAttributeKeyTime("TemporalScheduledStartTime")

// DigestWorkflow sends the digests of the slot it was scheduled for (the
// slot it runs in when started by hand): to the users whose digest hour it
// holds (activities' SendDigests), and returns how many. Each user's
// e-mail is keyed by user and local day, so a retried or repeated run
// sends a user one digest a day.
func DigestWorkflow(ctx workflow.Context) (int, error) {
	at := workflow.Now(ctx)
	if t, ok := workflow.GetTypedSearchAttributes(ctx).GetTime(scheduledStart); ok && !t.IsZero() {
		at = t
	}
	slot := at.UTC().Truncate(lead.DigestEvery).Format(time.RFC3339)
	opts := emailOptions
	opts.StartToCloseTimeout = time.Hour
	opts.HeartbeatTimeout = 2 * time.Minute
	var n int
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, opts), ActivitySendDigests, slot).Get(ctx, &n)
	return n, err
}
