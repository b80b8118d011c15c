// Package workflows holds leadflow's Temporal workflows and their contract:
// the names of updates and queries, their payloads, and the activity names
// the workflows call. Code here is deterministic; every side effect is an
// activity.
package workflows

import (
	"errors"
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
	QueryLead      = "lead"      // -> lead.Lead, the workflow's view of the lead
)

// Activity names, as registered by the worker (methods of activities.Activities).
const (
	ActivityIntake   = "Intake"
	ActivityClaim    = "Claim"
	ActivityFollowUp = "RecordFollowUp"
	ActivityConvert  = "Convert"
)

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
}

// LeadWorkflow is the lifecycle of one lead: intake (validation), then
// pooled until claimed, followed up, and converted. Its ID is WorkflowID.
func LeadWorkflow(ctx workflow.Context, in lead.Lead) (lead.Lead, error) {
	s := &leadState{lead: in, mu: workflow.NewMutex(ctx)}
	s.lead.Status = lead.StatusReceived
	if err := s.register(ctx); err != nil {
		return s.lead, err
	}

	lctx := workflow.WithLocalActivityOptions(ctx, localOptions)
	var decided lead.Lead
	if err := workflow.ExecuteLocalActivity(lctx, ActivityIntake, in).Get(ctx, &decided); err != nil {
		return s.lead, err
	}
	s.set(ctx, decided)

	// Wait for the end of the lifecycle, then for the handler that ended it
	// to return its result.
	if err := workflow.Await(ctx, func() bool { return s.lead.Status.Terminal() }); err != nil {
		return s.lead, err
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return s.lead, err
	}
	return s.lead, nil
}

// set records a new view of the lead and keeps the search attributes current.
func (s *leadState) set(ctx workflow.Context, l lead.Lead) {
	old := s.lead
	s.lead = l
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
			return s.expect(lead.StatusPooled, "claimed")
		},
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateFollowUp, s.followUp, workflow.UpdateHandlerOptions{
		Validator: func(ctx workflow.Context, in FollowUpInput) error {
			return s.expect(lead.StatusAssigned, "followed up")
		},
	}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateConvert, s.convert, workflow.UpdateHandlerOptions{
		Validator: func(ctx workflow.Context, in ConvertInput) error {
			if s.lead.Status == lead.StatusConverted {
				return nil // idempotent: returns the existing customer
			}
			return s.expect(lead.StatusAssigned, "converted")
		},
	})
}

// expect refuses an update unless the lead is in status want. A refusal in
// a validator costs no history event.
func (s *leadState) expect(want lead.Status, action string) error {
	if s.lead.Status == want {
		return nil
	}
	return refused(lead.Conflict("the lead cannot be "+action,
		"wrong status: the lead is "+string(s.lead.Status)+", not "+string(want)))
}

func (s *leadState) claim(ctx workflow.Context, in ClaimInput) (lead.Lead, error) {
	if err := s.mu.Lock(ctx); err != nil {
		return s.lead, err
	}
	defer s.mu.Unlock()
	if err := s.expect(lead.StatusPooled, "claimed"); err != nil {
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
	if err := s.expect(lead.StatusAssigned, "followed up"); err != nil {
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
	return f, nil
}

func (s *leadState) convert(ctx workflow.Context, in ConvertInput) (lead.Converted, error) {
	if err := s.mu.Lock(ctx); err != nil {
		return lead.Converted{}, err
	}
	defer s.mu.Unlock()
	if s.lead.Status != lead.StatusConverted {
		if err := s.expect(lead.StatusAssigned, "converted"); err != nil {
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
