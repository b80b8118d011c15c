// Package workflows holds leadflow's Temporal workflows (the lead's
// lifecycle, imports, exports, the daily digest), their contract
// (contract.go) and the helpers that start them from outside (client.go).
// Code here is deterministic; every side effect is an activity.
package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/leadflow/leadflow/lead"
)

// MaxHistoryEvents is the history length after which a lead's workflow
// continues as new (the server may suggest it earlier).
const MaxHistoryEvents = 10_000

// continueAsNew decides when a long-lived lead starts a fresh history; a
// variable so tests can force it.
var continueAsNew = func(ctx workflow.Context) bool {
	info := workflow.GetInfo(ctx)
	return info.GetContinueAsNewSuggested() || info.GetCurrentHistoryLength() > MaxHistoryEvents
}

// leadState is the workflow's view of its lead.
type leadState struct {
	lead lead.Lead
	// mu serialises the handlers that change the lead, so that two claims
	// arriving together are decided one after the other.
	mu workflow.Mutex
	// dirty says the lead or its policy changed: the timers are re-armed.
	dirty bool
	// fired holds the timers already handled in this run (see timers.go).
	fired map[string]bool
	// emails counts the e-mail activities started and not finished (email.go).
	emails int
	// intake is the answer of the intake update, once decided.
	intake lead.IntakeResult
	// noAttributes: the run keeps no search attributes (LeadInput).
	noAttributes bool
	// revision is the code revision the run started with (LeadInput).
	revision int
	// reviveDone: the update that revives a finished lead has run (revived).
	reviveDone bool
}

// ReviveWait is how long a run started to revive a finished lead (Revive)
// waits for its update before it ends, the lead still finished.
const ReviveWait = time.Minute

// LeadWorkflow is the lifecycle of one lead: intake (validation, scoring,
// routing, distribution), then the timers of its pool's policy while it is
// offered or assigned, until it is converted, closed, rejected or merged.
// Its ID is WorkflowID. A lead that is no longer received when the
// workflow starts is a continuation (continue-as-new) and skips intake.
func LeadWorkflow(ctx workflow.Context, in LeadInput) (lead.Lead, error) {
	s := &leadState{lead: in.Lead, mu: workflow.NewMutex(ctx), fired: map[string]bool{}, noAttributes: in.NoSearchAttributes, revision: in.Revision}
	if in.Status == "" {
		s.lead.Status = lead.StatusReceived
	}
	if err := s.register(ctx); err != nil {
		return s.lead, err
	}
	policies := workflow.GetSignalChannel(ctx, SignalPolicy)
	version := in.PolicyVersion
	// applyPolicy applies a policy signal unless an as new or newer one
	// was, or it is of a pool the lead left.
	applyPolicy := func(p PolicySignal) bool {
		if (p.Version != 0 && p.Version <= version) || (p.PoolID != "" && p.PoolID != s.lead.PoolID) {
			return false
		}
		version = max(version, p.Version)
		s.lead.Policy = &p.Policy
		return true
	}
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var p PolicySignal
			policies.Receive(ctx, &p)
			if applyPolicy(p) {
				s.dirty = true
			}
		}
	})
	merges := s.listenMerges(ctx)

	if s.lead.Status.Terminal() {
		// A run started by Revive (reopen, readmit): its update brings the lead back.
		if _, err := workflow.AwaitWithTimeout(ctx, ReviveWait, func() bool { return s.reviveDone || !s.lead.Status.Terminal() }); err != nil {
			return s.lead, err
		}
	}
	if s.lead.Status == lead.StatusReceived {
		lctx := workflow.WithLocalActivityOptions(ctx, localOptions)
		var decided lead.IntakeResult
		if err := workflow.ExecuteLocalActivity(lctx, ActivityIntake, in).Get(ctx, &decided); err != nil {
			return s.lead, err
		}
		before := s.lead
		s.intake = decided
		s.set(ctx, decided.Lead)
		announceMerge(ctx, decided.Lead, in.Intake)
		s.notifyMove(ctx, ActivityIntake, before, decided.Lead, lead.Move{RequestID: workflow.GetInfo(ctx).WorkflowExecution.ID + "/intake"})
	} else if in.TakenIn {
		// Taken in before the workflow started (only inputs since TakenIn
		// carry it): the intake's e-mails (an offer to a rep) go out from here,
		// under the keys an intake run here would use.
		before := s.lead
		before.Status, before.OwnerID, before.PoolID = lead.StatusReceived, "", ""
		s.intake = lead.IntakeResult{Lead: s.lead}
		s.notifyMove(ctx, ActivityIntake, before, s.lead, lead.Move{RequestID: workflow.GetInfo(ctx).WorkflowExecution.ID + "/intake"})
	}

	for {
		if err := s.live(ctx, merges, policies, applyPolicy, &version); err != nil || s.lead.Status.Terminal() {
			return s.lead, err
		}
		// A reopen or a readmission reached the run while it ended: the lifecycle goes on.
	}
}

// live runs the lead's timers until its lifecycle ends (or it continues as
// new: a ContinueAsNewError), then lets the handler that ended it return
// and the e-mails go out.
func (s *leadState) live(ctx workflow.Context, merges *merges, policies workflow.ReceiveChannel,
	applyPolicy func(PolicySignal) bool, version *int64) error {
	for !s.lead.Status.Terminal() {
		if err := s.runTimers(ctx); err != nil {
			return err
		}
		if !s.lead.Status.Terminal() && continueAsNew(ctx) {
			// A long-lived lead starts a fresh history; no update or signal is lost:
			// handlers and e-mails finish first and pending policy signals are applied.
			if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) && s.emailsDone() }); err != nil {
				return err
			}
			if err := merges.drain(ctx, s); err != nil {
				return err
			}
			for {
				var p PolicySignal
				if !policies.ReceiveAsync(&p) {
					break
				}
				applyPolicy(p)
			}
			return workflow.NewContinueAsNewError(ctx, LeadWorkflow, LeadInput{Lead: s.lead, PolicyVersion: *version,
				NoSearchAttributes: s.noAttributes, Revision: LeadRevision})
		}
	}
	// Let the handler that ended the lifecycle return its result, and the e-mails go out.
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) && s.emailsDone() })
}

// set records a new view of the lead and keeps the search attributes current.
func (s *leadState) set(ctx workflow.Context, l lead.Lead) {
	old := s.lead
	s.lead = l
	s.dirty = true
	if s.noAttributes || (old.Status == l.Status && old.OwnerID == l.OwnerID && old.PoolID == l.PoolID) {
		return
	}
	// A failed upsert only affects visibility queries; the lead itself is in PostgreSQL.
	_ = workflow.UpsertTypedSearchAttributes(ctx, attributeUpdates(l)...)
}
