package service

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/workflows"
)

// The actions on a lead: each checks its input, asks the access model
// (LeadFor) and sends the update to the lead's workflow, which checks
// again. key is the request's idempotency key ("" for none): a retry with
// the same key is applied once.

// ClaimInput is a claim: why, and when the rep expects to follow up: at
// a time, or in a span ("2 working days", "4h") counted from now on the
// pool's calendar, as the pool's own timers count.
type ClaimInput struct {
	Reason     string     `json:"reason"`
	ExpectedAt *time.Time `json:"expected_follow_up_at"`
	ExpectedIn string     `json:"expected_follow_up_in"`
}

// Claim gives lead id to me.
func (s *Service) Claim(ctx context.Context, me lead.User, id, key string, in ClaimInput) (lead.Lead, error) {
	if utf8.RuneCountInString(in.Reason) > 1000 {
		return lead.Lead{}, lead.Invalid(lead.FieldError{Field: "reason", Reason: "is longer than 1000 characters"})
	}
	var within lead.Span
	if in.ExpectedIn = strings.TrimSpace(in.ExpectedIn); in.ExpectedIn != "" {
		var err error
		if within, err = lead.ParseSpan(in.ExpectedIn); err != nil {
			return lead.Lead{}, lead.Invalid(lead.FieldError{Field: "expected_follow_up_in", Reason: err.Error(), Code: lead.ReasonInvalidDuration})
		}
		if in.ExpectedAt != nil {
			return lead.Lead{}, lead.Invalid(lead.FieldError{Field: "expected_follow_up_in", Reason: "give expected_follow_up_at or expected_follow_up_in, not both"})
		}
	}
	l, err := s.LeadFor(ctx, me, id, lead.ActClaim)
	if err != nil {
		return l, err
	}
	if within.On() {
		var cal *lead.Calendar
		if l.Policy != nil {
			cal = l.Policy.Calendar
		}
		at := within.After(time.Now(), cal)
		in.ExpectedAt = &at
	}
	var out lead.Lead
	arg := workflows.ClaimInput{RepID: me.ID, Reason: strings.TrimSpace(in.Reason), ExpectedAt: in.ExpectedAt}
	if err := s.update(ctx, me, key, l.ID, workflows.UpdateClaim, arg, &out); err != nil {
		return out, err
	}
	s.eventExits(ctx, l.ID, lead.EventClaimed, me.ID)
	return lead.Redact(me, out), nil
}

// FollowUpInput is a follow-up: its type, what happened, the next step and
// when, and the lead's new stage.
type FollowUpInput struct {
	Type     string     `json:"type"`
	Content  string     `json:"content"`
	NextStep string     `json:"next_step"`
	NextAt   *time.Time `json:"next_at"`
	Stage    string     `json:"stage"`
}

// FollowUp records me's follow-up on lead id.
func (s *Service) FollowUp(ctx context.Context, me lead.User, id, key string, in FollowUpInput) (lead.FollowUp, error) {
	var out lead.FollowUp
	var bad lead.Fields
	in.Type, in.Content, in.NextStep = strings.TrimSpace(in.Type), strings.TrimSpace(in.Content), strings.TrimSpace(in.NextStep)
	if err := s.checkOption(ctx, &bad, "type", lead.OptionFollowUpTypes, in.Type); err != nil {
		return out, err
	}
	if in.Content == "" {
		bad.Add("content", "is required")
	} else if utf8.RuneCountInString(in.Content) > 10000 {
		bad.Add("content", "is longer than 10000 characters")
	}
	if utf8.RuneCountInString(in.NextStep) > 1000 {
		bad.Add("next_step", "is longer than 1000 characters")
	}
	if in.Stage != "" {
		if err := s.checkOption(ctx, &bad, "stage", lead.OptionStages, in.Stage); err != nil {
			return out, err
		}
	}
	if err := bad.Err(); err != nil {
		return out, err
	}
	l, err := s.LeadFor(ctx, me, id, lead.ActFollowUp)
	if err != nil {
		return out, err
	}
	// The follow-up id is derived from the request, so a retry records one follow-up.
	fid := uuid.Must(uuid.NewV7()).String()
	if key != "" {
		fid = uuid.NewSHA1(idNamespace, []byte(l.ID+"\x00follow-up\x00"+me.ID+"\x00"+key)).String()
	}
	arg := workflows.FollowUpInput{FollowUpID: fid, AuthorID: me.ID, Type: in.Type, Content: in.Content,
		NextStep: in.NextStep, NextAt: in.NextAt, Stage: in.Stage}
	err = s.update(ctx, me, key, l.ID, workflows.UpdateFollowUp, arg, &out)
	return out, err
}

// Convert turns lead id into a customer (and an order), the given values
// winning over the conversion rules' mapping.
func (s *Service) Convert(ctx context.Context, me lead.User, id, key string, customer, order map[string]any) (lead.Converted, error) {
	var out lead.Converted
	if err := CheckConversion(customer, order); err != nil {
		return out, err
	}
	l, err := s.LeadFor(ctx, me, id, lead.ActConvert)
	if err != nil {
		return out, err
	}
	// One customer per lead, whatever the retries.
	arg := workflows.ConvertInput{ActorID: me.ID, CustomerID: uuid.NewSHA1(idNamespace, []byte("customer\x00"+l.ID)).String(),
		Customer: customer, Order: order}
	if err := s.update(ctx, me, key, l.ID, workflows.UpdateConvert, arg, &out); err != nil {
		return out, err
	}
	s.eventExits(ctx, l.ID, lead.EventConverted, me.ID)
	out.Lead = lead.Redact(me, out.Lead)
	return out, nil
}

// Move is one lifecycle action: its path under /leads/{id}/, its action in
// the access model, the workflow update that does it, the input field it
// needs ("" for none), and the event it records in the lead's history.
type Move struct {
	Path     string
	Act      lead.Action
	Update   string
	Required string
	Event    lead.EventType
}

// Moves are the lifecycle actions, for the API's routes and the console's forms.
var Moves = []Move{
	{"assign", lead.ActAssign, workflows.UpdateAssign, "rep_id", lead.EventAssigned},
	{"transfer", lead.ActTransfer, workflows.UpdateTransfer, "pool_id", lead.EventTransferred},
	{"reclaim", lead.ActReclaim, workflows.UpdateReclaim, "", lead.EventReclaimed},
	{"close", lead.ActClose, workflows.UpdateClose, "", lead.EventClosed},
	{"accept", lead.ActAccept, workflows.UpdateAccept, "", lead.EventAccepted},
	{"decline", lead.ActDecline, workflows.UpdateDecline, "", lead.EventDeclined},
	{"return", lead.ActReturn, workflows.UpdateReturn, "reason", lead.EventReturned},
	// A lead an IP burst put under review (lead.Burst): an admin keeps it or rejects it.
	{"review/keep", lead.ActReview, workflows.UpdateKeepReviewed, "", lead.EventReviewKept},
	{"review/reject", lead.ActReview, workflows.UpdateRejectReviewed, "", lead.EventRejected},
}

// MoveInput is the input of the lifecycle actions; which fields apply
// depends on the action.
type MoveInput struct {
	RepID  string `json:"rep_id"`
	PoolID string `json:"pool_id"`
	Reason string `json:"reason"`
}

// checkMove trims and checks the input of lifecycle action m, naming a
// bad field as field says.
func (s *Service) checkMove(ctx context.Context, m Move, in *MoveInput, field func(string) string) error {
	in.Reason = strings.TrimSpace(in.Reason)
	var bad lead.Fields
	switch {
	case m.Required == "rep_id" && in.RepID == "":
		bad.Add(field("rep_id"), "is required: the rep to assign the lead to")
	case m.Required == "pool_id" && in.PoolID == "":
		bad.Add(field("pool_id"), "is required: the pool to transfer the lead to")
	case m.Required == "reason":
		if err := s.checkOption(ctx, &bad, field("reason"), lead.OptionInvalidReasons, in.Reason); err != nil {
			return err
		}
	}
	if utf8.RuneCountInString(in.Reason) > 1000 {
		bad.Add(field("reason"), "is longer than 1000 characters")
	}
	return bad.Err()
}

// DoMove does lifecycle action m on lead id for me.
func (s *Service) DoMove(ctx context.Context, me lead.User, id, key string, m Move, in MoveInput) (lead.Lead, error) {
	if err := s.checkMove(ctx, m, &in, func(f string) string { return f }); err != nil {
		return lead.Lead{}, err
	}
	l, err := s.LeadFor(ctx, me, id, m.Act)
	if err != nil {
		return l, err
	}
	arg := workflows.MoveInput{ActorID: me.ID, RepID: in.RepID, PoolID: in.PoolID, Reason: in.Reason}
	if m.Act == lead.ActAccept || m.Act == lead.ActDecline {
		arg.RepID = l.OwnerID // the rep the lead is offered to
	}
	var out lead.Lead
	if err := s.update(ctx, me, key, l.ID, m.Update, arg, &out); err != nil {
		return out, err
	}
	s.eventExits(ctx, l.ID, m.Event, me.ID) // an assignment or an accepted offer: the lead's sequences end
	return lead.Redact(me, out), nil
}

// Edit changes the fields of lead id that in sets.
func (s *Service) Edit(ctx context.Context, me lead.User, id, key string, in lead.EditFields) (lead.Lead, error) {
	arg := lead.Edit{ActorID: me.ID, EditFields: in}
	err := arg.Clean()
	bad, _ := lead.FieldsOf(err)
	if in.Stage != nil {
		if err := s.checkOption(ctx, &bad, "stage", lead.OptionStages, *in.Stage); err != nil {
			return lead.Lead{}, err
		}
	}
	var custom map[string]any
	if in.Custom != nil {
		custom = *in.Custom
	}
	if err := s.CheckLead(ctx, &bad, custom, in.Channel, in.Group, true); err != nil {
		return lead.Lead{}, err
	}
	if err := bad.Err(); err != nil {
		return lead.Lead{}, err
	}
	l, err := s.LeadFor(ctx, me, id, lead.ActEdit)
	if err != nil {
		return l, err
	}
	var out lead.Lead
	if err := s.update(ctx, me, key, l.ID, workflows.UpdateEdit, arg, &out); err != nil {
		return out, err
	}
	return lead.Redact(me, out), nil
}
