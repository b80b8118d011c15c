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

// notifyMove starts the e-mails a transition from before to after calls
// for; cause is the activity that made it (ActivityIntake for the intake),
// m its command (its request id keys the e-mails).
//
//   - offered to a rep: that rep (accept or decline);
//   - assigned by a manager or admin (the assign update) to someone else
//     than themselves: the rep. A distribution that auto-accepts sends
//     nothing (seed 003), nor does a rep's own claim;
//   - reclaimed from its owner: the former owner;
//   - a new lead left unowned in a pool (intake, transfer): the pool's
//     designated recipients. Bulk imports send none per lead.
func (s *leadState) notifyMove(ctx workflow.Context, cause string, before, after lead.Lead, m lead.Move) {
	key := func(kind string) string { return m.RequestID + "/" + kind }
	if cause == ActivityReclaim && before.Status == lead.StatusAssigned && before.OwnerID != "" &&
		(after.Status != lead.StatusAssigned || after.OwnerID != before.OwnerID) {
		s.email(ctx, lead.Email{Key: key(lead.EmailReclaimed), Kind: lead.EmailReclaimed, RepID: before.OwnerID,
			PoolID: before.PoolID, Reason: m.Reason, ActorID: m.ActorID})
	}
	switch {
	case after.Status == lead.StatusOffered && after.OwnerID != "" &&
		(before.Status != lead.StatusOffered || before.OwnerID != after.OwnerID):
		s.email(ctx, lead.Email{Key: key(lead.EmailOffered), Kind: lead.EmailOffered, RepID: after.OwnerID, PoolID: after.PoolID})
	case cause == ActivityAssign && after.Status == lead.StatusAssigned && after.OwnerID != "" && after.OwnerID != m.ActorID &&
		(before.Status != lead.StatusAssigned || before.OwnerID != after.OwnerID):
		s.email(ctx, lead.Email{Key: key(lead.EmailAssigned), Kind: lead.EmailAssigned, RepID: after.OwnerID,
			PoolID: after.PoolID, Reason: m.Reason, ActorID: m.ActorID})
	case (cause == ActivityIntake || cause == ActivityTransfer) && after.Status == lead.StatusPooled && after.Source != lead.SourceImport &&
		(before.Status != lead.StatusPooled || before.PoolID != after.PoolID):
		if cause == ActivityIntake && s.intake.Unannounced && s.emailsVersion(ctx) == emailsAddressed {
			return // nobody hears of new leads in this pool
		}
		s.email(ctx, lead.Email{Key: key(lead.EmailNewLead), Kind: lead.EmailNewLead, PoolID: after.PoolID})
	}
}
