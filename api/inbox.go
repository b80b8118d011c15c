package api

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
)

// inboxHookRoutes are the providers' webhooks of the inbox: no bearer
// token, each provider's signature (or Inbound Parse's URL secret) is the
// credential (service/inbox.go, service/replies.go).
func (s *Server) inboxHookRoutes(app *fiber.App) {
	app.Post("/api/v1/inbound/sendgrid/events", s.sendGridEvents)
	app.Post("/api/v1/inbound/sendgrid/parse/:secret", s.inboundEmail)
	app.Post(lead.TwilioStatusPath, s.twilioStatus)
	app.Post("/api/v1/inbound/twilio/sms", s.twilioSMS)
	app.Get("/api/v1/inbound/meta", s.metaChallenge)
	app.Post("/api/v1/inbound/meta", s.metaInbox)
}

func (s *Server) sendGridEvents(c *fiber.Ctx) error {
	out, err := s.svc.SendGridEvents(c.UserContext(), c.Get("X-Twilio-Email-Event-Webhook-Signature"),
		c.Get("X-Twilio-Email-Event-Webhook-Timestamp"), c.Body())
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// twilioCallback reads a Twilio callback: its form and the path it called.
func twilioCallback(c *fiber.Ctx) (service.TwilioCallback, error) {
	form, err := url.ParseQuery(string(c.Body()))
	if err != nil {
		return service.TwilioCallback{}, lead.Invalid(lead.FieldError{Field: "body", Code: lead.ReasonMalformed,
			Reason: "must be a form (application/x-www-form-urlencoded)"})
	}
	params := make(map[string]string, len(form))
	for k, v := range form {
		params[k] = v[0]
	}
	return service.TwilioCallback{Path: c.OriginalURL(), Signature: c.Get("X-Twilio-Signature"), Params: params}, nil
}

func (s *Server) twilioStatus(c *fiber.Ctx) error {
	cb, err := twilioCallback(c)
	if err != nil {
		return err
	}
	out, err := s.svc.TwilioStatus(c.UserContext(), cb)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// twilioSMS answers an inbound SMS with empty TwiML: no automatic answer.
func (s *Server) twilioSMS(c *fiber.Ctx) error {
	cb, err := twilioCallback(c)
	if err != nil {
		return err
	}
	if _, err := s.svc.TwilioInbound(c.UserContext(), cb); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/xml; charset=utf-8")
	return c.SendString(`<?xml version="1.0" encoding="UTF-8"?><Response></Response>`)
}

func (s *Server) metaChallenge(c *fiber.Ctx) error {
	out, err := s.svc.MetaChallenge(c.Query("hub.mode"), c.Query("hub.verify_token"), c.Query("hub.challenge"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	return c.SendString(out)
}

func (s *Server) metaInbox(c *fiber.Ctx) error {
	out, err := s.svc.MetaInbox(c.UserContext(), c.Get("X-Hub-Signature-256"), c.Body())
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// inboundEmail takes SendGrid Inbound Parse's multipart post of an e-mail.
func (s *Server) inboundEmail(c *fiber.Ctx) error {
	e := service.InboundEmail{Secret: c.Params("secret")}
	form, err := c.MultipartForm()
	if err != nil {
		// Refuse a bad secret first: the answer must not tell a stranger more.
		if _, err := s.svc.ReceiveEmail(c.UserContext(), e); lead.ErrorCode(err) == lead.CodeUnauthorized {
			return err
		}
		return lead.Invalid(lead.FieldError{Field: "body", Code: lead.ReasonMalformed, Reason: "must be multipart/form-data"})
	}
	v := func(k string) string {
		if vs := form.Value[k]; len(vs) > 0 {
			return vs[0]
		}
		return ""
	}
	e.From, e.To, e.Subject, e.Text, e.HTML, e.Headers, e.Envelope = v("from"), v("to"), v("subject"), v("text"), v("html"), v("headers"), v("envelope")
	out, err := s.svc.ReceiveEmail(c.UserContext(), e)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// listReplies answers a lead's replies, newest first.
func (s *Server) listReplies(c *fiber.Ctx) error {
	limit, err := httpx.PageLimit(c)
	if err != nil {
		return err
	}
	items, next, err := s.svc.LeadReplies(c.UserContext(), httpx.Caller(c), c.Params("id"), limit, c.Query("cursor"))
	if err != nil {
		return err
	}
	return c.JSON(httpx.Page(items, next))
}
