package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/leadflow/leadflow/lead"
)

// SignalMerged tells a lead's workflow that a duplicate registration was
// merged into its lead (MergedSignal). When the duplicate came through a
// rep's invite link and the lead sits in a global or country pool (or the
// rep's own team's pool), the lead goes to that rep (seed 000).
const SignalMerged = "merged"

// ActivityAssignToInviter is the activity that gives the lead to the inviter.
const ActivityAssignToInviter = "AssignToInviter"

// MergedSignal is the payload of SignalMerged.
type MergedSignal struct {
	LeadID    string `json:"lead_id"`    // the duplicate, now merged
	InviterID string `json:"inviter_id"` // the rep whose invite link registered it
}

// merges receives the merged signals; merging counts those being handled,
// so that continue-as-new waits for them.
type merges struct {
	ch      workflow.ReceiveChannel
	running int
}

func (s *leadState) listenMerges(ctx workflow.Context) *merges {
	m := &merges{ch: workflow.GetSignalChannel(ctx, SignalMerged)}
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var sig MergedSignal
			m.ch.Receive(ctx, &sig)
			m.running++
			s.assignInviter(ctx, sig)
			m.running--
		}
	})
	return m
}

// drain handles the merged signals still queued; called before the
// workflow continues as new so none is lost.
func (m *merges) drain(ctx workflow.Context, s *leadState) error {
	if err := workflow.Await(ctx, func() bool { return m.running == 0 }); err != nil {
		return err
	}
	for {
		var sig MergedSignal
		if !m.ch.ReceiveAsync(&sig) {
			return nil
		}
		s.assignInviter(ctx, sig)
	}
}

// assignInviter gives the pooled lead to the inviter of a merged duplicate.
// A refusal (another team's pool, the rep is full) leaves the lead where it
// is; its history has the re-registration either way.
func (s *leadState) assignInviter(ctx workflow.Context, sig MergedSignal) {
	if sig.InviterID == "" {
		return
	}
	if err := s.mu.Lock(ctx); err != nil {
		return
	}
	defer s.mu.Unlock()
	if s.lead.Status != lead.StatusPooled {
		return
	}
	cmd := lead.Move{LeadID: s.lead.ID, ActorID: sig.InviterID, RepID: sig.InviterID,
		Reason: "registered again through the rep's invite link", RequestID: WorkflowID(s.lead.ID) + "/merged/" + sig.LeadID}
	var l lead.Lead
	if err := s.local(ctx, ActivityAssignToInviter, cmd, &l); err != nil {
		workflow.GetLogger(ctx).Info("the merged lead stays in its pool", "lead", s.lead.ID, "inviter", sig.InviterID, "reason", err)
		return
	}
	s.set(ctx, l)
}

// announceMerge tells the lead a new registration was merged into that it
// came from an invite link.
func announceMerge(ctx workflow.Context, merged lead.Lead, in lead.Lead) {
	if merged.Status != lead.StatusMerged || merged.MergedInto == "" || in.Intake == nil || in.Intake.InviterID == "" {
		return
	}
	sig := MergedSignal{LeadID: merged.ID, InviterID: in.Intake.InviterID}
	// A finished target (converted, closed) cannot be signalled; the merge is recorded anyway.
	_ = workflow.SignalExternalWorkflow(ctx, WorkflowID(merged.MergedInto), "", SignalMerged, sig).Get(ctx, nil)
}
