package worker

import (
	"context"

	"github.com/leadflow/leadflow/workflows"
)

// sequences starts the workflow of every active enrolment whose start
// was not recorded: those the enroll_when rules made at intake, and those
// the API stored but could not start. A start is once per enrolment
// (workflows.StartSequence), so racing the API's does no harm.
func (p *pump) sequences(ctx context.Context) error {
	es, err := p.db.UnstartedEnrolments(ctx, pumpBatch, unstartedAfter)
	for _, e := range es {
		if err != nil {
			return err
		}
		in := workflows.SequenceInput{EnrolmentID: e.ID, SequenceID: e.SequenceID, LeadID: e.LeadID}
		if err = workflows.StartSequence(ctx, p.tc, in); err == nil {
			err = p.db.EnrolmentStarted(ctx, e.ID)
		}
	}
	return err
}
