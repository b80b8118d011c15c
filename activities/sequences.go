package activities

import (
	"context"
	"errors"

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
