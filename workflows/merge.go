package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/leadflow/leadflow/lead"
)

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

// assignInviter gives the pooled lead to the inviter of a merged duplicate
// when a claim by them would succeed. A refusal (another team's pool, the
// rep is full, over the daily limit, cooling down, the claim rule) leaves
// the lead where it is, and the activity records why in its history.
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
func announceMerge(ctx workflow.Context, merged lead.Lead, opts *lead.IntakeOptions) {
	if merged.Status != lead.StatusMerged || merged.MergedInto == "" || opts == nil || opts.InviterID == "" {
		return
	}
	sig := MergedSignal{LeadID: merged.ID, InviterID: opts.InviterID}
	// A finished target (converted, closed) cannot be signalled; the merge is recorded anyway.
	_ = workflow.SignalExternalWorkflow(ctx, WorkflowID(merged.MergedInto), "", SignalMerged, sig).Get(ctx, nil)
}
