package workflows

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// FacebookLeadInput names one Lead Ads lead of one inbound source.
type FacebookLeadInput struct {
	SourceID  string `json:"source_id"`
	LeadgenID string `json:"leadgen_id"`
}

// SourceRecordInput is a record an inbound source delivered, to be taken
// in as the source's delivery DeliveryID.
type SourceRecordInput struct {
	SourceID   string            `json:"source_id"`
	DeliveryID string            `json:"delivery_id"`
	Record     map[string]string `json:"record"`
}

// FacebookLeadWorkflowID is the id of the workflow taking in lead
// leadgenID of source sourceID: one per lead, however often Facebook
// delivers it.
func FacebookLeadWorkflowID(sourceID, leadgenID string) string {
	return "facebook-lead/" + sourceID + "/" + leadgenID
}

// FacebookDeliveryID is the delivery id a Lead Ads lead is taken in as
// (the lead's id derives from it).
func FacebookDeliveryID(leadgenID string) string { return "leadgen:" + leadgenID }

// facebookRetry retries the Graph API and the intake with exponential
// backoff for a day (a page token an admin must renew, Graph outages).
var facebookRetry = workflow.ActivityOptions{
	StartToCloseTimeout:    20 * time.Second, // the Graph API call's own timeout is 15 s
	ScheduleToCloseTimeout: 24 * time.Hour,
	RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 10 * time.Minute,
		NonRetryableErrorTypes: nonRetryable},
}

// FacebookLeadWorkflow fetches a Lead Ads lead from the Graph API and
// takes it in through its source's mapping, each step a retried
// activity; it returns the lead's id ("" when intake refused it).
func FacebookLeadWorkflow(ctx workflow.Context, in FacebookLeadInput) (string, error) {
	actx := workflow.WithActivityOptions(ctx, facebookRetry)
	var record map[string]string
	if err := workflow.ExecuteActivity(actx, ActivityFetchFacebookLead, in).Get(ctx, &record); err != nil {
		return "", err
	}
	var leadID string
	err := workflow.ExecuteActivity(actx, ActivityIntakeSourceRecord, SourceRecordInput{SourceID: in.SourceID,
		DeliveryID: FacebookDeliveryID(in.LeadgenID), Record: record}).Get(ctx, &leadID)
	return leadID, err
}

// StartFacebookLead starts the workflow of a Lead Ads lead unless it has
// run or is running (a retried webhook delivery starts nothing).
func StartFacebookLead(ctx context.Context, c client.Client, in FacebookLeadInput) error {
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: FacebookLeadWorkflowID(in.SourceID, in.LeadgenID), TaskQueue: TaskQueue,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, FacebookLeadWorkflowName, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil
	}
	return err
}
