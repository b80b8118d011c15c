package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/leadflow/leadflow/lead"
)

// SendEmail starts the Email activity for e and returns its future. Any
// workflow may use it (the import and export workflows for their
// "finished" e-mails); e.Key must be deterministic, e.g. the workflow ID
// plus what happened, so that the e-mail goes out once.
func SendEmail(ctx workflow.Context, e lead.Email) workflow.Future {
	return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, emailOptions), ActivityEmail, e)
}

// emailsChange guards the e-mails LeadWorkflow sends: histories recorded
// before them replay without them (DefaultVersion). From emailsAddressed
// on, an intake into a pool where nobody is flagged to hear of new leads
// (lead.IntakeResult.Unannounced) starts no new-lead e-mail: the activity
// would find no recipient, and costs seven history events.
const (
	emailsChange    = "emails"
	emailsSent      = 1
	emailsAddressed = 2
)

// emailsVersion is the run's version of emailsChange: emailsAddressed for
// a run started at revision 1 or later (LeadInput.Revision), which asks no
// GetVersion: its marker comes with an upsert of the TemporalChangeVersion
// search attribute, a visibility write on every new lead. Older runs ask
// GetVersion as they did, so their histories replay.
func (s *leadState) emailsVersion(ctx workflow.Context) workflow.Version {
	if s.revision >= 1 {
		return emailsAddressed
	}
	return workflow.GetVersion(ctx, emailsChange, workflow.DefaultVersion, emailsAddressed)
}

// email starts an e-mail about the lead without waiting for it: the
// update that caused it answers at once. The workflow waits for pending
// e-mails before it completes or continues as new. A failed e-mail is
// logged (and recorded as failed by the activity); it never fails the lead.
func (s *leadState) email(ctx workflow.Context, e lead.Email) {
	if s.emailsVersion(ctx) == workflow.DefaultVersion {
		return
	}
	e.LeadID = s.lead.ID
	f := SendEmail(ctx, e)
	s.emails++
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { s.emails-- }()
		if err := f.Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("notification e-mail failed", "kind", e.Kind, "key", e.Key, "error", err)
		}
	})
}

// emailsDone reports whether no e-mail is pending.
func (s *leadState) emailsDone() bool { return s.emails == 0 }

// causes are the activities whose moves lead.MoveEmails tells apart.
var causes = map[string]lead.MoveCause{ActivityIntake: lead.CauseIntake, ActivityReclaim: lead.CauseReclaim,
	ActivityAssign: lead.CauseAssign, ActivityTransfer: lead.CauseTransfer}

// causeOf is the lead.MoveCause of a move made by activity.
func causeOf(activity string) lead.MoveCause {
	if c, ok := causes[activity]; ok {
		return c
	}
	return lead.CauseOther
}

// notifyMove starts the e-mails a transition from before to after calls
// for (lead.MoveEmails); cause is the activity that made it
// (ActivityIntake for the intake), m its command (its request id keys the
// e-mails). An intake into a pool where nobody hears of new leads starts
// no new-lead e-mail (emailsAddressed).
func (s *leadState) notifyMove(ctx workflow.Context, cause string, before, after lead.Lead, m lead.Move) {
	for _, e := range lead.MoveEmails(causeOf(cause), before, after, m) {
		if e.Kind == lead.EmailNewLead && cause == ActivityIntake && s.intake.Unannounced && s.emailsVersion(ctx) == emailsAddressed {
			continue // nobody hears of new leads in this pool
		}
		s.email(ctx, e)
	}
}
