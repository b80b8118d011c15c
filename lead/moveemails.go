package lead

// MoveCause is what made a lead's transition, as far as the e-mails it
// calls for are concerned (MoveEmails).
type MoveCause string

// The causes MoveEmails tells apart; any other move is CauseOther.
const (
	CauseIntake   MoveCause = "intake"
	CauseReclaim  MoveCause = "reclaim"
	CauseAssign   MoveCause = "assign"
	CauseTransfer MoveCause = "transfer"
	CauseOther    MoveCause = "other"
)

// Outbox asks a move's transaction to queue the e-mails the move calls
// for (MoveEmails) in the e-mail outbox, which a sender in the worker
// drains, instead of leaving them to the lead's workflow: a timer's
// reclaim then costs its workflow no e-mail activity. Key is the request
// id the e-mails are keyed by (the one the workflow would use), Cause the
// move's.
type Outbox struct {
	Key   string    `json:"key"`
	Cause MoveCause `json:"cause"`
}

// Moved is a move's answer to the lead's workflow: the lead as the move
// left it and whether its e-mails were queued in the outbox (Outbox), so
// that the workflow does not send them itself. Its JSON is the lead's
// with one more field, so answers recorded before it decode as Moved
// with EmailsQueued false.
type Moved struct {
	Lead
	EmailsQueued bool `json:"emails_queued,omitempty"`
}

// MoveEmails are the e-mails a transition of a lead from before to after
// calls for; cause made it, m is its command (its request id keys the
// e-mails, its reason and actor are named in them):
//
//   - reclaimed from its owner: the former owner;
//   - offered to a rep: that rep (accept or decline);
//   - assigned by a manager or admin (the assign update) to someone else
//     than themselves: the rep. A distribution that auto-accepts sends
//     nothing (seed 003), nor does a rep's own claim;
//   - a new lead left unowned in a pool (intake, transfer): the pool's
//     designated recipients. Bulk imports send none per lead.
func MoveEmails(cause MoveCause, before, after Lead, m Move) []Email {
	key := func(kind string) string { return m.RequestID + "/" + kind }
	var out []Email
	if cause == CauseReclaim && before.Status == StatusAssigned && before.OwnerID != "" &&
		(after.Status != StatusAssigned || after.OwnerID != before.OwnerID) {
		out = append(out, Email{Key: key(EmailReclaimed), Kind: EmailReclaimed, RepID: before.OwnerID,
			PoolID: before.PoolID, Reason: m.Reason, ActorID: m.ActorID})
	}
	switch {
	case after.Status == StatusOffered && after.OwnerID != "" &&
		(before.Status != StatusOffered || before.OwnerID != after.OwnerID):
		out = append(out, Email{Key: key(EmailOffered), Kind: EmailOffered, RepID: after.OwnerID, PoolID: after.PoolID})
	case cause == CauseAssign && after.Status == StatusAssigned && after.OwnerID != "" && after.OwnerID != m.ActorID &&
		(before.Status != StatusAssigned || before.OwnerID != after.OwnerID):
		out = append(out, Email{Key: key(EmailAssigned), Kind: EmailAssigned, RepID: after.OwnerID,
			PoolID: after.PoolID, Reason: m.Reason, ActorID: m.ActorID})
	case (cause == CauseIntake || cause == CauseTransfer) && after.Status == StatusPooled && after.Source != SourceImport &&
		(before.Status != StatusPooled || before.PoolID != after.PoolID):
		out = append(out, Email{Key: key(EmailNewLead), Kind: EmailNewLead, PoolID: after.PoolID})
	}
	for i := range out {
		out[i].LeadID = after.ID
	}
	return out
}
