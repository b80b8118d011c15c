package api

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/workflows"
)

// This file holds every action on a lead: each checks its body, asks the
// access model (leadFor) and sends the update to the lead's workflow.

func (s *Server) routeActions(v1 fiber.Router) {
	v1.Post("/leads/:id/claim", s.claimLead)
	v1.Post("/leads/:id/follow-ups", s.followUp)
	v1.Post("/leads/:id/convert", s.convertLead)
	for _, m := range moves {
		v1.Post("/leads/:id/"+m.path, s.moveAction(m.act, m.update, m.required))
	}
	v1.Patch("/leads/:id", s.editLead)
}

// moveSpec is one lifecycle action: its path under /leads/{id}/, its
// action in the access model, the workflow update that does it, and the
// body field it needs ("" for none).
type moveSpec struct {
	path     string
	act      lead.Action
	update   string
	required string
}

// moves are the lifecycle actions, for the API's routes and the console's forms.
var moves = []moveSpec{
	{"assign", lead.ActAssign, workflows.UpdateAssign, "rep_id"},
	{"transfer", lead.ActTransfer, workflows.UpdateTransfer, "pool_id"},
	{"reclaim", lead.ActReclaim, workflows.UpdateReclaim, ""},
	{"close", lead.ActClose, workflows.UpdateClose, ""},
	{"accept", lead.ActAccept, workflows.UpdateAccept, ""},
	{"decline", lead.ActDecline, workflows.UpdateDecline, ""},
	{"return", lead.ActReturn, workflows.UpdateReturn, "reason"},
}

// actionBody decodes an optional JSON body: an empty body is allowed.
func actionBody(c *fiber.Ctx, v any) error {
	if len(strings.TrimSpace(string(c.Body()))) == 0 {
		return nil
	}
	return decodeJSON(c, v)
}

type claimBody struct {
	Reason     string     `json:"reason"`
	ExpectedAt *time.Time `json:"expected_follow_up_at"`
}

func (s *Server) claimLead(c *fiber.Ctx) error {
	var in claimBody
	if err := actionBody(c, &in); err != nil {
		return err
	}
	out, err := s.claim(c, in)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// claim gives the lead of the route's :id to the caller: the one
// implementation of a claim, for the API and the console.
func (s *Server) claim(c *fiber.Ctx, in claimBody) (lead.Lead, error) {
	if utf8.RuneCountInString(in.Reason) > 1000 {
		return lead.Lead{}, lead.Invalid(lead.FieldError{Field: "reason", Reason: "is longer than 1000 characters"})
	}
	l, err := s.leadFor(c, lead.ActClaim)
	if err != nil {
		return l, err
	}
	var out lead.Lead
	arg := workflows.ClaimInput{RepID: caller(c).ID, Reason: strings.TrimSpace(in.Reason), ExpectedAt: in.ExpectedAt}
	if err := s.update(c, l.ID, workflows.UpdateClaim, arg, &out); err != nil {
		return out, err
	}
	return redact(caller(c), out), nil
}

type followUpBody struct {
	Type     string     `json:"type"`
	Content  string     `json:"content"`
	NextStep string     `json:"next_step"`
	NextAt   *time.Time `json:"next_at"`
	Stage    string     `json:"stage"`
}

func (s *Server) followUp(c *fiber.Ctx) error {
	var in followUpBody
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	out, err := s.recordFollowUp(c, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

// recordFollowUp records the caller's follow-up on the lead of the route's
// :id: the one implementation, for the API and the console.
func (s *Server) recordFollowUp(c *fiber.Ctx, in followUpBody) (lead.FollowUp, error) {
	var out lead.FollowUp
	var bad lead.Fields
	in.Type, in.Content, in.NextStep = strings.TrimSpace(in.Type), strings.TrimSpace(in.Content), strings.TrimSpace(in.NextStep)
	if err := s.checkOption(c, &bad, "type", lead.OptionFollowUpTypes, in.Type); err != nil {
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
		if err := s.checkOption(c, &bad, "stage", lead.OptionStages, in.Stage); err != nil {
			return out, err
		}
	}
	if err := bad.Err(); err != nil {
		return out, err
	}
	l, err := s.leadFor(c, lead.ActFollowUp)
	if err != nil {
		return out, err
	}
	me := caller(c)
	// The follow-up id is derived from the request, so a retry records one follow-up.
	fid := uuid.Must(uuid.NewV7()).String()
	if k := c.Get("Idempotency-Key"); k != "" {
		fid = uuid.NewSHA1(idNamespace, []byte(l.ID+"\x00follow-up\x00"+me.ID+"\x00"+k)).String()
	}
	arg := workflows.FollowUpInput{FollowUpID: fid, AuthorID: me.ID, Type: in.Type, Content: in.Content,
		NextStep: in.NextStep, NextAt: in.NextAt, Stage: in.Stage}
	err = s.update(c, l.ID, workflows.UpdateFollowUp, arg, &out)
	return out, err
}

func (s *Server) convertLead(c *fiber.Ctx) error {
	var in convertBody
	if err := actionBody(c, &in); err != nil {
		return err
	}
	customer, order, err := in.values()
	if err != nil {
		return err
	}
	out, err := s.convert(c, customer, order)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// convert turns the lead of the route's :id into a customer (and an
// order), the given values winning over the conversion rules' mapping: the
// one implementation, for the API and the console.
func (s *Server) convert(c *fiber.Ctx, customer, order map[string]any) (lead.Converted, error) {
	var out lead.Converted
	l, err := s.leadFor(c, lead.ActConvert)
	if err != nil {
		return out, err
	}
	// One customer per lead, whatever the retries.
	arg := workflows.ConvertInput{ActorID: caller(c).ID, CustomerID: uuid.NewSHA1(idNamespace, []byte("customer\x00"+l.ID)).String(),
		Customer: customer, Order: order}
	if err := s.update(c, l.ID, workflows.UpdateConvert, arg, &out); err != nil {
		return out, err
	}
	out.Lead = redact(caller(c), out.Lead)
	return out, nil
}

// moveBody is the body of the lifecycle actions; which fields apply depends
// on the action.
type moveBody struct {
	RepID  string `json:"rep_id"`
	PoolID string `json:"pool_id"`
	Reason string `json:"reason"`
}

// moveAction handles one lifecycle action: it checks the body and that
// the caller may act, then sends the update to the lead's workflow.
func (s *Server) moveAction(act lead.Action, update, required string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in moveBody
		if err := actionBody(c, &in); err != nil {
			return err
		}
		out, err := s.move(c, act, update, required, in)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

// move does one lifecycle action on the lead of the route's :id: the one
// implementation, for the API and the console. required names the body
// field the action needs ("" for none).
func (s *Server) move(c *fiber.Ctx, act lead.Action, update, required string, in moveBody) (lead.Lead, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	var bad lead.Fields
	switch {
	case required == "rep_id" && in.RepID == "":
		bad.Add("rep_id", "is required: the rep to assign the lead to")
	case required == "pool_id" && in.PoolID == "":
		bad.Add("pool_id", "is required: the pool to transfer the lead to")
	case required == "reason":
		if err := s.checkOption(c, &bad, "reason", lead.OptionInvalidReasons, in.Reason); err != nil {
			return lead.Lead{}, err
		}
	}
	if utf8.RuneCountInString(in.Reason) > 1000 {
		bad.Add("reason", "is longer than 1000 characters")
	}
	if err := bad.Err(); err != nil {
		return lead.Lead{}, err
	}
	l, err := s.leadFor(c, act)
	if err != nil {
		return l, err
	}
	arg := workflows.MoveInput{ActorID: caller(c).ID, RepID: in.RepID, PoolID: in.PoolID, Reason: in.Reason}
	if act == lead.ActAccept || act == lead.ActDecline {
		arg.RepID = l.OwnerID // the rep the lead is offered to
	}
	var out lead.Lead
	if err := s.update(c, l.ID, update, arg, &out); err != nil {
		return out, err
	}
	return redact(caller(c), out), nil
}

// editBody is the body of PATCH /leads/{id}: absent fields stay as they are.
type editBody struct {
	Name       *string         `json:"name"`
	Company    *string         `json:"company"`
	Phone      *string         `json:"phone"`
	Country    *string         `json:"country"`
	Email      *string         `json:"email"`
	Phones     *[]string       `json:"phones"`
	Emails     *[]string       `json:"emails"`
	Stage      *string         `json:"stage"`
	Notes      *string         `json:"notes"`
	Tags       *[]string       `json:"tags"`
	Custom     *map[string]any `json:"custom"`
	Channel    *string         `json:"channel"`
	Group      *string         `json:"group"`
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
	out, err := s.edit(c, in)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// edit changes the fields of the lead of the route's :id that in sets: the
// one implementation, for the API and the console.
func (s *Server) edit(c *fiber.Ctx, in editBody) (lead.Lead, error) {
	arg := lead.Edit{ActorID: caller(c).ID, Name: in.Name, Company: in.Company, Phone: in.Phone, Country: in.Country, Email: in.Email, Phones: in.Phones, Emails: in.Emails, Stage: in.Stage,
		Notes: in.Notes, Tags: in.Tags, Custom: in.Custom, Channel: in.Channel, Group: in.Group, Profession: in.Profession, Address: in.Address,
		District: in.District, Division: in.Division}
	err := arg.Clean()
	bad, _ := lead.FieldsOf(err)
	if in.Stage != nil {
		if err := s.checkOption(c, &bad, "stage", lead.OptionStages, *in.Stage); err != nil {
			return lead.Lead{}, err
		}
	}
	var custom map[string]any
	if in.Custom != nil {
		custom = *in.Custom
	}
	if err := s.checkLead(c, &bad, custom, in.Channel, in.Group, true); err != nil {
		return lead.Lead{}, err
	}
	if err := bad.Err(); err != nil {
		return lead.Lead{}, err
	}
	l, err := s.leadFor(c, lead.ActEdit)
	if err != nil {
		return l, err
	}
	var out lead.Lead
	if err := s.update(c, l.ID, workflows.UpdateEdit, arg, &out); err != nil {
		return out, err
	}
	return redact(caller(c), out), nil
}
