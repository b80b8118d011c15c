package activities

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/rules"
	"github.com/leadflow/leadflow/workflows"
)

// SequenceService is the service's side of a sequence the worker calls:
// the next action of an enrolment (its branches evaluated), and a step's
// message rendered and stored by the code of one message (service.Service
// implements it).
type SequenceService interface {
	AdvanceSequence(ctx context.Context, in workflows.SequenceAdvanceInput) (workflows.SequenceStep, error)
	QueueSequenceMessage(ctx context.Context, in workflows.SequenceSendInput) (string, error)
}

// errNoSequences is a worker started without the sequences' service: the
// activity is retried (on a worker that has it).
var errNoSequences = errors.New("this worker runs no sequences")

// SequenceAdvance answers an enrolment's next action.
func (a *Activities) SequenceAdvance(ctx context.Context, in workflows.SequenceAdvanceInput) (workflows.SequenceStep, error) {
	if a.Sequences == nil {
		return workflows.SequenceStep{}, errNoSequences
	}
	out, err := a.Sequences.AdvanceSequence(ctx, in)
	return out, wrap(err)
}

// SequenceSend stores a step's message (key enrolment × step, once; not
// at all when the enrolment exited) and sends it as SendMessage sends
// one message: claimed and leased, so a retry after a worker was killed
// finds it sent, or sends it once the lease has run out. A message the
// provider refused for good is recorded failed and the step is over.
func (a *Activities) SequenceSend(ctx context.Context, in workflows.SequenceSendInput) error {
	if a.Sequences == nil {
		return errNoSequences
	}
	key, err := a.Sequences.QueueSequenceMessage(ctx, in)
	if err != nil || key == "" {
		return wrap(err)
	}
	if err := a.SendMessage(ctx, key); err != nil && !isPermanentApp(err) {
		return err
	}
	return nil
}

// enrolmentSpace derives the ids of the enrolments the rules make.
var enrolmentSpace = uuid.MustParse("5b0e3c1e-6f7d-4c59-9a55-34c1d0b5e7a1")

// enrollWhen enrols lead l, just taken in (and still live: not rejected
// nor merged), in the sequence of every active enroll_when rule that
// matches it. Each enrolment's id derives from the lead and the sequence,
// so a retried intake makes no second one and the rule never enrols the
// lead in that sequence again; the worker's pump starts their workflows.
// A rule that fails at run time enrols nothing (logged).
func (a *Activities) enrollWhen(ctx context.Context, l lead.Lead) error {
	if l.Status.Terminal() || l.Status == lead.StatusReceived {
		return nil
	}
	sets, err := a.activeSets(ctx, rules.KindEnrollWhen)
	if err != nil || len(sets[0].Body().Rules) == 0 {
		return err
	}
	env, err := a.envOf(ctx, l, sets...)
	if err != nil {
		return err
	}
	out := sets[0].Evaluate(env)
	if len(out.Errors) > 0 {
		a.Log.Warn("enroll_when rules failed at run time", "lead", l.ID, "errors", out.Errors)
	}
	for _, seq := range out.Sequences {
		id := uuid.NewSHA1(enrolmentSpace, []byte(l.ID+"\x00"+seq)).String()
		_, _, err := a.Store.Enrol(ctx, lead.Enrolment{ID: id, SequenceID: seq, LeadID: l.ID, Via: lead.EnrolByRule})
		if lead.ErrorCode(err) == lead.CodeNotFound {
			a.Log.Warn("an enroll_when rule names a sequence that is gone", "sequence", seq)
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}
