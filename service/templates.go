package service

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/leadflow/leadflow/lead"
)

// Message templates: managers and admins write them (GateStaff), everyone
// signed in reads them. Saving one compiles its subject and body and
// refuses an unknown variable with its line and column.

// TemplateChange is the body of a template's create (every field but
// subject required; subject required for e-mail) or patch (absent fields
// are left as they are).
type TemplateChange struct {
	Name     *string `json:"name"`
	Channel  *string `json:"channel"`
	Language *string `json:"language"`
	Subject  *string `json:"subject"`
	Body     *string `json:"body"`
}

// Rendered is a template or message rendered for a lead.
type Rendered struct {
	Subject string `json:"subject,omitempty"`
	Body    string `json:"body"`
}

// Templates lists the templates (of one channel when channel is not "").
func (s *Service) Templates(ctx context.Context, me lead.User, channel string) ([]lead.Template, error) {
	if err := Allowed(me, GateEveryone); err != nil {
		return nil, err
	}
	return s.db.Templates(ctx, channel)
}

// Template is one template.
func (s *Service) Template(ctx context.Context, me lead.User, id string) (lead.Template, error) {
	if err := Allowed(me, GateEveryone); err != nil {
		return lead.Template{}, err
	}
	return s.db.Template(ctx, id)
}

// CreateTemplate saves a new template; key is the request's idempotency
// key: a retry answers the same template.
func (s *Service) CreateTemplate(ctx context.Context, me lead.User, key string, in TemplateChange) (lead.Template, error) {
	t := lead.Template{ID: LeadID(key, "template\x00"+me.ID), CreatedBy: me.ID}
	if err := Allowed(me, GateStaff); err != nil {
		return t, err
	}
	var f lead.Fields
	for _, r := range []struct {
		name string
		v    *string
	}{{"name", in.Name}, {"channel", in.Channel}, {"language", in.Language}, {"body", in.Body}} {
		if r.v == nil {
			f.Add(r.name, "is required")
		}
	}
	if err := f.Err(); err != nil {
		return t, err
	}
	if err := s.applyTemplate(ctx, &t, in); err != nil {
		return t, err
	}
	return s.db.SaveTemplate(ctx, t, true)
}

// UpdateTemplate changes a template.
func (s *Service) UpdateTemplate(ctx context.Context, me lead.User, id string, in TemplateChange) (lead.Template, error) {
	if err := Allowed(me, GateStaff); err != nil {
		return lead.Template{}, err
	}
	t, err := s.db.Template(ctx, id)
	if err != nil {
		return t, err
	}
	if err := s.applyTemplate(ctx, &t, in); err != nil {
		return t, err
	}
	return s.db.SaveTemplate(ctx, t, false)
}

// DeleteTemplate removes a template; the messages sent with it keep their text.
func (s *Service) DeleteTemplate(ctx context.Context, me lead.User, id string) error {
	if err := Allowed(me, GateStaff); err != nil {
		return err
	}
	return s.db.DeleteTemplate(ctx, id)
}

// applyTemplate checks a change and applies it to t: a name, a channel, a
// language, a subject for e-mail (none for the others), and a subject and
// body that compile over the template variables.
func (s *Service) applyTemplate(ctx context.Context, t *lead.Template, in TemplateChange) error {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	set(&t.Name, in.Name)
	set(&t.Channel, in.Channel)
	set(&t.Language, in.Language)
	if in.Subject != nil {
		t.Subject = strings.TrimSpace(*in.Subject)
	}
	if in.Body != nil {
		t.Body = *in.Body
	}
	var f lead.Fields
	switch n := utf8.RuneCountInString(t.Name); {
	case n == 0:
		f.Add("name", "is required")
	case n > 100:
		f.Add("name", "is longer than 100 characters")
	}
	if !lead.KnownChannel(t.Channel) {
		f.Add("channel", "must be email, sms, messenger or whatsapp")
	}
	if !slices.Contains(lead.TemplateLanguages, t.Language) {
		f.Add("language", "must be en or zh-CN")
	}
	if err := f.Err(); err != nil {
		return err
	}
	_, err := s.compileMessage(ctx, t.Channel, t.Subject, t.Body)
	return err
}

// compileMessage checks a message's subject and body on a channel: an
// e-mail needs a subject, the other channels take none; both compile over
// the template variables (the lead's custom fields defined now). It
// returns the custom fields' names.
func (s *Service) compileMessage(ctx context.Context, ch, subject, body string) ([]string, error) {
	var f lead.Fields
	if strings.TrimSpace(body) == "" {
		f.Add("body", "is required")
	}
	switch {
	case ch == lead.ChannelEmail && strings.TrimSpace(subject) == "":
		f.Add("subject", "is required for e-mail")
	case ch != lead.ChannelEmail && subject != "":
		f.Add("subject", "is only for e-mail")
	case strings.ContainsAny(subject, "\r\n"):
		f.Add("subject", "must be one line")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	defs, err := s.db.Fields(ctx, "lead")
	if err != nil {
		return nil, err
	}
	custom := make([]string, len(defs))
	for i, d := range defs {
		custom[i] = d.Name
	}
	for _, part := range []struct{ field, text string }{{"subject", subject}, {"body", body}} {
		if _, err := lead.CompileTemplate(part.field, part.text, custom); err != nil {
			return nil, err
		}
	}
	return custom, nil
}
