// Package worker builds and runs leadflow's Temporal worker: it registers the
// workflows and the activities with their dependencies, and makes sure the
// namespace knows the search attributes the workflows set.
package worker

import (
	"context"
	"fmt"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/leadflow/leadflow/activities"
	"github.com/leadflow/leadflow/workflows"
)

// New returns a worker on workflows.TaskQueue with every workflow and
// activity registered, polling and running tasks as t says; Start and Run
// build theirs with it.
func New(c client.Client, acts *activities.Activities, t Tuning) sdkworker.Worker {
	setWorkflowCache(t.WorkflowCache)
	opts := t.options()
	if acts != nil && acts.Metrics != nil {
		opts.Interceptors = append(opts.Interceptors, &countTransitions{m: acts.Metrics})
	}
	w := sdkworker.New(c, workflows.TaskQueue, opts)
	Register(w, acts)
	if acts != nil {
		// Imports start lead workflows: their activities need the client.
		w.RegisterActivity(activities.NewBulk(acts.Store, c, acts.Log, acts))
	}
	return w
}

// Register registers leadflow's workflows and activities on any registry
// (a worker, a replayer or a test environment).
func Register(r interface {
	RegisterWorkflowWithOptions(any, workflow.RegisterOptions)
	RegisterActivity(any)
}, acts *activities.Activities) {
	r.RegisterWorkflowWithOptions(workflows.LeadWorkflow, workflow.RegisterOptions{Name: workflows.LeadWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.DigestWorkflow, workflow.RegisterOptions{Name: workflows.DigestWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.ImportWorkflow, workflow.RegisterOptions{Name: workflows.ImportWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.ExportWorkflow, workflow.RegisterOptions{Name: workflows.ExportWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.PolicyChangeWorkflow, workflow.RegisterOptions{Name: workflows.PolicyChangeWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.WebhookWorkflow, workflow.RegisterOptions{Name: workflows.WebhookWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.FacebookLeadWorkflow, workflow.RegisterOptions{Name: workflows.FacebookLeadWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.MessageWorkflow, workflow.RegisterOptions{Name: workflows.MessageWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.ReplyNoticeWorkflow, workflow.RegisterOptions{Name: workflows.ReplyNoticeWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.CampaignWorkflow, workflow.RegisterOptions{Name: workflows.CampaignWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.CRMWorkflow, workflow.RegisterOptions{Name: workflows.CRMWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.BulkWorkflow, workflow.RegisterOptions{Name: workflows.BulkWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.SequenceWorkflow, workflow.RegisterOptions{Name: workflows.SequenceWorkflowName})
	if acts != nil {
		r.RegisterActivity(acts)
	}
}

// EnsureSearchAttributes registers the custom search attributes the
// workflows upsert (LeadStatus, OwnerId, PoolId) when the namespace lacks them.
func EnsureSearchAttributes(ctx context.Context, c client.Client, namespace string) error {
	want := map[string]enums.IndexedValueType{}
	for _, k := range []string{workflows.LeadStatusKey.GetName(), workflows.OwnerIDKey.GetName(), workflows.PoolIDKey.GetName()} {
		want[k] = enums.INDEXED_VALUE_TYPE_KEYWORD
	}
	have, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("list search attributes: %w", err)
	}
	for name := range have.GetCustomAttributes() {
		delete(want, name)
	}
	if len(want) == 0 {
		return nil
	}
	_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: namespace, SearchAttributes: want,
	})
	if err != nil {
		return fmt.Errorf("add search attributes %v: %w", want, err)
	}
	return nil
}
