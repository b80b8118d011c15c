package workflows

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/leadflow/leadflow/lead"
)

// ErrLeadFinished is returned by StartLead when the workflow of the lead's
// id ran and finished before (a retry of a request that created it): the
// stored lead holds the outcome.
var ErrLeadFinished = errors.New("the lead's workflow has finished")

// StartLead starts the lead's LeadWorkflow, or finds it running, and waits
// for its intake decision (update-with-start): the lead as intake left it.
func StartLead(ctx context.Context, c client.Client, l lead.Lead) (lead.Lead, error) {
	op := c.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       WorkflowID(l.ID),
		TaskQueue:                TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes:    temporal.NewSearchAttributes(LeadStatusKey.ValueSet(string(lead.StatusReceived))),
	}, LeadWorkflow, l)
	h, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: op,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateID: "intake", UpdateName: UpdateIntake, WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	var out lead.Lead
	if err == nil {
		err = h.Get(ctx, &out)
	}
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	var nf *serviceerror.NotFound
	if errors.As(err, &started) || errors.As(err, &nf) {
		return out, fmt.Errorf("%w: %v", ErrLeadFinished, err)
	}
	return out, err
}
