package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"
)

// PolicyPageSize is how many leads one SignalPolicyPage activity signals.
const PolicyPageSize = 500

// PolicyPagesPerRun is how many pages one run of PolicyChangeWorkflow
// signals before it continues as new (about six history events a page).
const PolicyPagesPerRun = 40

// PolicyChangeInput starts (or continues) the fan-out of a pool's policy:
// the live leads after Cursor remain to be signalled.
type PolicyChangeInput struct {
	PoolID  string `json:"pool_id"`
	Version int64  `json:"version"` // the pool's revision that changed the policy
	Cursor  string `json:"cursor,omitempty"`
	// Signalled counts the leads signalled by the earlier runs.
	Signalled int `json:"signalled,omitempty"`
}

// policyPageOptions are those of SignalPolicyPage: it heartbeats, and is
// retried like the other bulk steps.
var policyPageOptions = workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Minute, HeartbeatTimeout: time.Minute, RetryPolicy: bulkRetry}

// PolicyPageInput is the payload of the SignalPolicyPage activity.
type PolicyPageInput struct {
	PoolID string `json:"pool_id"`
	Cursor string `json:"cursor,omitempty"`
	Limit  int    `json:"limit"`
}

// PolicyPageResult says how many leads of a page were signalled and where
// the next page starts ("" after the last).
type PolicyPageResult struct {
	Signalled int    `json:"signalled"`
	Next      string `json:"next,omitempty"`
}

// PolicyChangeWorkflow tells every live lead of a pool about the pool's
// policy, page by page: each SignalPolicyPage activity reads a page of
// live leads with the policy as it is then, and signals their workflows
// (PolicySignal). It continues as new every PolicyPagesPerRun pages. Its
// ID is PolicyChangeWorkflowID; a retried activity signals the page again,
// which the leads ignore (same revision). It returns how many leads it
// signalled; a pool deleted meanwhile ends it.
func PolicyChangeWorkflow(ctx workflow.Context, in PolicyChangeInput) (int, error) {
	actx := workflow.WithActivityOptions(ctx, policyPageOptions)
	for pages := 0; ; pages++ {
		if pages == PolicyPagesPerRun {
			return in.Signalled, workflow.NewContinueAsNewError(ctx, PolicyChangeWorkflow, in)
		}
		var out PolicyPageResult
		err := workflow.ExecuteActivity(actx, ActivitySignalPolicy, PolicyPageInput{PoolID: in.PoolID, Cursor: in.Cursor, Limit: PolicyPageSize}).Get(ctx, &out)
		if err != nil {
			if DomainError(err) != nil {
				workflow.GetLogger(ctx).Warn("policy fan-out stopped", "pool", in.PoolID, "error", err)
				return in.Signalled, nil
			}
			return in.Signalled, err
		}
		in.Signalled += out.Signalled
		if out.Next == "" {
			return in.Signalled, nil
		}
		in.Cursor = out.Next
	}
}
