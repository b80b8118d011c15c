package console

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/web"
)

// This file holds the nurture's pages: the lead page's messages (the send
// form, the messages sent, the consent) and the message templates
// (/templates), through the same service methods as the API's routes.

// consoleMessages registers the send form and the templates' pages; the
// templates are everyone's to read, managers' and admins' to write.
func (s *Server) consoleMessages(get, post func(path string, h fiber.Handler)) {
	send := s.leadForm("message", func(c *fiber.Ctx, key string) error {
		_, err := s.Service.SendMessage(c.UserContext(), httpx.Caller(c), c.Params("id"), key, messageForm(c))
		return err
	})
	post("/leads/:id/messages", func(c *fiber.Ctx) error {
		if c.FormValue("preview") != "" {
			return s.previewMessage(c)
		}
		return send(c)
	})
	staff := s.gated(service.GateStaff)
	get("/templates", s.templatesPage)
	post("/templates", staff(s.saveTemplateForm))
	get("/templates/:id", s.templatePage)
	post("/templates/:id", staff(s.saveTemplateForm))
	post("/templates/:id/delete", staff(s.deleteTemplateForm))
}

// messageForm is the message the lead page's form describes.
func messageForm(c *fiber.Ctx) service.MessageInput {
	in := service.MessageInput{Channel: c.FormValue("channel"), TemplateID: c.FormValue("template_id"),
		Subject: strings.TrimSpace(c.FormValue("subject")), Body: c.FormValue("body")}
	if in.TemplateID != "" {
		in.Subject, in.Body = "", "" // the template's text, not what the form kept
	}
	return in
}

// previewKey holds a message's preview for the lead page being rendered.
type previewKey struct{}

// previewMessage shows the lead page with the message of its form
// rendered for the lead, not sent.
func (s *Server) previewMessage(c *fiber.Ctx) error {
	r, err := s.Service.PreviewMessage(c.UserContext(), httpx.Caller(c), c.Params("id"), messageForm(c))
	if err != nil {
		if webProblem(err) == nil {
			return err
		}
		return s.showLead(c, "", err, "message")
	}
	c.Locals(previewKey{}, r)
	return s.showLead(c, "", nil, "")
}

// fillMessages reads the lead page's messages part; canSend when the
// reader may act on the lead (the follow-up's decision).
func (s *Server) fillMessages(c *fiber.Ctx, d *web.LeadPage, canSend bool) error {
	ctx, me, id := c.UserContext(), httpx.Caller(c), d.Lead.ID
	m := web.LeadMessages{CanSend: canSend, Channels: lead.Channels, Form: formValues(c, "channel", "template_id", "subject", "body")}
	var err error
	if m.Messages, _, err = s.Service.LeadMessages(ctx, me, id, 50, ""); err != nil {
		return err
	}
	if m.Consents, err = s.Service.Consents(ctx, me, id); err != nil {
		return err
	}
	if m.Replies, _, err = s.Service.LeadReplies(ctx, me, id, 50, ""); err != nil {
		return err
	}
	if canSend {
		if m.Templates, err = s.Service.Templates(ctx, me, ""); err != nil {
			return err
		}
	}
	if r, ok := c.Locals(previewKey{}).(service.Rendered); ok {
		m.Preview = &web.Rendered{Subject: r.Subject, Body: r.Body}
	}
	d.Messages = m
	return nil
}

func (s *Server) templatesPage(c *fiber.Ctx) error { return s.showTemplates(c, nil, nil, nil) }

func (s *Server) templatePage(c *fiber.Ctx) error {
	t, err := s.Service.Template(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return s.consoleRefusal(c, err)
	}
	return s.showTemplates(c, &t, nil, nil)
}

// showTemplates renders /templates (t nil) or t's page, with a refusal and
// what was typed; a compile error is shown at its line of the body.
func (s *Server) showTemplates(c *fiber.Ctx, t *lead.Template, refusal error, form map[string]string) error {
	d := web.TemplatesPage{Template: t, CanEdit: service.Allowed(httpx.Caller(c), service.GateStaff) == nil,
		Channels: lead.Channels, Languages: lead.TemplateLanguages, Form: form, Errors: map[string]string{}, RequestID: uuid.NewString()}
	title := "nurture.nav"
	if t == nil {
		all, err := s.Service.Templates(c.UserContext(), httpx.Caller(c), "")
		if err != nil {
			return err
		}
		d.Templates = all
	} else {
		title = tr(c, "nurture.template", "Name", t.Name)
		if form == nil {
			d.Form = map[string]string{"name": t.Name, "channel": t.Channel, "language": t.Language, "subject": t.Subject, "body": t.Body}
		}
	}
	p := consolePage(c, title, "templates")
	p.Notice, p.Data = templatesDone[c.Query("done")], &d
	if refusal != nil {
		d.Errors = refuse(c, &p, refusal)
		for _, f := range []string{"subject", "body"} {
			text, line := templateProblem(c, d.Errors[f])
			d.Errors[f] = text
			if p.Problem != nil && p.Problem.Fields[f] != "" {
				p.Problem.Fields[f] = text
			}
			if f == "body" && line > 0 {
				for i, l := range strings.Split(d.Form["body"], "\n") {
					d.Lines = append(d.Lines, web.TemplateLine{N: i + 1, Text: l, Bad: i+1 == line})
				}
			}
		}
	}
	return render(c, "templates", p)
}

var templatesDone = map[string]string{"created": "nurture.done_created", "saved": "nurture.done_saved", "deleted": "nurture.done_deleted"}

// compileError reads the service's reason for a template that does not
// compile: "line L, column C: unknown variable V" or "line L: syntax".
var compileError = regexp.MustCompile(`^line (\d+)(?:, column (\d+))?: (?:unknown variable (\S+)|(.*))$`)

// templateProblem says a compile error in the reader's words and gives
// its line (0 when the reason is another).
func templateProblem(c *fiber.Ctx, reason string) (string, int) {
	m := compileError.FindStringSubmatch(reason)
	if m == nil {
		return reason, 0
	}
	line, _ := strconv.Atoi(m[1])
	if m[3] != "" {
		return tr(c, "nurture.error_variable", "Line", m[1], "Column", m[2], "Name", m[3]), line
	}
	return tr(c, "nurture.error_syntax", "Line", m[1], "Problem", m[4]), line
}

func (s *Server) saveTemplateForm(c *fiber.Ctx) error {
	form := formValues(c, "name", "channel", "language", "subject")
	form["body"] = c.FormValue("body")
	in := service.TemplateChange{}
	for k, dst := range map[string]**string{"name": &in.Name, "channel": &in.Channel, "language": &in.Language, "subject": &in.Subject, "body": &in.Body} {
		v := form[k]
		*dst = &v
	}
	ctx, me, id := c.UserContext(), httpx.Caller(c), c.Params("id")
	if id == "" {
		key := ""
		if rid := c.FormValue("request_id"); rid != "" && len(rid) <= 64 {
			key = "console:" + rid // a form sent twice saves one template
		}
		if _, err := s.Service.CreateTemplate(ctx, me, key, in); err != nil {
			if webProblem(err) == nil {
				return err
			}
			return s.showTemplates(c, nil, err, form)
		}
		return c.Redirect("/templates?done=created", fiber.StatusSeeOther)
	}
	if _, err := s.Service.UpdateTemplate(ctx, me, id, in); err != nil {
		t, terr := s.Service.Template(ctx, me, id)
		if webProblem(err) == nil || terr != nil {
			return s.consoleRefusal(c, err)
		}
		return s.showTemplates(c, &t, err, form)
	}
	return c.Redirect("/templates/"+id+"?done=saved", fiber.StatusSeeOther)
}

func (s *Server) deleteTemplateForm(c *fiber.Ctx) error {
	if err := s.Service.DeleteTemplate(c.UserContext(), httpx.Caller(c), c.Params("id")); err != nil {
		return s.consoleRefusal(c, err)
	}
	return c.Redirect("/templates?done=deleted", fiber.StatusSeeOther)
}
