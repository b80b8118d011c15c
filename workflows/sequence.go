package workflows

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// SequenceWorkflowName runs one lead's enrolment in a sequence (sequence.go).
const SequenceWorkflowName = "SequenceWorkflow"

// The sequences' activities (SequenceWorkflow).
const (
	ActivitySequenceAdvance = "SequenceAdvance" // SequenceAdvanceInput -> SequenceStep
	ActivitySequenceSend    = "SequenceSend"    // SequenceSendInput -> nothing
)

// SignalSequenceExit tells an enrolment's workflow that its enrolment
// exited (recorded by the service): it ends at once, even mid-wait.
const SignalSequenceExit = "sequence-exit"

// SequenceInput is the enrolment a SequenceWorkflow runs, from step At.
type SequenceInput struct {
	EnrolmentID string `json:"enrolment_id"`
	SequenceID  string `json:"sequence_id"`
	LeadID      string `json:"lead_id"`
	At          int    `json:"at,omitempty"`
}

// SequenceAdvanceInput asks for the next action of an enrolment from step At.
type SequenceAdvanceInput struct {
	EnrolmentID string `json:"enrolment_id"`
	At          int    `json:"at"`
}

// The actions SequenceAdvance answers.
const (
	SequenceSend = "send" // send step Index's message
	SequenceWait = "wait" // wait Wait, then go on after step Index
	SequenceEnd  = "end"  // the enrolment is over (done or exited)
)

// SequenceStep is the next action of an enrolment: the branches before
// it are evaluated, with the lead's facts as they are now.
type SequenceStep struct {
	Action string        `json:"action"`
	Index  int           `json:"index"`
	Wait   time.Duration `json:"wait,omitempty"`
}

// SequenceSendInput asks for step Index's message of an enrolment.
type SequenceSendInput struct {
	EnrolmentID string `json:"enrolment_id"`
	Index       int    `json:"index"`
}

// SequenceWorkflowID is the id of an enrolment's workflow: from its
// sequence, its lead and the enrolment (a lead enrolled again later has
// a new enrolment, so a new workflow).
func SequenceWorkflowID(sequenceID, leadID, enrolmentID string) string {
	return "sequence/" + sequenceID + "/" + leadID + "/" + enrolmentID
}

// StartSequence starts an enrolment's workflow, once.
func StartSequence(ctx context.Context, c client.Client, in SequenceInput) error {
	return startOnce(ctx, c, SequenceWorkflowID(in.SequenceID, in.LeadID, in.EnrolmentID), SequenceWorkflowName, in, temporal.SearchAttributes{})
}

// ExitSequence tells an enrolment's workflow that it exited; a finished
// workflow needs no telling.
func ExitSequence(ctx context.Context, c client.Client, sequenceID, leadID, enrolmentID string) error {
	err := c.SignalWorkflow(ctx, SequenceWorkflowID(sequenceID, leadID, enrolmentID), "", SignalSequenceExit, nil)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return nil
	}
	return err
}

// sequenceOptions are the options of SequenceAdvance: a store read and
// the branches' expressions, retried without end except on a domain error.
var sequenceOptions = workflow.ActivityOptions{
	StartToCloseTimeout: time.Minute,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:        time.Second,
		BackoffCoefficient:     2,
		MaximumInterval:        time.Minute,
		NonRetryableErrorTypes: nonRetryable,
	},
}

// sequenceHistoryLimit is the history length after which an enrolment's
// workflow continues as new (a sequence has at most 50 steps: never, in
// practice).
const sequenceHistoryLimit = 5000

// SequenceWorkflow runs one enrolment of a lead in a sequence. Each
// enrolment is its own workflow, not a child of the lead's: the lead's
// workflow keeps its short history and its recorded command sequence
// (no version gate needed), an enrolment is started and ended (by the
// service, at a claim, a conversion, a reply or an unsubscription) without
// an update to the lead, and the lead's continue-as-new does not carry
// children along.
//
// Step by step: SequenceAdvance evaluates the branches from the current
// step and answers the next send or wait; a send is SequenceSend, whose
// message has the key enrolment × step, stored once and sent once (the
// one-message path: claimed, leased, the suppression list read), so a
// worker killed at any point sends no step twice and skips none; a wait
// is a durable timer, cut short by the exit signal. An enrolment that
// exited sends nothing more: the store stores a step's message only while
// its enrolment is active.
func SequenceWorkflow(ctx workflow.Context, in SequenceInput) error {
	actx := workflow.WithActivityOptions(ctx, sequenceOptions)
	sctx := workflow.WithActivityOptions(ctx, emailOptions)
	exit := workflow.GetSignalChannel(ctx, SignalSequenceExit)
	exited := false
	for !exited {
		if workflow.GetInfo(ctx).GetCurrentHistoryLength() > sequenceHistoryLimit {
			return workflow.NewContinueAsNewError(ctx, SequenceWorkflowName, in)
		}
		var st SequenceStep
		if err := workflow.ExecuteActivity(actx, ActivitySequenceAdvance,
			SequenceAdvanceInput{EnrolmentID: in.EnrolmentID, At: in.At}).Get(ctx, &st); err != nil {
			return err
		}
		switch st.Action {
		case SequenceSend:
			err := workflow.ExecuteActivity(sctx, ActivitySequenceSend, SequenceSendInput{EnrolmentID: in.EnrolmentID, Index: st.Index}).Get(ctx, nil)
			if err != nil {
				// The provider failed the message for a day: it is recorded
				// failed, and the sequence goes on.
				workflow.GetLogger(ctx).Warn("a sequence step's message failed", "enrolment", in.EnrolmentID, "step", st.Index, "err", err)
			}
		case SequenceWait:
			workflow.NewSelector(ctx).
				AddFuture(workflow.NewTimer(ctx, st.Wait), func(workflow.Future) {}).
				AddReceive(exit, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, nil); exited = true }).
				Select(ctx)
		default:
			return nil
		}
		in.At = st.Index + 1
		if exit.ReceiveAsync(nil) {
			exited = true
		}
	}
	return nil
}
