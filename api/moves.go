package api

import (
	"context"
	"errors"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"go.temporal.io/api/serviceerror"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/workflows"
)

// moveBody is the body of the lifecycle actions; which fields apply depends
// on the action.
type moveBody struct {
	RepID  string `json:"rep_id"`
	PoolID string `json:"pool_id"`
	Reason string `json:"reason"`
}

func (s *Server) routeMoves(v1 fiber.Router) {
	staff := s.requireRole(lead.RoleAdmin, lead.RoleManager)
	v1.Post("/leads/:id/assign", staff, s.moveAction(workflows.UpdateAssign, "rep_id"))
	v1.Post("/leads/:id/transfer", staff, s.moveAction(workflows.UpdateTransfer, "pool_id"))
	v1.Post("/leads/:id/reclaim", staff, s.moveAction(workflows.UpdateReclaim, ""))
	v1.Post("/leads/:id/close", staff, s.moveAction(workflows.UpdateClose, ""))
	v1.Post("/leads/:id/accept", s.moveAction(workflows.UpdateAccept, ""))
	v1.Post("/leads/:id/decline", s.moveAction(workflows.UpdateDecline, ""))
	v1.Post("/leads/:id/return", s.moveAction(workflows.UpdateReturn, "reason"))
	v1.Patch("/leads/:id", s.editLead)
}

// moveAction handles one lifecycle action: it checks the body and who may
// act, then sends the update to the lead's workflow.
func (s *Server) moveAction(update, required string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in moveBody
		if err := actionBody(c, &in); err != nil {
			return err
		}
		in.Reason = strings.TrimSpace(in.Reason)
		var bad lead.Fields
		switch {
		case required == "rep_id" && in.RepID == "":
			bad.Add("rep_id", "is required: the rep to assign the lead to")
		case required == "pool_id" && in.PoolID == "":
			bad.Add("pool_id", "is required: the pool to transfer the lead to")
		case required == "reason":
			if err := s.checkOption(c, &bad, "reason", lead.OptionInvalidReasons, in.Reason); err != nil {
				return err
			}
		}
		if utf8.RuneCountInString(in.Reason) > 1000 {
			bad.Add("reason", "is longer than 1000 characters")
		}
		if err := bad.Err(); err != nil {
			return err
		}
		me := caller(c)
		l, err := s.db.Lead(c.UserContext(), c.Params("id"))
		if err != nil {
			return err
		}
		arg := workflows.MoveInput{ActorID: me.ID, RepID: in.RepID, PoolID: in.PoolID, Reason: in.Reason}
		switch update {
		case workflows.UpdateAccept, workflows.UpdateDecline:
			if l.OwnerID != me.ID {
				return lead.Errorf(lead.CodeForbidden, "only the rep the lead is offered to may accept or decline it")
			}
			arg.RepID = me.ID
		case workflows.UpdateReturn:
			if !isStaff(me) && l.OwnerID != me.ID {
				return lead.Errorf(lead.CodeForbidden, "only the lead's owner, a manager or an admin may return it")
			}
		}
		var out lead.Lead
		if err := s.update(c, l.ID, update, arg, &out); err != nil {
			return err
		}
		return c.JSON(out)
	}
}

// editBody is the body of PATCH /leads/{id}: absent fields stay as they are.
type editBody struct {
	Name       *string         `json:"name"`
	Email      *string         `json:"email"`
	Phones     *[]string       `json:"phones"`
	Emails     *[]string       `json:"emails"`
	Stage      *string         `json:"stage"`
	Notes      *string         `json:"notes"`
	Tags       *[]string       `json:"tags"`
	Custom     *map[string]any `json:"custom"`
	Channel    *string         `json:"channel"`
	Profession *string         `json:"profession"`
	Address    *string         `json:"address"`
	District   *string         `json:"district"`
	Division   *string         `json:"division"`
}

func (s *Server) editLead(c *fiber.Ctx) error {
	var in editBody
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	var bad lead.Fields
	for name, v := range map[string]*string{"name": in.Name, "email": in.Email, "stage": in.Stage, "channel": in.Channel,
		"profession": in.Profession, "address": in.Address, "district": in.District, "division": in.Division} {
		if v != nil {
			*v = strings.TrimSpace(*v)
			if utf8.RuneCountInString(*v) > 200 {
				bad.Add(name, "is longer than 200 characters")
			}
		}
	}
	if in.Notes != nil && utf8.RuneCountInString(*in.Notes) > 10000 {
		bad.Add("notes", "is longer than 10000 characters")
	}
	if in.Stage != nil {
		if err := s.checkOption(c, &bad, "stage", lead.OptionStages, *in.Stage); err != nil {
			return err
		}
	}
	if in.Email != nil && *in.Email != "" && !validEmail(*in.Email) {
		bad.Add("email", "is not a valid e-mail address")
	}
	if in.Emails != nil {
		for _, e := range *in.Emails {
			if !validEmail(e) {
				bad.Add("emails", "each must be a valid e-mail address")
				break
			}
		}
	}
	if in.Phones != nil {
		for _, p := range *in.Phones {
			if strings.TrimSpace(p) == "" || utf8.RuneCountInString(p) > 40 {
				bad.Add("phones", "each must have 1 to 40 characters")
				break
			}
		}
	}
	if in.Tags != nil && len(*in.Tags) > 50 {
		bad.Add("tags", "has more than 50 tags")
	}
	if err := bad.Err(); err != nil {
		return err
	}
	l, err := s.owned(c)
	if err != nil {
		return err
	}
	arg := lead.Edit{ActorID: caller(c).ID, Name: in.Name, Email: in.Email, Phones: in.Phones, Emails: in.Emails, Stage: in.Stage,
		Notes: in.Notes, Tags: in.Tags, Custom: in.Custom, Channel: in.Channel, Profession: in.Profession, Address: in.Address,
		District: in.District, Division: in.Division}
	var out lead.Lead
	if err := s.update(c, l.ID, workflows.UpdateEdit, arg, &out); err != nil {
		return err
	}
	return c.JSON(out)
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

// signalPolicy tells the running workflows of a pool's leads about its new
// policy, so their timers re-arm. A lead whose workflow ended meanwhile is skipped.
func (s *Server) signalPolicy(ctx context.Context, poolID string, p lead.Policy) error {
	ids, err := s.db.LiveLeadIDs(ctx, poolID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		err := s.tc.SignalWorkflow(ctx, workflows.WorkflowID(id), "", workflows.SignalPolicy, p)
		var nf *serviceerror.NotFound
		if err != nil && !errors.As(err, &nf) {
			return s.temporalError(err)
		}
	}
	return nil
}
