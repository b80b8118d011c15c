package service

import (
	"context"
	"strconv"
	"time"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/rules"
	"github.com/leadflow/leadflow/workflows"
)

// The worker's side of a sequence (activities.SequenceService): an
// enrolment's next action, and a step's message.

// AdvanceSequence answers enrolment in.EnrolmentID's next action from
// step in.At: the branches on the way are evaluated with the lead as it
// is now; a send or wait is recorded on the enrolment (the step it is at,
// when the next is due), the end of the steps marks it done. An
// enrolment no longer active, or whose lead was taken by a rep (claimed,
// assigned, an offer accepted), converted, replied or unsubscribed since
// it began (store.ExitReason; the exit recorded now if the service had
// not), ends.
func (s *Service) AdvanceSequence(ctx context.Context, in workflows.SequenceAdvanceInput) (workflows.SequenceStep, error) {
	end := workflows.SequenceStep{Action: workflows.SequenceEnd, Index: in.At}
	e, steps, err := s.db.Enrolment(ctx, in.EnrolmentID)
	if err != nil || e.Status != lead.EnrolmentActive {
		return end, err
	}
	reason, err := s.db.ExitReason(ctx, e)
	if err != nil {
		return end, err
	}
	if reason != "" {
		s.exitSequences(ctx, e.LeadID, e.ID, reason, "")
		return end, nil
	}
	var l *lead.Lead
	for i := in.At; ; {
		if i >= len(steps) {
			return end, s.db.SetEnrolmentStep(ctx, e.ID, len(steps), nil, true)
		}
		st := steps[i]
		switch {
		case st.Branch != nil:
			if l == nil {
				v, err := s.db.Lead(ctx, e.LeadID)
				if err != nil {
					return end, err
				}
				l = &v
			}
			if s.branchHolds(st.Branch.When, *l) {
				i = st.Branch.Goto
			} else {
				i++
			}
		case st.Send != nil:
			return workflows.SequenceStep{Action: workflows.SequenceSend, Index: i}, s.db.SetEnrolmentStep(ctx, e.ID, i, nil, false)
		default:
			d, err := lead.StepWait(st.Wait)
			if err != nil {
				return end, lead.Invalid(lead.FieldError{Field: "steps[" + strconv.Itoa(i) + "].wait", Reason: err.Error()})
			}
			next := time.Now().Add(d)
			return workflows.SequenceStep{Action: workflows.SequenceWait, Index: i, Wait: d}, s.db.SetEnrolmentStep(ctx, e.ID, i+1, &next, false)
		}
	}
}

// branchHolds evaluates a branch's condition about lead l in the rules'
// sandbox; one that fails (it compiled when saved) does not hold.
func (s *Service) branchHolds(when string, l lead.Lead) bool {
	x, err := rules.CompileExpr(when)
	if err != nil {
		s.log.Warn("a sequence branch does not compile", "when", when, "err", err)
		return false
	}
	step, err := x.Eval(rules.NewEnv(rules.NewLeadEnv(l), rules.Facts{}, time.Now()))
	if err != nil {
		s.log.Warn("a sequence branch failed", "when", when, "lead", l.ID, "err", err)
		return false
	}
	return step.Matched
}

// SequenceStepKey is the message key of an enrolment's step: one
// message per enrolment and step, whatever the retries.
func SequenceStepKey(enrolmentID string, step int) string {
	return "sequence/" + enrolmentID + "/" + strconv.Itoa(step)
}

// QueueSequenceMessage renders and stores step in.Index's message of an
// enrolment as one message is (the template, the suppression list, the
// message_sent event), from the rep who owns the lead (else the one who
// enrolled it, else the sequence's author), and answers its key when it
// is queued to send: "" when it was skipped (suppressed, no address on
// the channel, the template gone) or the enrolment is over.
func (s *Service) QueueSequenceMessage(ctx context.Context, in workflows.SequenceSendInput) (string, error) {
	e, steps, err := s.db.Enrolment(ctx, in.EnrolmentID)
	if err != nil || in.Index < 0 || in.Index >= len(steps) || steps[in.Index].Send == nil {
		return "", err
	}
	l, err := s.db.Lead(ctx, e.LeadID)
	if err != nil {
		return "", err
	}
	sender, err := s.sequenceSender(ctx, e)
	if err != nil {
		return "", err
	}
	key := SequenceStepKey(e.ID, in.Index)
	st := steps[in.Index].Send
	n, err := s.queueMessage(ctx, sender, l, MessageInput{Channel: st.Channel, TemplateID: st.TemplateID},
		lead.Notification{ID: LeadID(key, "sequence-step"), Key: key, EnrolmentID: e.ID},
		map[string]any{"sequence_id": e.SequenceID, "enrolment_id": e.ID, "step": in.Index})
	switch lead.ErrorCode(err) {
	case lead.CodeNotFound, lead.CodeInvalid:
		// The enrolment exited first, or the step cannot be sent to this lead.
		s.log.Info("a sequence step sends nothing", "enrolment", e.ID, "step", in.Index, "err", err)
		return "", nil
	}
	if err != nil || n.Status != lead.NotificationQueued {
		return "", err
	}
	// The sequence's workflow sends it: the worker's sweep of unstarted messages leaves it.
	return key, s.db.MessageStarted(ctx, key)
}

// sequenceSender is whom an enrolment's messages come from when its lead
// has no owner: the user who enrolled it, else the sequence's author.
func (s *Service) sequenceSender(ctx context.Context, e lead.Enrolment) (lead.User, error) {
	if e.EnrolledBy != "" {
		return s.db.User(ctx, e.EnrolledBy)
	}
	q, err := s.db.Sequence(ctx, e.SequenceID)
	if err != nil {
		return lead.User{}, err
	}
	return s.db.User(ctx, q.CreatedBy)
}
