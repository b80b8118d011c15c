package worker

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/leadflow/leadflow/workflows"
)

// EnsureDigestSchedule creates the schedule that runs the daily digest
// (workflows.DigestWorkflow at workflows.DigestCron, UTC) unless it exists;
// every worker calls it at start (Start), so it is idempotent. An existing
// schedule keeps its state (an operator may have paused it); only a spec
// other than DigestCron (07:00 UTC, before the digest went out in each
// recipient's zone) is brought to it.
func EnsureDigestSchedule(ctx context.Context, c client.Client) error {
	spec := client.ScheduleSpec{CronExpressions: []string{workflows.DigestCron}}
	_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:            workflows.DigestScheduleID,
		Spec:          spec,
		Overlap:       enums.SCHEDULE_OVERLAP_POLICY_SKIP,
		CatchupWindow: 6 * time.Hour,
		Note:          "leadflow: e-mails each rep the follow-ups due today",
		Action: &client.ScheduleWorkflowAction{
			ID:        "digest",
			Workflow:  workflows.DigestWorkflowName,
			TaskQueue: workflows.TaskQueue,
		},
	})
	if errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		err = c.ScheduleClient().GetHandle(ctx, workflows.DigestScheduleID).Update(ctx, client.ScheduleUpdateOptions{
			DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
				s := in.Description.Schedule
				if s.Spec != nil && slices.Equal(s.Spec.CronExpressions, spec.CronExpressions) {
					return nil, temporal.ErrSkipScheduleUpdate
				}
				s.Spec = &spec
				return &client.ScheduleUpdate{Schedule: &s}, nil
			},
		})
	}
	if err != nil {
		return fmt.Errorf("create the daily digest schedule: %w", err)
	}
	return nil
}
