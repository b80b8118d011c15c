package service

import (
	"context"
	"slices"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// The inbox: conversations of senders who are no lead (an unknown number,
// Messenger id or e-mail address, or a comment on the page's posts).
// Managers and admins see every conversation and assign it to a rep; a
// rep sees those assigned to them, and only the assignee may make a lead
// of one — through intake like any other lead, with its fields prefilled
// from the conversation and the duplicate policy of a rep's own leads
// (warn by default: a duplicate is created with a notice naming the lead).

// Conversations lists the conversations me sees in a state ("" for all;
// store.ConversationStates), the latest message first.
func (s *Service) Conversations(ctx context.Context, me lead.User, state string, limit int, cursor string) ([]lead.Conversation, string, error) {
	if err := Allowed(me, GateEveryone); err != nil {
		return nil, "", err
	}
	f := store.ConversationFilter{State: state, Limit: limit, Cursor: cursor}
	if me.Role == lead.RoleRep {
		f.AssigneeID = me.ID
	}
	out, next, err := s.db.Conversations(ctx, f)
	if out == nil {
		out = []lead.Conversation{}
	}
	return out, next, err
}

// Conversation is one conversation with its messages, when me sees it
// (staff, or the rep it is assigned to; not found otherwise).
func (s *Service) Conversation(ctx context.Context, me lead.User, id string) (lead.Conversation, error) {
	if err := Allowed(me, GateEveryone); err != nil {
		return lead.Conversation{}, err
	}
	c, err := s.db.Conversation(ctx, id)
	if err != nil {
		return c, err
	}
	if me.Role == lead.RoleRep && c.AssigneeID != me.ID {
		return lead.Conversation{}, lead.Errorf(lead.CodeNotFound, "conversation not found")
	}
	return c, nil
}

// AssignConversation gives conversation id to rep repID (managers and
// admins); assigning it again to the same rep changes nothing. A
// conversation made a lead is not assigned any more (conflict).
func (s *Service) AssignConversation(ctx context.Context, me lead.User, id, repID string) (lead.Conversation, error) {
	if err := Allowed(me, GateStaff); err != nil {
		return lead.Conversation{}, err
	}
	c, err := s.Conversation(ctx, me, id)
	if err != nil {
		return c, err
	}
	if c.LeadID != "" {
		return c, lead.Conflict("this conversation was made a lead", "lead "+c.LeadID+" was made of it")
	}
	rep, err := s.db.User(ctx, repID)
	if lead.ErrorCode(err) == lead.CodeNotFound || (err == nil && (!rep.Active || rep.Role != lead.RoleRep)) {
		return c, lead.Invalid(lead.FieldError{Field: "rep_id", Reason: "is not an active rep"})
	}
	if err != nil {
		return c, err
	}
	if err := s.db.AssignConversation(ctx, c.ID, rep.ID); err != nil {
		return c, err
	}
	return s.db.Conversation(ctx, c.ID)
}

// assigned is conversation id when me is its assignee: staff who see it
// but are not are forbidden.
func (s *Service) assigned(ctx context.Context, me lead.User, id string) (lead.Conversation, error) {
	c, err := s.Conversation(ctx, me, id)
	if err == nil && c.AssigneeID != me.ID {
		err = lead.Errorf(lead.CodeForbidden, "only the rep this conversation is assigned to may make a lead of it")
	}
	return c, err
}

// ConversationDraft is the lead the assignee's "Create lead" form starts
// from: the sender's name and address on the conversation's channel.
func (s *Service) ConversationDraft(ctx context.Context, me lead.User, id string) (lead.Input, error) {
	c, err := s.assigned(ctx, me, id)
	if err != nil {
		return lead.Input{}, err
	}
	if c.LeadID != "" {
		return lead.Input{}, lead.Conflict("this conversation was made a lead", "lead "+c.LeadID+" was made of it")
	}
	return s.draftOf(ctx, c)
}

// draftOf prefills a lead from conversation c: the Messenger id only
// when the custom field lead.MessengerIDField is defined.
func (s *Service) draftOf(ctx context.Context, c lead.Conversation) (lead.Input, error) {
	in := lead.Input{Contact: lead.Contact{Name: c.Name, Channel: c.Channel}}
	switch c.Channel {
	case lead.ChannelEmail:
		in.Email = c.Address
	case lead.ChannelSMS, lead.ChannelWhatsApp:
		in.Phone = c.Address
	case lead.ChannelMessenger:
		defs, err := s.db.Fields(ctx, "lead")
		if err != nil {
			return in, err
		}
		if slices.ContainsFunc(defs, func(d lead.FieldDef) bool { return d.Name == lead.MessengerIDField }) && c.Origin == lead.OriginMessage {
			in.Custom = map[string]any{lead.MessengerIDField: c.Address}
		}
	}
	return in, nil
}

// CreateConversationLead makes a lead of conversation id, by its
// assignee: in's fields, the draft's where in leaves them empty, taken in
// like a lead the rep creates (their duplicate policy, their own leads
// while they have room). The lead's id derives from the conversation, so
// a retry (or a second click) answers the same lead; the conversation's
// messages become its replies.
func (s *Service) CreateConversationLead(ctx context.Context, me lead.User, id string, in lead.Input) (Created, error) {
	c, err := s.assigned(ctx, me, id)
	if err != nil {
		return Created{}, err
	}
	d, err := s.draftOf(ctx, c)
	if err != nil {
		return Created{}, err
	}
	for _, f := range []struct{ v, def *string }{{&in.Name, &d.Name}, {&in.Phone, &d.Phone}, {&in.Email, &d.Email}} {
		if *f.v == "" {
			*f.v = *f.def
		}
	}
	for k, v := range d.Custom {
		if _, ok := in.Custom[k]; !ok {
			if in.Custom == nil {
				in.Custom = map[string]any{}
			}
			in.Custom[k] = v
		}
	}
	channel := "inbox-" + c.Channel
	if c.Origin == lead.OriginComment {
		channel = "inbox-comment"
	}
	out, err := s.createLead(ctx, me, LeadID(c.ID, "conversation"), in, lead.SourceManual, channel)
	if err != nil {
		return out, err
	}
	if !out.Merged && out.Lead.ID != "" {
		err = s.db.ConversationLead(ctx, c.ID, out.Lead.ID)
	} else if out.Lead.MergedInto != "" {
		err = s.db.ConversationLead(ctx, c.ID, out.Lead.MergedInto)
	}
	return out, err
}
