package worker

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/leadflow/leadflow/workflows"
)

// EnsureDigestSchedule creates the schedule that runs the daily digest
// (workflows.DigestWorkflow at workflows.DigestCron, UTC) unless it exists;
// every worker calls it at start (Start), so it is idempotent. An
// existing schedule is left as it is (an operator may have paused it).
func EnsureDigestSchedule(ctx context.Context, c client.Client) error {
	_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:            workflows.DigestScheduleID,
		Spec:          client.ScheduleSpec{CronExpressions: []string{workflows.DigestCron}},
		Overlap:       enums.SCHEDULE_OVERLAP_POLICY_SKIP,
		CatchupWindow: 6 * time.Hour,
		Note:          "leadflow: e-mails each rep the follow-ups due today",
		Action: &client.ScheduleWorkflowAction{
			ID:        "digest",
			Workflow:  workflows.DigestWorkflowName,
			TaskQueue: workflows.TaskQueue,
		},
	})
	if err != nil && !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return fmt.Errorf("create the daily digest schedule: %w", err)
	}
	return nil
}
