package workflows

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/leadflow/leadflow/lead"
)

// This file is the contract of leadflow's workflows: every workflow,
// update, query, signal and activity name, the payloads of the lead
// workflow and the options its activities run with. Registered names and
// the values of these constants are in recorded histories: never rename them.

// TaskQueue is the task queue of every leadflow workflow and activity.
const TaskQueue = "leadflow"

// Workflow names, as the worker registers them.
const (
	LeadWorkflowName   = "LeadWorkflow"
	ImportWorkflowName = "ImportWorkflow"
	ExportWorkflowName = "ExportWorkflow"
	DigestWorkflowName = "DigestWorkflow"
	// PolicyChangeWorkflowName fans a pool's new policy out to its live leads (policy.go).
	PolicyChangeWorkflowName = "PolicyChangeWorkflow"
	// WebhookWorkflowName delivers one lead's events to one subscription, in order (webhook.go).
	WebhookWorkflowName = "WebhookWorkflow"
	// FacebookLeadWorkflowName fetches and takes in one Lead Ads lead.
	FacebookLeadWorkflowName = "FacebookLeadWorkflow"
	// CampaignWorkflowName sends a campaign in batches (campaign.go).
	CampaignWorkflowName = "CampaignWorkflow"
	// MessageWorkflowName sends one message to a lead (message.go).
	MessageWorkflowName = "MessageWorkflow"
	// ReplyNoticeWorkflowName tells a lead's owner of its reply (reply.go).
	ReplyNoticeWorkflowName = "ReplyNoticeWorkflow"
	// CRMWorkflowName pushes one lead to one CRM target, push after push (crm.go).
	CRMWorkflowName = "CRMWorkflow"
)

// Update and query names of LeadWorkflow.
const (
	UpdateIntake   = "intake"    // waits for the intake decision -> lead.IntakeResult
	UpdateClaim    = "claim"     // ClaimInput -> lead.Lead
	UpdateFollowUp = "follow-up" // FollowUpInput -> lead.FollowUp
	UpdateConvert  = "convert"   // ConvertInput -> lead.Converted
	UpdateAssign   = "assign"    // MoveInput{RepID} -> lead.Lead
	UpdateTransfer = "transfer"  // MoveInput{PoolID} -> lead.Lead
	UpdateAccept   = "accept"    // MoveInput -> lead.Lead
	UpdateDecline  = "decline"   // MoveInput -> lead.Lead
	UpdateReturn   = "return"    // MoveInput{Reason} -> lead.Lead
	UpdateReclaim  = "reclaim"   // MoveInput -> lead.Lead
	UpdateClose    = "close"     // MoveInput -> lead.Lead
	UpdateEdit     = "edit"      // lead.Edit -> lead.Lead
	UpdateReopen   = "reopen"    // MoveInput{PoolID, Reason} -> lead.Lead (Revive)
	UpdateReadmit  = "readmit"   // MoveInput{Reason} -> lead.Lead (Revive)
	// The review of a lead an IP burst flagged (lead.Burst): an admin keeps
	// it (it leaves review) or rejects it.
	UpdateKeepReviewed   = "keep_reviewed"   // MoveInput{Reason} -> lead.Lead
	UpdateRejectReviewed = "reject_reviewed" // MoveInput{Reason} -> lead.Lead
	QueryLead            = "lead"            // -> lead.Lead, the workflow's view of the lead
)

// Signals of LeadWorkflow.
const (
	// SignalPolicy carries the new policy of the lead's pool (PolicySignal;
	// lead.Policy in older histories): the timers are re-armed from it.
	SignalPolicy = "policy-changed"
	// SignalMerged tells a lead's workflow that a duplicate registration was
	// merged into its lead (MergedSignal). When the duplicate came through a
	// rep's invite link, the lead goes to that rep if a claim by them would
	// succeed (seed 000).
	SignalMerged = "merged"
)

// Activity names, as the worker registers them (the methods of
// activities.Activities and activities.Bulk). TestActivityNamesRegistered
// checks each of them.
const (
	ActivityIntake          = "Intake"
	ActivityClaim           = "Claim"
	ActivityFollowUp        = "RecordFollowUp"
	ActivityConvert         = "Convert"
	ActivityAssign          = "Assign"
	ActivityTransfer        = "Transfer"
	ActivityAccept          = "Accept"
	ActivityDecline         = "Decline"
	ActivityReturn          = "Return"
	ActivityReclaim         = "Reclaim"
	ActivityDistribute      = "Distribute"
	ActivityClose           = "Close"
	ActivityReopen          = "Reopen"
	ActivityReadmit         = "Readmit"
	ActivityKeepReviewed    = "KeepReviewed"
	ActivityRejectReviewed  = "RejectReviewed"
	ActivityRecordNotice    = "Notify" // records a reminder or an escalation; the e-mail is ActivityEmail
	ActivityEdit            = "Edit"
	ActivityAssignToInviter = "AssignToInviter"
	ActivityEmail           = "Email"       // lead.Email -> error
	ActivitySendDigests     = "SendDigests" // the slot's start (RFC 3339) -> number of users served
	ActivityImportBatch     = "ImportBatch"
	ActivityImportFinished  = "ImportFinished"
	ActivityExport          = "Export"
	ActivityExportFinished  = "ExportFinished"
	ActivitySignalPolicy    = "SignalPolicyPage" // PolicyPageInput -> PolicyPageResult
	// The webhook deliveries (webhook.go).
	ActivityNextWebhook    = "NextWebhookDelivery" // WebhookChainInput -> delivery id (0: none)
	ActivityDeliverWebhook = "DeliverWebhook"      // delivery id -> error
	ActivityWebhookFailed  = "WebhookFailed"       // WebhookFailure -> lead.Email to its owner
	// The Facebook Lead Ads leads (facebook.go).
	ActivityFetchFacebookLead  = "FetchFacebookLead"  // FacebookLeadInput -> record (field name -> value)
	ActivityIntakeSourceRecord = "IntakeSourceRecord" // SourceRecordInput -> lead id ("" when refused)
	// ActivitySendMessage sends a stored message to a lead (message.go).
	ActivitySendMessage = "SendMessage" // message key -> error
	// The campaigns (campaign.go).
	ActivityCampaignBegin  = "CampaignBegin"  // campaign id -> CampaignBegin
	ActivityCampaignBatch  = "CampaignBatch"  // CampaignBatchInput -> CampaignBatchResult
	ActivityCampaignStatus = "CampaignStatus" // campaign id -> status
	ActivityCampaignDone   = "CampaignDone"   // campaign id -> nothing
	// The CRM pushes (crm.go).
	ActivityNextCRMPush   = "NextCRMPush"   // CRMChainInput -> push id (0: none)
	ActivityPushCRM       = "PushCRM"       // push id -> error
	ActivityCRMPushFailed = "CRMPushFailed" // CRMFailure -> nothing
)

// ActivityNames lists every activity name the workflows call.
var ActivityNames = []string{ActivityIntake, ActivityClaim, ActivityFollowUp, ActivityConvert, ActivityAssign,
	ActivityTransfer, ActivityAccept, ActivityDecline, ActivityReturn, ActivityReclaim, ActivityDistribute, ActivityClose, ActivityReopen, ActivityReadmit,
	ActivityKeepReviewed, ActivityRejectReviewed,
	ActivityRecordNotice, ActivityEdit, ActivityAssignToInviter, ActivityEmail, ActivitySendDigests,
	ActivityImportBatch, ActivityImportFinished, ActivityExport, ActivityExportFinished, ActivitySignalPolicy,
	ActivityNextWebhook, ActivityDeliverWebhook, ActivityWebhookFailed, ActivityFetchFacebookLead, ActivityIntakeSourceRecord,
	ActivitySendMessage, ActivityNextCRMPush, ActivityPushCRM, ActivityCRMPushFailed,
	ActivityBulkSelect, ActivityBulkBatch, ActivityBulkFinished,
	ActivityCampaignBegin, ActivityCampaignBatch, ActivityCampaignStatus, ActivityCampaignDone,
	ActivitySequenceAdvance, ActivitySequenceSend}

// Search attributes LeadWorkflow keeps current; the worker registers them.
var (
	LeadStatusKey = temporal.NewSearchAttributeKeyKeyword("LeadStatus")
	OwnerIDKey    = temporal.NewSearchAttributeKeyKeyword("OwnerId")
	PoolIDKey     = temporal.NewSearchAttributeKeyKeyword("PoolId")
)

// WorkflowID is the workflow ID of a lead's LeadWorkflow.
func WorkflowID(leadID string) string { return "lead/" + leadID }

// ImportWorkflowID is the workflow ID of an import's ImportWorkflow.
func ImportWorkflowID(importID string) string { return "import/" + importID }

// ExportWorkflowID is the workflow ID of an export's ExportWorkflow.
func ExportWorkflowID(exportID string) string { return "export/" + exportID }

// LeadInput starts a LeadWorkflow: the lead, and for a new lead how it is
// taken in. A continued lead (continue-as-new) has no Intake. The lead's
// fields are inline, as in the histories recorded before Intake moved here.
type LeadInput struct {
	lead.Lead
	Intake *lead.IntakeOptions `json:"intake,omitempty"`
	// PolicyVersion is the revision of the last policy signal applied,
	// carried over continue-as-new.
	PolicyVersion int64 `json:"policy_version,omitempty"`
	// TakenIn says the lead's intake was decided before its workflow
	// started (an import takes its rows in itself, see StartTakenIn): the
	// workflow skips intake and sends the e-mails the intake calls for.
	TakenIn bool `json:"taken_in,omitempty"`
	// NoSearchAttributes says the workflow keeps no search attributes
	// (LeadStatus, OwnerId, PoolId): fixed when the lead's first workflow
	// starts (from KeepSearchAttributes) and carried over continue-as-new,
	// so a replay issues the commands the run issued. Histories from before
	// the switch lack it and keep them, as they did.
	NoSearchAttributes bool `json:"no_search_attributes,omitempty"`
	// Revision is the revision of LeadWorkflow's code the run started with
	// (LeadRevision when it started); 0 in histories from before revisions.
	// Code that changes the commands of a run branches on it instead of
	// workflow.GetVersion, whose marker costs an upsert of the
	// TemporalChangeVersion search attribute (a visibility write).
	Revision int `json:"revision,omitempty"`
}

// LeadRevision is the revision new lead workflow runs start with (and
// continue as new with). Revision 1: the e-mails' version is
// emailsAddressed without a GetVersion marker (email.go).
const LeadRevision = 1

// KeepSearchAttributes says whether the lead workflows this process starts
// keep the search attributes LeadStatus, OwnerId and PoolId current in
// Temporal's visibility store (LEADFLOW_SEARCH_ATTRIBUTES=on). Off by
// default: the lead's state is in PostgreSQL, and on the embedded SQLite
// stack each upsert is a visibility write that costs about a sixth of an
// intake's CPU (BENCHMARKS.md). Set it once, before the first start.
var KeepSearchAttributes = false

// NewLeadInput is the input of a lead's first workflow run, with the
// process's search attribute choice.
func NewLeadInput(l lead.Lead) LeadInput {
	return LeadInput{Lead: l, NoSearchAttributes: !KeepSearchAttributes, Revision: LeadRevision}
}

// leadAttributes are the search attributes a new lead workflow starts
// with: none unless KeepSearchAttributes.
func leadAttributes(updates ...temporal.SearchAttributeUpdate) temporal.SearchAttributes {
	if !KeepSearchAttributes {
		return temporal.SearchAttributes{}
	}
	return temporal.NewSearchAttributes(updates...)
}

// attributeUpdates are the values of a lead's search attributes, for a
// start (leadAttributes) and for the workflow's upserts (leadState.set).
func attributeUpdates(l lead.Lead) []temporal.SearchAttributeUpdate {
	return []temporal.SearchAttributeUpdate{
		LeadStatusKey.ValueSet(string(l.Status)), OwnerIDKey.ValueSet(l.OwnerID), PoolIDKey.ValueSet(l.PoolID)}
}

// PolicyChangeWorkflowID is the workflow ID of the fan-out of a pool's
// policy at one revision: a retried start finds the same workflow.
func PolicyChangeWorkflowID(poolID string, version int64) string {
	return fmt.Sprintf("pool-policy/%s/%d", poolID, version)
}

// PolicySignal is the payload of SignalPolicy: the pool's policy, its
// revision (store.LivePage.Version) and the pool. A lead ignores a signal
// whose revision is not newer than the last it applied, so fan-outs that
// overlap never leave a lead on an older policy, and one of another pool
// than its own (it moved while the fan-out ran). Its JSON is lead.Policy's
// plus policy_version and pool_id, so older histories (a bare lead.Policy)
// decode to version 0 and no pool, and apply as before.
type PolicySignal struct {
	lead.Policy
	Version int64  `json:"policy_version,omitempty"`
	PoolID  string `json:"pool_id,omitempty"`
}

// MoveInput is the payload of the assign, transfer, accept, decline,
// return, reclaim and close updates.
type MoveInput struct {
	ActorID string `json:"actor_id"`
	RepID   string `json:"rep_id,omitempty"`
	PoolID  string `json:"pool_id,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// ClaimInput is the payload of the claim update.
type ClaimInput struct {
	RepID      string     `json:"rep_id"`
	Reason     string     `json:"reason,omitempty"`
	ExpectedAt *time.Time `json:"expected_follow_up_at,omitempty"`
}

// FollowUpInput is the payload of the follow-up update. FollowUpID is
// chosen by the caller so that a retried request records one follow-up.
type FollowUpInput struct {
	FollowUpID string     `json:"follow_up_id"`
	AuthorID   string     `json:"author_id"`
	Type       string     `json:"type"`
	Content    string     `json:"content"`
	NextStep   string     `json:"next_step,omitempty"`
	NextAt     *time.Time `json:"next_at,omitempty"`
	Stage      string     `json:"stage,omitempty"`
}

// ConvertInput is the payload of the convert update.
type ConvertInput struct {
	ActorID    string `json:"actor_id"`
	CustomerID string `json:"customer_id"`
	// Customer and Order are the caller's values; they win over the
	// conversion rules' mapping (see lead.Conversion).
	Customer map[string]any `json:"customer,omitempty"`
	Order    map[string]any `json:"order,omitempty"`
}

// MergedSignal is the payload of SignalMerged.
type MergedSignal struct {
	LeadID    string `json:"lead_id"`    // the duplicate, now merged
	InviterID string `json:"inviter_id"` // the rep whose invite link registered it
}

// nonRetryable are the error types no activity retries: the domain
// refusals (see DomainError) and an e-mail the provider refused for good.
var nonRetryable = []string{string(lead.CodeInvalid), string(lead.CodeConflict), string(lead.CodeNotFound),
	string(lead.CodeForbidden), lead.ErrEmailRejected}

// localOptions are the options of the short PostgreSQL steps, run as local
// activities to keep a lead's history small.
var localOptions = workflow.LocalActivityOptions{
	StartToCloseTimeout: 10 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:        200 * time.Millisecond,
		BackoffCoefficient:     2,
		MaximumInterval:        10 * time.Second,
		NonRetryableErrorTypes: nonRetryable,
	},
}

// emailOptions are the options of the Email activity: a regular activity
// (a remote call), retried with backoff on 429, 5xx and network errors
// (every 5 minutes at most, for a day: an outage of the provider delays
// e-mails but loses none) and not retried when the provider refused the
// e-mail for good. The outbox's mailer (worker) retries the e-mails it
// sends the same way (EmailRetryAfter).
var emailOptions = workflow.ActivityOptions{
	StartToCloseTimeout:    time.Minute,
	ScheduleToCloseTimeout: 24 * time.Hour,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    5 * time.Minute,
		// An internal error of the e-mail activity (a bug, bad data) is not retried either.
		NonRetryableErrorTypes: append(append([]string{}, nonRetryable...), string(lead.CodeInternal)),
	},
}

// EmailRetryAfter is when an e-mail whose attempt number attempt (from 1)
// failed with err is tried again, by emailOptions' policy: ok is false
// when it is not to be (refused for good, or queued since longer than the
// policy tries, queued being how long ago it was first queued).
func EmailRetryAfter(err error, attempt int, queued time.Duration) (wait time.Duration, ok bool) {
	p := emailOptions.RetryPolicy
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		if app.NonRetryable() || slices.Contains(p.NonRetryableErrorTypes, app.Type()) {
			return 0, false
		}
		if d := app.NextRetryDelay(); d > 0 {
			wait = d
		}
	}
	if wait == 0 {
		wait = time.Duration(float64(p.InitialInterval) * math.Pow(p.BackoffCoefficient, float64(max(attempt-1, 0))))
		wait = min(wait, p.MaximumInterval)
	}
	return wait, queued+wait <= emailOptions.ScheduleToCloseTimeout
}
