// Package workflows holds leadflow's Temporal workflows and their contract:
// the names of updates and queries, their payloads, and the activity names
// the workflows call. Code here is deterministic; every side effect is an
// activity.
package workflows

import (
	"errors"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/leadflow/leadflow/lead"
)

// TaskQueue is the task queue of every leadflow workflow and activity.
const TaskQueue = "leadflow"

// Update and query names of LeadWorkflow.
const (
	UpdateIntake   = "intake"    // waits for the intake decision and returns the lead
	UpdateClaim    = "claim"     // ClaimInput -> lead.Lead
	UpdateFollowUp = "follow-up" // FollowUpInput -> lead.FollowUp
	UpdateConvert  = "convert"   // ConvertInput -> lead.Converted
	UpdateAssign   = "assign"    // MoveInput{RepID} -> lead.Lead
	UpdateTransfer = "transfer"  // MoveInput{PoolID} -> lead.Lead
	UpdateAccept   = "accept"    // MoveInput -> lead.Lead
	UpdateDecline  = "decline"   // MoveInput -> lead.Lead
	UpdateReturn   = "return"    // MoveInput{Reason} -> lead.Lead
	UpdateReclaim  = "reclaim"   // MoveInput -> lead.Lead
	UpdateClose    = "close"     // MoveInput -> lead.Lead
	UpdateEdit     = "edit"      // lead.Edit -> lead.Lead
	QueryLead      = "lead"      // -> lead.Lead, the workflow's view of the lead
	// SignalPolicy carries the new policy of the lead's pool (lead.Policy):
	// the timers are re-armed from it.
	SignalPolicy = "policy-changed"
)

// Activity names, as registered by the worker (methods of activities.Activities).
const (
	ActivityIntake   = "Intake"
	ActivityClaim    = "Claim"
	ActivityFollowUp = "RecordFollowUp"
	ActivityConvert  = "Convert"
	ActivityAssign   = "Assign"
	ActivityTransfer = "Transfer"
	ActivityAccept   = "Accept"
	ActivityDecline  = "Decline"
	ActivityReturn   = "Return"
	ActivityReclaim  = "Reclaim"
	ActivityClose    = "Close"
	ActivityNotify   = "Notify"
	ActivityEdit     = "Edit"
)

// MoveInput is the payload of the assign, transfer, accept, decline,
// return, reclaim and close updates.
type MoveInput struct {
	ActorID string `json:"actor_id"`
	RepID   string `json:"rep_id,omitempty"`
	PoolID  string `json:"pool_id,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// Search attributes LeadWorkflow keeps current; the worker registers them.
var (
	LeadStatusKey = temporal.NewSearchAttributeKeyKeyword("LeadStatus")
	OwnerIDKey    = temporal.NewSearchAttributeKeyKeyword("OwnerId")
	PoolIDKey     = temporal.NewSearchAttributeKeyKeyword("PoolId")
)

// WorkflowID is the workflow ID of a lead's LeadWorkflow.
func WorkflowID(leadID string) string { return "lead/" + leadID }

// ClaimInput is the payload of the claim update.
type ClaimInput struct {
	RepID      string     `json:"rep_id"`
	Reason     string     `json:"reason,omitempty"`
	ExpectedAt *time.Time `json:"expected_follow_up_at,omitempty"`
}

// FollowUpInput is the payload of the follow-up update. FollowUpID is
// chosen by the caller so that a retried request records one follow-up.
type FollowUpInput struct {
	FollowUpID string     `json:"follow_up_id"`
	AuthorID   string     `json:"author_id"`
	Type       string     `json:"type"`
	Content    string     `json:"content"`
	NextStep   string     `json:"next_step,omitempty"`
	NextAt     *time.Time `json:"next_at,omitempty"`
	Stage      string     `json:"stage,omitempty"`
}

// ConvertInput is the payload of the convert update.
type ConvertInput struct {
	ActorID    string `json:"actor_id"`
	CustomerID string `json:"customer_id"`
}

// MaxHistoryEvents is the history length after which a lead's workflow
// continues as new (the server may suggest it earlier).
const MaxHistoryEvents = 10_000

// continueAsNew decides when a long-lived lead starts a fresh history; a
// variable so tests can force it.
var continueAsNew = func(ctx workflow.Context) bool {
	info := workflow.GetInfo(ctx)
	return info.GetContinueAsNewSuggested() || info.GetCurrentHistoryLength() > MaxHistoryEvents
}

// localOptions are the options of the short PostgreSQL steps, run as local
// activities to keep a lead's history small.
var localOptions = workflow.LocalActivityOptions{
	StartToCloseTimeout: 10 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:        200 * time.Millisecond,
		BackoffCoefficient:     2,
		MaximumInterval:        10 * time.Second,
		NonRetryableErrorTypes: []string{string(lead.CodeInvalid), string(lead.CodeConflict), string(lead.CodeNotFound), string(lead.CodeForbidden)},
	},
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
}

// LeadWorkflow is the lifecycle of one lead: intake (validation, scoring,
// routing, distribution), then the timers of its pool's policy while it is
// offered or assigned, until it is converted, closed, rejected or merged.
// Its ID is WorkflowID. A lead that is no longer received when the
// workflow starts is a continuation (continue-as-new) and skips intake.
func LeadWorkflow(ctx workflow.Context, in lead.Lead) (lead.Lead, error) {
	s := &leadState{lead: in, mu: workflow.NewMutex(ctx), fired: map[string]bool{}}
	if in.Status == "" {
		s.lead.Status = lead.StatusReceived
	}
	if err := s.register(ctx); err != nil {
		return s.lead, err
	}
	policies := workflow.GetSignalChannel(ctx, SignalPolicy)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var p lead.Policy
			policies.Receive(ctx, &p)
			s.lead.Policy = &p
			s.dirty = true
		}
	})
	merges := s.listenMerges(ctx)

	if s.lead.Status == lead.StatusReceived {
		lctx := workflow.WithLocalActivityOptions(ctx, localOptions)
		var decided lead.Lead
		if err := workflow.ExecuteLocalActivity(lctx, ActivityIntake, in).Get(ctx, &decided); err != nil {
			return s.lead, err
		}
		before := s.lead
		s.set(ctx, decided)
		announceMerge(ctx, decided, in)
		s.notifyMove(ctx, ActivityIntake, before, decided, lead.Move{RequestID: workflow.GetInfo(ctx).WorkflowExecution.ID + "/intake"})
	}

	for !s.lead.Status.Terminal() {
		if err := s.runTimers(ctx); err != nil {
			return s.lead, err
		}
		if !s.lead.Status.Terminal() && continueAsNew(ctx) {
			// A long-lived lead starts a fresh history; no update or signal is lost:
			// handlers and e-mails finish first and pending policy signals are applied.
			if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) && s.emailsDone() }); err != nil {
				return s.lead, err
			}
			if err := merges.drain(ctx, s); err != nil {
				return s.lead, err
			}
			for {
				var p lead.Policy
				if !policies.ReceiveAsync(&p) {
					break
				}
				s.lead.Policy = &p
			}
			return s.lead, workflow.NewContinueAsNewError(ctx, LeadWorkflow, s.lead)
		}
	}
	// Let the handler that ended the lifecycle return its result, and the e-mails go out.
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) && s.emailsDone() }); err != nil {
		return s.lead, err
	}
	return s.lead, nil
}

// set records a new view of the lead and keeps the search attributes current.
func (s *leadState) set(ctx workflow.Context, l lead.Lead) {
	old := s.lead
	s.lead = l
	s.dirty = true
	if old.Status == l.Status && old.OwnerID == l.OwnerID && old.PoolID == l.PoolID {
		return
	}
	// A failed upsert only affects visibility queries; the lead itself is in PostgreSQL.
	_ = workflow.UpsertTypedSearchAttributes(ctx,
		LeadStatusKey.ValueSet(string(l.Status)), OwnerIDKey.ValueSet(l.OwnerID), PoolIDKey.ValueSet(l.PoolID))
}

func (s *leadState) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryLead, func() (lead.Lead, error) { return s.lead, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, UpdateIntake, func(ctx workflow.Context) (lead.Lead, error) {
		err := workflow.Await(ctx, func() bool { return s.lead.Status != lead.StatusReceived })
		return s.lead, err
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateClaim, s.claim, workflow.UpdateHandlerOptions{
		Validator: func(ctx workflow.Context, in ClaimInput) error {
			if in.RepID == "" {
				return refused(lead.Invalid(lead.FieldError{Field: "rep_id", Reason: "is required"}))
			}
			return s.expect("claimed", lead.StatusPooled)
		},
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateFollowUp, s.followUp, workflow.UpdateHandlerOptions{
		Validator: func(ctx workflow.Context, in FollowUpInput) error {
			return s.expect("followed up", lead.StatusAssigned)
		},
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateConvert, s.convert, workflow.UpdateHandlerOptions{
		Validator: func(ctx workflow.Context, in ConvertInput) error {
			if s.lead.Status == lead.StatusConverted {
				return nil // idempotent: returns the existing customer
			}
			return s.expect("converted", lead.StatusAssigned)
		},
	}); err != nil {
		return err
	}
	live := []lead.Status{lead.StatusPooled, lead.StatusOffered, lead.StatusAssigned}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateEdit, s.edit, workflow.UpdateHandlerOptions{
		Validator: func(ctx workflow.Context, in lead.Edit) error { return s.expect("edited", live...) },
	}); err != nil {
		return err
	}
	for _, m := range []struct {
		update, activity, action string
		from                     []lead.Status
	}{
		{UpdateAssign, ActivityAssign, "assigned", live},
		{UpdateTransfer, ActivityTransfer, "transferred", live},
		{UpdateAccept, ActivityAccept, "accepted", []lead.Status{lead.StatusOffered}},
		{UpdateDecline, ActivityDecline, "declined", []lead.Status{lead.StatusOffered}},
		{UpdateReturn, ActivityReturn, "returned", []lead.Status{lead.StatusAssigned}},
		{UpdateReclaim, ActivityReclaim, "reclaimed", []lead.Status{lead.StatusOffered, lead.StatusAssigned}},
		{UpdateClose, ActivityClose, "closed", live},
	} {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, m.update, func(ctx workflow.Context, in MoveInput) (lead.Lead, error) {
			return s.move(ctx, m.activity, m.action, m.from, in)
		}, workflow.UpdateHandlerOptions{
			Validator: func(ctx workflow.Context, in MoveInput) error { return s.expect(m.action, m.from...) },
		}); err != nil {
			return err
		}
	}
	return nil
}

// edit changes the lead's details.
func (s *leadState) edit(ctx workflow.Context, in lead.Edit) (lead.Lead, error) {
	if err := s.mu.Lock(ctx); err != nil {
		return s.lead, err
	}
	defer s.mu.Unlock()
	in.LeadID, in.RequestID = s.lead.ID, requestID(ctx)
	var l lead.Lead
	if err := s.local(ctx, ActivityEdit, in, &l); err != nil {
		return s.lead, err
	}
	s.set(ctx, l)
	return l, nil
}

// move runs one lifecycle transition through its activity.
func (s *leadState) move(ctx workflow.Context, activity, action string, from []lead.Status, in MoveInput) (lead.Lead, error) {
	if err := s.mu.Lock(ctx); err != nil {
		return s.lead, err
	}
	defer s.mu.Unlock()
	if err := s.expect(action, from...); err != nil {
		return s.lead, err
	}
	cmd := lead.Move{LeadID: s.lead.ID, ActorID: in.ActorID, RepID: in.RepID, PoolID: in.PoolID, Reason: in.Reason, RequestID: requestID(ctx)}
	var l lead.Lead
	if err := s.local(ctx, activity, cmd, &l); err != nil {
		return s.lead, err
	}
	before := s.lead
	s.set(ctx, l)
	s.notifyMove(ctx, activity, before, l, cmd)
	return l, nil
}

// expect refuses an update unless the lead is in one of the statuses want.
// A refusal in a validator costs no history event.
func (s *leadState) expect(action string, want ...lead.Status) error {
	if slices.Contains(want, s.lead.Status) {
		return nil
	}
	names := make([]string, len(want))
	for i, w := range want {
		names[i] = string(w)
	}
	return refused(lead.Conflict("the lead cannot be "+action,
		"wrong status: the lead is "+string(s.lead.Status)+", not "+strings.Join(names, " or ")))
}

func (s *leadState) claim(ctx workflow.Context, in ClaimInput) (lead.Lead, error) {
	if err := s.mu.Lock(ctx); err != nil {
		return s.lead, err
	}
	defer s.mu.Unlock()
	if err := s.expect("claimed", lead.StatusPooled); err != nil {
		return s.lead, err
	}
	cmd := lead.Claim{LeadID: s.lead.ID, RepID: in.RepID, RequestID: requestID(ctx), Reason: in.Reason, ExpectedAt: in.ExpectedAt}
	var l lead.Lead
	if err := s.local(ctx, ActivityClaim, cmd, &l); err != nil {
		return s.lead, err
	}
	s.set(ctx, l)
	return l, nil
}

func (s *leadState) followUp(ctx workflow.Context, in FollowUpInput) (lead.FollowUp, error) {
	if err := s.mu.Lock(ctx); err != nil {
		return lead.FollowUp{}, err
	}
	defer s.mu.Unlock()
	if err := s.expect("followed up", lead.StatusAssigned); err != nil {
		return lead.FollowUp{}, err
	}
	cmd := lead.NewFollowUp{
		FollowUp: lead.FollowUp{ID: in.FollowUpID, LeadID: s.lead.ID, AuthorID: in.AuthorID, Type: in.Type,
			Content: in.Content, NextStep: in.NextStep, NextAt: in.NextAt},
		Stage:     in.Stage,
		RequestID: requestID(ctx),
	}
	var f lead.FollowUp
	if err := s.local(ctx, ActivityFollowUp, cmd, &f); err != nil {
		return f, err
	}
	s.lead.LastFollowUpAt = &f.CreatedAt
	if in.Stage != "" {
		s.lead.Stage = in.Stage
	}
	s.dirty = true // a follow-up resets the follow-up timer
	return f, nil
}

func (s *leadState) convert(ctx workflow.Context, in ConvertInput) (lead.Converted, error) {
	if err := s.mu.Lock(ctx); err != nil {
		return lead.Converted{}, err
	}
	defer s.mu.Unlock()
	if s.lead.Status != lead.StatusConverted {
		if err := s.expect("converted", lead.StatusAssigned); err != nil {
			return lead.Converted{}, err
		}
	}
	cmd := lead.Conversion{LeadID: s.lead.ID, ActorID: in.ActorID, RequestID: requestID(ctx), CustomerID: in.CustomerID}
	var out lead.Converted
	if err := s.local(ctx, ActivityConvert, cmd, &out); err != nil {
		return out, err
	}
	s.set(ctx, out.Lead)
	return out, nil
}

// local runs a short store step as a local activity and returns a refusal
// (conflict, not found...) as the bare application error, so the caller of
// the update sees the code and the reasons.
func (s *leadState) local(ctx workflow.Context, name string, arg, result any) error {
	lctx := workflow.WithLocalActivityOptions(ctx, localOptions)
	err := workflow.ExecuteLocalActivity(lctx, name, arg).Get(ctx, result)
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app
	}
	return err
}

// requestID is the idempotency key of the running update: its update ID,
// which the API derives from the request so a retried request is applied once.
func requestID(ctx workflow.Context) string {
	return workflow.GetInfo(ctx).WorkflowExecution.ID + "/" + workflow.GetCurrentUpdateInfo(ctx).ID
}
