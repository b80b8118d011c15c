package service

import (
	"context"
	"strings"
	"text/template"

	"github.com/leadflow/leadflow/i18n"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/workflows"
)

// Messages to leads: one message, by template or written out, on one
// channel, by whoever may act on the lead (the follow-up's decision). It
// is stored (skipped at once when its address is suppressed), recorded as
// a message_sent event, and sent by its own workflow exactly once.

// MessageInput is a message to send: its channel and either a template of
// that channel or a subject (e-mail) and body.
type MessageInput struct {
	Channel    string `json:"channel"`
	TemplateID string `json:"template_id"`
	Subject    string `json:"subject"`
	Body       string `json:"body"`
}

// SendMessage sends a message to lead id on me's behalf; key is the
// request's idempotency key: a retry answers the same message and sends
// nothing more.
func (s *Service) SendMessage(ctx context.Context, me lead.User, id, key string, in MessageInput) (lead.Message, error) {
	l, err := s.LeadFor(ctx, me, id, lead.ActFollowUp)
	if err != nil {
		return lead.Message{}, err
	}
	msgID := LeadID(key, "message\x00"+me.ID)
	n, err := s.queueMessage(ctx, me, l, in, lead.Notification{ID: msgID, Key: "message/" + msgID}, nil)
	if err != nil {
		return lead.Message{}, err
	}
	if n.Status == lead.NotificationQueued {
		ctx, cancel := context.WithTimeout(ctx, s.cfg.UpdateTimeout)
		defer cancel()
		if err := workflows.StartMessage(ctx, s.tc, n.Key); err != nil {
			// Stored and queued: the worker starts it (UnstartedMessages),
			// and a retry with the same key answers it.
			return lead.Message{}, TemporalError(err)
		}
		if err := s.db.MessageStarted(ctx, n.Key); err != nil {
			s.log.Warn("record a message's start", "key", n.Key, "err", err) // the worker's start is a no-op then
		}
	}
	if err := s.messageFollowUp(ctx, me, l, n); err != nil {
		return lead.Message{}, err
	}
	return lead.MessageOf(n), nil
}

// queueMessage renders message in to l from me and stores it under the
// id and key of at (and its enrolment, for a sequence's step), with its
// message_sent event (its data with extra): once per key, skipped when
// the address is suppressed.
func (s *Service) queueMessage(ctx context.Context, me lead.User, l lead.Lead, in MessageInput, at lead.Notification, extra map[string]any) (lead.Notification, error) {
	n, err := s.composeMessage(ctx, me, l, in)
	if err != nil {
		return n, err
	}
	if n.ToEmail == "" {
		return n, lead.Invalid(lead.FieldError{Field: "channel", Reason: "the lead has no address on this channel"})
	}
	n.ID, n.Key, n.EnrolmentID, n.LeadID, n.SenderID = at.ID, at.Key, at.EnrolmentID, l.ID, me.ID
	e := lead.Event{LeadID: l.ID, Type: lead.EventMessageSent, ActorID: me.ID,
		Data: map[string]any{"message_id": n.ID, "channel": n.Channel}}
	if n.TemplateID != "" {
		e.Data["template_id"] = n.TemplateID
	}
	for k, v := range extra {
		e.Data[k] = v
	}
	return s.db.QueueMessage(ctx, n, e)
}

// MessageFollowUpType is the type of the follow-up a message records
// when its lead's pool policy counts messages as follow-ups.
const MessageFollowUpType = "message"

// messageFollowUp records message n to l as a follow-up when l is
// assigned and its pool's policy counts messages as follow-ups
// (lead.Policy.MessageIsFollowUp; a skipped message is no contact). Its
// id derives from the message's, so a retried send records one.
func (s *Service) messageFollowUp(ctx context.Context, me lead.User, l lead.Lead, n lead.Notification) error {
	if n.Status == lead.NotificationSkipped || l.Status != lead.StatusAssigned || l.PoolID == "" {
		return nil
	}
	p, err := s.db.Pool(ctx, l.PoolID)
	if err != nil || !p.Policy.MessageIsFollowUp {
		return err
	}
	content := n.Channel + ": " + n.Text
	if n.Subject != "" {
		content = n.Channel + ": " + n.Subject
	}
	arg := workflows.FollowUpInput{FollowUpID: LeadID(n.ID, "message-follow-up"), AuthorID: me.ID, Type: MessageFollowUpType,
		Content: excerpt(content, 500)}
	var out lead.FollowUp
	return s.update(ctx, me, "message-follow-up/"+n.ID, l.ID, workflows.UpdateFollowUp, arg, &out)
}

// PreviewTemplate renders template id for lead leadID, which me may read.
func (s *Service) PreviewTemplate(ctx context.Context, me lead.User, id, leadID string) (Rendered, error) {
	t, err := s.Template(ctx, me, id)
	if err != nil {
		return Rendered{}, err
	}
	out, err := s.PreviewMessage(ctx, me, leadID, MessageInput{Channel: t.Channel, TemplateID: t.ID})
	if lead.ErrorCode(err) == lead.CodeNotFound {
		return out, lead.Invalid(lead.FieldError{Field: "lead_id", Reason: "is not a lead you may see"})
	}
	return out, err
}

// PreviewMessage renders message in for lead id, which me may read,
// without sending it.
func (s *Service) PreviewMessage(ctx context.Context, me lead.User, id string, in MessageInput) (Rendered, error) {
	l, err := s.LeadFor(ctx, me, id, lead.ActRead)
	if err != nil {
		return Rendered{}, err
	}
	n, err := s.composeMessage(ctx, me, lead.Redact(me, l), in) // a masked lead's numbers stay masked
	return Rendered{Subject: n.Subject, Body: n.Text}, err
}

// LeadMessages lists the messages to lead id, newest first, to whoever
// may read the lead.
func (s *Service) LeadMessages(ctx context.Context, me lead.User, id string, limit int, cursor string) ([]lead.Message, string, error) {
	l, err := s.LeadFor(ctx, me, id, lead.ActRead)
	if err != nil {
		return nil, "", err
	}
	ns, next, err := s.db.Notifications(ctx, store.NotificationFilter{LeadID: l.ID, Kind: lead.MessageKind, Limit: limit, Cursor: cursor})
	out := make([]lead.Message, len(ns))
	for i, n := range ns {
		if out[i] = lead.MessageOf(n); me.MasksContacts(l) {
			out[i].To = lead.MaskContact(out[i].To)
		}
	}
	return out, next, err
}

// composeMessage is the message in to l, rendered (not stored): its
// channel, address ("" when l has none there), text, the rep's name it comes from and the
// unsubscribe link.
func (s *Service) composeMessage(ctx context.Context, me lead.User, l lead.Lead, in MessageInput) (lead.Notification, error) {
	c, err := s.newComposer(ctx, me, in)
	if err != nil {
		return lead.Notification{Channel: strings.TrimSpace(in.Channel), TemplateID: in.TemplateID}, err
	}
	return c.compose(ctx, l)
}

// composer renders one message for many leads (a campaign's): the
// template is read and compiled once, each rep and invite link read once.
type composer struct {
	s                                        *Service
	me                                       lead.User
	channel, templateID, subject, body, lang string
	custom                                   []string
	subjectT, bodyT                          *template.Template
	reps                                     map[string]lead.User
	invites                                  map[string]string
}

// newComposer checks message in and reads its template.
func (s *Service) newComposer(ctx context.Context, me lead.User, in MessageInput) (*composer, error) {
	c := &composer{s: s, me: me, channel: strings.TrimSpace(in.Channel), templateID: in.TemplateID,
		subject: in.Subject, body: in.Body, reps: map[string]lead.User{}, invites: map[string]string{}}
	var f lead.Fields
	if !lead.KnownChannel(c.channel) {
		f.Add("channel", "must be email, sms, messenger or whatsapp")
	}
	if in.TemplateID != "" && (in.Subject != "" || in.Body != "") {
		f.Add("template_id", "give a template or a subject and body, not both")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if in.TemplateID != "" {
		t, err := s.db.Template(ctx, in.TemplateID)
		if err != nil || t.Channel != c.channel {
			return nil, lead.Invalid(lead.FieldError{Field: "template_id", Reason: "is not a template of this channel"})
		}
		c.subject, c.body, c.lang = t.Subject, t.Body, t.Language
	}
	var err error
	if c.custom, err = s.compileMessage(ctx, c.channel, c.subject, c.body); err != nil {
		return c, err
	}
	if c.subjectT, err = lead.CompileTemplate("subject", c.subject, c.custom); err != nil {
		return c, err
	}
	c.bodyT, err = lead.CompileTemplate("body", c.body, c.custom)
	return c, err
}

// compose renders the message to l.
func (c *composer) compose(ctx context.Context, l lead.Lead) (lead.Notification, error) {
	s := c.s
	n := lead.Notification{Channel: c.channel, TemplateID: c.templateID}
	n.ToEmail = l.ChannelAddress(n.Channel) // "" in a preview for a lead without one
	rep, err := c.rep(ctx, l.OwnerID)
	if err != nil {
		return n, err
	}
	n.FromName = rep.Name
	var invite string
	if strings.Contains(c.subject+c.body, "InviteURL") {
		if invite, err = c.invite(ctx, rep.ID); err != nil {
			return n, err
		}
	}
	unsubscribe := BaseURL(s.cfg.PublicURL) + "/u/" + s.unsubscribeToken(l.ID, n.Channel, n.ToEmail)
	d := lead.NewTemplateData(l, c.custom, lead.TemplateRep{Name: rep.Name, Email: rep.Email}, invite, unsubscribe)
	if n.Subject, err = lead.ExecuteTemplate("subject", c.subjectT, d); err != nil {
		return n, err
	}
	if n.Text, err = lead.ExecuteTemplate("body", c.bodyT, d); err != nil {
		return n, err
	}
	if n.Channel == lead.ChannelEmail {
		// Every e-mail to a lead carries its unsubscribe link, in the body
		// (unless the template placed it) and in the one-click headers.
		n.UnsubscribeURL = unsubscribe
		if !strings.Contains(n.Text, unsubscribe) {
			n.Text += "\n\n" + i18n.T(c.lang, "nurture.footer_unsubscribe", "URL", unsubscribe)
		}
	}
	return n, nil
}

// rep is the rep a message to a lead owned by ownerID comes from: its
// owner, else the sender.
func (c *composer) rep(ctx context.Context, ownerID string) (lead.User, error) {
	if ownerID == "" || ownerID == c.me.ID {
		return c.me, nil
	}
	if u, ok := c.reps[ownerID]; ok {
		return u, nil
	}
	u, err := c.s.db.User(ctx, ownerID)
	if err == nil {
		c.reps[ownerID] = u
	}
	return u, err
}

// invite is the invite link of rep id.
func (c *composer) invite(ctx context.Context, id string) (string, error) {
	if v, ok := c.invites[id]; ok {
		return v, nil
	}
	tok, err := c.s.db.InviteToken(ctx, id, c.s.cfg.InviteKey)
	if err != nil {
		return "", err
	}
	c.invites[id] = InviteURL(c.s.cfg.PublicURL, tok)
	return c.invites[id], nil
}
