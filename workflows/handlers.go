package workflows

import (
	"errors"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/leadflow/leadflow/lead"
)

// moves maps the move updates to their activity and their action in the
// access model (lead.Permissions), whose statuses the validators check.
var moves = []struct {
	update, activity string
	act              lead.Action
}{
	{UpdateAssign, ActivityAssign, lead.ActAssign},
	{UpdateTransfer, ActivityTransfer, lead.ActTransfer},
	{UpdateAccept, ActivityAccept, lead.ActAccept},
	{UpdateDecline, ActivityDecline, lead.ActDecline},
	{UpdateReturn, ActivityReturn, lead.ActReturn},
	{UpdateReclaim, ActivityReclaim, lead.ActReclaim},
	{UpdateClose, ActivityClose, lead.ActClose},
	{UpdateReopen, ActivityReopen, lead.ActReopen},
	{UpdateKeepReviewed, ActivityKeepReviewed, lead.ActReview},
	{UpdateRejectReviewed, ActivityRejectReviewed, lead.ActReview},
}

// register sets the query and update handlers. A validator refuses an
// update from a status its action does not start from; the refusal costs
// no history event. Who may act is checked by the API and, atomically,
// by the store transaction the activity runs.
func (s *leadState) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryLead, func() (lead.Lead, error) { return s.lead, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, UpdateIntake, func(ctx workflow.Context) (lead.IntakeResult, error) {
		err := workflow.Await(ctx, func() bool { return s.lead.Status != lead.StatusReceived })
		if s.intake.Outcome == "" {
			// A continued run: intake was decided in an earlier run.
			s.intake = lead.IntakeResult{Lead: s.lead}
		}
		return s.intake, err
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateClaim, s.claim, workflow.UpdateHandlerOptions{
		Validator: func(ctx workflow.Context, in ClaimInput) error {
			if in.RepID == "" {
				return Refusal(lead.Invalid(lead.FieldError{Field: "rep_id", Reason: "is required"}))
			}
			return s.expect(lead.ActClaim)
		},
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateFollowUp, s.followUp, workflow.UpdateHandlerOptions{
		Validator: func(ctx workflow.Context, in FollowUpInput) error { return s.expect(lead.ActFollowUp) },
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateConvert, s.convert, workflow.UpdateHandlerOptions{
		Validator: func(ctx workflow.Context, in ConvertInput) error { return s.expect(lead.ActConvert) },
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateEdit, s.edit, workflow.UpdateHandlerOptions{
		Validator: func(ctx workflow.Context, in lead.Edit) error { return s.expect(lead.ActEdit) },
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateReadmit, s.readmit, workflow.UpdateHandlerOptions{
		Validator: func(ctx workflow.Context, in MoveInput) error { return s.expect(lead.ActReadmit) },
	}); err != nil {
		return err
	}
	for _, m := range moves {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, m.update, func(ctx workflow.Context, in MoveInput) (lead.Lead, error) {
			return s.move(ctx, m.activity, m.act, in)
		}, workflow.UpdateHandlerOptions{
			Validator: func(ctx workflow.Context, in MoveInput) error { return s.expect(m.act) },
		}); err != nil {
			return err
		}
	}
	return nil
}

// expect refuses an action from a status the access model does not let it
// start from.
func (s *leadState) expect(act lead.Action) error {
	if err := lead.Permissions[act].CheckStatus(s.lead.Status); err != nil {
		var e *lead.Error
		errors.As(err, &e)
		return Refusal(e)
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
func (s *leadState) move(ctx workflow.Context, activity string, act lead.Action, in MoveInput) (lead.Lead, error) {
	if err := s.mu.Lock(ctx); err != nil {
		return s.lead, err
	}
	defer s.mu.Unlock()
	defer s.revived(act)
	if err := s.expect(act); err != nil {
		return s.lead, err
	}
	cmd := lead.Move{LeadID: s.lead.ID, ActorID: in.ActorID, RepID: in.RepID, PoolID: in.PoolID, Reason: in.Reason, RequestID: requestID(ctx)}
	var r lead.Moved
	if err := s.local(ctx, activity, cmd, &r); err != nil {
		return s.lead, err
	}
	s.moved(ctx, activity, r, cmd)
	return r.Lead, nil
}

// moved records the lead as move m (made by activity) left it and starts
// the e-mails the move calls for, unless its transaction queued them in
// the outbox (lead.Moved.EmailsQueued, recorded in the history with the
// activity's answer, so a history replays the way it ran).
func (s *leadState) moved(ctx workflow.Context, activity string, r lead.Moved, m lead.Move) {
	before := s.lead
	s.set(ctx, r.Lead)
	if !r.EmailsQueued {
		s.notifyMove(ctx, activity, before, r.Lead, m)
	}
}

// readmit overrides a rejection: the lead is received again (with the
// admin's reason in its history) and goes through intake, whose
// validation is recorded but not applied (lead.IntakeOptions.Readmission).
func (s *leadState) readmit(ctx workflow.Context, in MoveInput) (lead.Lead, error) {
	if err := s.mu.Lock(ctx); err != nil {
		return s.lead, err
	}
	defer s.mu.Unlock()
	defer s.revived(lead.ActReadmit)
	if err := s.expect(lead.ActReadmit); err != nil {
		return s.lead, err
	}
	m := lead.Move{LeadID: s.lead.ID, ActorID: in.ActorID, Reason: in.Reason, RequestID: requestID(ctx)}
	var received lead.Lead
	if err := s.local(ctx, ActivityReadmit, m, &received); err != nil {
		return s.lead, err
	}
	intake := NewLeadInput(received)
	intake.Intake = &lead.IntakeOptions{Readmission: m.RequestID}
	var decided lead.IntakeResult
	if err := s.local(ctx, ActivityIntake, intake, &decided); err != nil {
		return s.lead, err
	}
	s.intake = decided
	s.set(ctx, decided.Lead)
	s.notifyMove(ctx, ActivityIntake, received, decided.Lead, lead.Move{RequestID: m.RequestID + "/intake"})
	return decided.Lead, nil
}

// revived notes that the update that revives a finished lead (reopen,
// readmit) has run, whatever its outcome: a run started for it (Revive)
// need not wait longer.
func (s *leadState) revived(act lead.Action) {
	if act == lead.ActReopen || act == lead.ActReadmit {
		s.reviveDone = true
	}
}

func (s *leadState) claim(ctx workflow.Context, in ClaimInput) (lead.Lead, error) {
	if err := s.mu.Lock(ctx); err != nil {
		return s.lead, err
	}
	defer s.mu.Unlock()
	if err := s.expect(lead.ActClaim); err != nil {
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
	if err := s.expect(lead.ActFollowUp); err != nil {
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
	if err := s.expect(lead.ActConvert); err != nil {
		return lead.Converted{}, err
	}
	cmd := lead.Conversion{LeadID: s.lead.ID, ActorID: in.ActorID, RequestID: requestID(ctx), CustomerID: in.CustomerID,
		CustomerOverrides: in.Customer, OrderOverrides: in.Order}
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
