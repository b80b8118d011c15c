package workflows

import "go.temporal.io/sdk/workflow"

// Definition is one workflow type leadflow's worker runs: the name it is
// started by, its function, and how its running executions move to a new
// worker build (Worker Versioning; see docs/upgrading.md).
type Definition struct {
	// Name is the workflow type clients start it by.
	Name string
	// Func is the workflow function.
	Func any
	// Versioning is the behaviour of its executions on a versioned worker:
	// AutoUpgrade moves a running execution to the deployment's current
	// build at its next workflow task (its code must replay old histories:
	// changes go behind workflow.GetVersion), Pinned keeps it on the build
	// it started on until it closes (that build must run until it drains).
	Versioning workflow.VersioningBehavior
}

// Definitions lists every workflow type the worker registers. Workflows
// that can wait for hours or weeks (a lead's timers, a campaign's steps, a
// delivery or an e-mail retried for up to a day) auto-upgrade, so an old
// build need not run as long as they do; the jobs that page through many
// leads and end in minutes to hours (imports, exports, bulk actions, a
// policy change) are pinned, so they never meet new code half-way and
// need no patching: the old build runs until they are done.
func Definitions() []Definition {
	auto, pinned := workflow.VersioningBehaviorAutoUpgrade, workflow.VersioningBehaviorPinned
	return []Definition{
		{LeadWorkflowName, LeadWorkflow, auto},
		{CampaignWorkflowName, CampaignWorkflow, auto},
		{WebhookWorkflowName, WebhookWorkflow, auto},
		{CRMWorkflowName, CRMWorkflow, auto},
		{MessageWorkflowName, MessageWorkflow, auto},
		{ReplyNoticeWorkflowName, ReplyNoticeWorkflow, auto},
		{FacebookLeadWorkflowName, FacebookLeadWorkflow, auto},
		{DigestWorkflowName, DigestWorkflow, auto},
		{SequenceWorkflowName, SequenceWorkflow, auto},
		{ImportWorkflowName, ImportWorkflow, pinned},
		{ExportWorkflowName, ExportWorkflow, pinned},
		{BulkWorkflowName, BulkWorkflow, pinned},
		{PolicyChangeWorkflowName, PolicyChangeWorkflow, pinned},
	}
}
