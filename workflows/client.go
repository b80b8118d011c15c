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

// This file starts the workflows from outside (the API, the import
// activities): the one place their start options are written.

// ErrLeadFinished is returned by StartLead when the workflow of the lead's
// id ran and finished before (a retry of a request that created it): the
// stored lead holds the outcome.
var ErrLeadFinished = errors.New("the lead's workflow has finished")

// StartLead starts the lead's LeadWorkflow, or finds it running, and waits
// for its intake decision (update-with-start).
func StartLead(ctx context.Context, c client.Client, l lead.Lead, opts *lead.IntakeOptions) (lead.IntakeResult, error) {
	in := NewLeadInput(l)
	in.Intake = opts
	op := c.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       WorkflowID(l.ID),
		TaskQueue:                TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes:    leadAttributes(LeadStatusKey.ValueSet(string(lead.StatusReceived))),
	}, LeadWorkflowName, in)
	h, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: op,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateID: "intake", UpdateName: UpdateIntake, WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	var out lead.IntakeResult
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

// Revive sends update name (UpdateReopen, UpdateReadmit) with id updateID
// to the workflow of lead l, which has finished (closed, rejected), and
// returns its result into out: to the running run, if one is still ending,
// else to a new run of the lead's workflow id that starts with the
// finished lead and waits for this update (update-with-start). A retry with
// the same update id reaches the same run while it lives.
func Revive(ctx context.Context, c client.Client, l lead.Lead, updateID, name string, arg, out any) error {
	op := c.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       WorkflowID(l.ID),
		TaskQueue:                TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		TypedSearchAttributes:    leadAttributes(attributeUpdates(l)...),
	}, LeadWorkflowName, NewLeadInput(l))
	h, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: op,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateID: updateID, UpdateName: name, Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	if err != nil {
		return err
	}
	return h.Get(ctx, out)
}

// StartTakenIn starts the LeadWorkflow of a live lead whose intake was
// decided outside it (lead.Lead as the intake left it): a plain start, no
// update, with the lead's search attributes set at once. The workflow
// skips intake, sends the intake's e-mails and runs the lead's timers. A
// lead whose workflow runs or ran already is left as it is.
func StartTakenIn(ctx context.Context, c client.Client, l lead.Lead) error {
	in := NewLeadInput(l)
	in.TakenIn = true
	return startOnce(ctx, c, WorkflowID(l.ID), LeadWorkflowName, in, leadAttributes(attributeUpdates(l)...))
}

// startOnce starts a workflow once per ID: a second start of a running or
// finished one is not an error.
func startOnce(ctx context.Context, c client.Client, id, name string, arg any, attrs temporal.SearchAttributes) error {
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                TaskQueue,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		TypedSearchAttributes:    attrs,
	}, name, arg)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil
	}
	return err
}

// StartImport starts the ImportWorkflow of a stored import.
func StartImport(ctx context.Context, c client.Client, in ImportInput) error {
	return startOnce(ctx, c, ImportWorkflowID(in.ImportID), ImportWorkflowName, in, temporal.SearchAttributes{})
}

// StartExport starts the ExportWorkflow of a stored export.
func StartExport(ctx context.Context, c client.Client, exportID string) error {
	return startOnce(ctx, c, ExportWorkflowID(exportID), ExportWorkflowName, ExportInput{ExportID: exportID}, temporal.SearchAttributes{})
}

// StartPolicyChange starts the fan-out of a pool's policy at revision
// version (PolicyChangeWorkflow), once per pool and revision.
func StartPolicyChange(ctx context.Context, c client.Client, poolID string, version int64) error {
	return startOnce(ctx, c, PolicyChangeWorkflowID(poolID, version), PolicyChangeWorkflowName,
		PolicyChangeInput{PoolID: poolID, Version: version}, temporal.SearchAttributes{})
}
