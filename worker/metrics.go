package worker

import (
	"context"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/metrics"
	"github.com/leadflow/leadflow/workflows"
)

// transitionKinds names the lifecycle transition each activity applies:
// every transition of a lead is one of these activities (local or not),
// so counting them where they run counts every transition once per attempt.
var transitionKinds = map[string]string{
	workflows.ActivityIntake:          "intake",
	workflows.ActivityClaim:           "claim",
	workflows.ActivityAssignToInviter: "invite",
	workflows.ActivityAssign:          "assign",
	workflows.ActivityTransfer:        "transfer",
	workflows.ActivityAccept:          "accept",
	workflows.ActivityDecline:         "decline",
	workflows.ActivityReturn:          "return",
	workflows.ActivityReclaim:         "reclaim",
	workflows.ActivityClose:           "close",
	workflows.ActivityReopen:          "reopen",
	workflows.ActivityReadmit:         "readmit",
	workflows.ActivityKeepReviewed:    "keep_reviewed",
	workflows.ActivityRejectReviewed:  "reject_reviewed",
	workflows.ActivityConvert:         "convert",
}

// transitionOutcome is the status the lead ended in, refused for a domain
// refusal, or error for a failure the activity retries.
func transitionOutcome(result any, err error) string {
	switch {
	case err != nil && workflows.DomainError(err) != nil:
		return metrics.OutcomeRefused
	case err != nil:
		return metrics.OutcomeError
	}
	switch r := result.(type) {
	case lead.Lead:
		return string(r.Status)
	case lead.Moved:
		return string(r.Status)
	case lead.IntakeResult:
		return string(r.Status)
	case lead.Converted:
		return string(r.Lead.Status)
	}
	return "ok"
}

// countTransitions is the worker interceptor that counts the transitions
// (metrics.Lifecycle.Transition) as their activities return.
type countTransitions struct {
	interceptor.WorkerInterceptorBase
	m *metrics.Lifecycle
}

func (c *countTransitions) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	a := &countActivity{m: c.m}
	a.Next = next
	return a
}

type countActivity struct {
	interceptor.ActivityInboundInterceptorBase
	m *metrics.Lifecycle
}

func (a *countActivity) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	result, err := a.Next.ExecuteActivity(ctx, in)
	if kind, ok := transitionKinds[activity.GetInfo(ctx).ActivityType.Name]; ok {
		a.m.Transition(kind, transitionOutcome(result, err))
	}
	return result, err
}
