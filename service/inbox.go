package service

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/webhook"
)

// The inbox's provider webhooks: delivery events (SendGrid's Event
// Webhook, Twilio's status callbacks, WhatsApp's statuses) move each
// message's status on; replies (inbound SMS, Messenger, WhatsApp, e-mail
// through SendGrid Inbound Parse) attach to the lead they come from or open
// a conversation (replies.go). Each delivery is verified first — a forged
// one is unauthorized and changes nothing — and applied once per
// provider's id, so a retried delivery changes nothing twice.

// InboxConfig is the providers' webhook credentials; a webhook whose
// credential is empty refuses every delivery.
type InboxConfig struct {
	// SendGridEventKey is the signed Event Webhook's public key, base64
	// (SENDGRID_EVENT_PUBLIC_KEY).
	SendGridEventKey string
	// TwilioAuthToken signs Twilio's callbacks (TWILIO_AUTH_TOKEN).
	TwilioAuthToken string
	// MetaAppSecret signs the Graph API's webhooks (META_APP_SECRET);
	// MetaVerifyToken answers its subscription check (META_VERIFY_TOKEN).
	MetaAppSecret, MetaVerifyToken string
	// InboundParseSecret is the secret path segment of SendGrid Inbound
	// Parse's URL (LEADFLOW_INBOUND_PARSE_SECRET): Inbound Parse does not sign.
	InboundParseSecret string
}

// InboxConfigFromEnv reads the credentials with getenv (os.Getenv).
func InboxConfigFromEnv(getenv func(string) string) InboxConfig {
	return InboxConfig{SendGridEventKey: getenv("SENDGRID_EVENT_PUBLIC_KEY"), TwilioAuthToken: getenv("TWILIO_AUTH_TOKEN"),
		MetaAppSecret: getenv("META_APP_SECRET"), MetaVerifyToken: getenv("META_VERIFY_TOKEN"),
		InboundParseSecret: getenv("LEADFLOW_INBOUND_PARSE_SECRET")}
}

// unauthorized is a delivery whose credential does not verify.
func unauthorized(provider string) error {
	return lead.Errorf(lead.CodeUnauthorized, "the %s signature does not verify", provider)
}

// malformed is a verified delivery that is not what the provider sends.
func malformed(err error) error {
	return lead.Invalid(lead.FieldError{Field: "body", Code: lead.ReasonMalformed, Reason: err.Error()})
}

// Applied counts what a delivery did: the events or messages it carried
// and how many of them changed something (a retry's are not counted).
type Applied struct {
	Received int `json:"received"`
	Applied  int `json:"applied"`
}

// sendGridEvent is one event of SendGrid's Event Webhook.
type sendGridEvent struct {
	Email        string `json:"email"`
	Event        string `json:"event"`
	EventID      string `json:"sg_event_id"`
	MessageID    string `json:"sg_message_id"`
	Type         string `json:"type"` // bounce (hard) or blocked (soft) for a bounce
	Reason       string `json:"reason"`
	Status       string `json:"status"`
	BounceClass  string `json:"bounce_classification"`
	ResponseText string `json:"response"`
	// Key is the custom argument idempotency_key the message was sent
	// with (notify.SendGrid): the stored message's key.
	Key string `json:"idempotency_key"`
}

// sendGridStatus maps an event to a message status ("" for events that
// change none).
var sendGridStatus = map[string]string{
	"processed": lead.NotificationSent, "delivered": lead.MessageDelivered, "open": lead.MessageOpened,
	"click": lead.MessageClicked, "bounce": lead.MessageBounced, "dropped": lead.NotificationFailed,
}

// SendGridEvents applies a SendGrid Event Webhook delivery: signature and
// timestamp are its X-Twilio-Email-Event-Webhook-* headers. A hard bounce
// (event bounce of type bounce) marks the address invalid on the lead
// and suppresses it; an unsubscribe or spam report suppresses it (for
// the lead of the message it names) and ends that lead's sequences.
func (s *Service) SendGridEvents(ctx context.Context, signature, timestamp string, body []byte) (Applied, error) {
	if err := webhook.VerifySendGrid(s.cfg.Inbox.SendGridEventKey, signature, timestamp, body); err != nil {
		return Applied{}, unauthorized("SendGrid Event Webhook")
	}
	var events []sendGridEvent
	if err := json.Unmarshal(body, &events); err != nil {
		return Applied{}, malformed(err)
	}
	out := Applied{Received: len(events)}
	for _, e := range events {
		if e.EventID == "" {
			continue
		}
		switch e.Event {
		case "unsubscribe", "group_unsubscribe", "spamreport":
			leadID, err := s.db.MessageLead(ctx, "sendgrid", e.Key, idPrefixes(e.MessageID))
			if err != nil {
				return out, err
			}
			if err := s.db.Suppress(ctx, lead.ChannelEmail, e.Email, lead.SkipUnsubscribed, leadID); err != nil {
				return out, err
			}
			if leadID != "" {
				s.exitSequences(ctx, leadID, "", lead.ExitUnsubscribed, "")
			}
			continue
		}
		status := sendGridStatus[e.Event]
		if status == "" {
			continue
		}
		reason := e.Reason
		if reason == "" {
			reason = e.ResponseText
		}
		ev := store.DeliveryEvent{Provider: "sendgrid", EventID: e.EventID, MessageIDs: idPrefixes(e.MessageID),
			Status: status, Reason: reason, Invalid: e.Event == "bounce" && e.Type != "blocked"}
		if ev.Status == lead.MessageBounced && !ev.Invalid {
			ev.Status = lead.NotificationFailed // a soft bounce (blocked) leaves the address valid
		}
		if err := s.applyEvent(ctx, ev, &out); err != nil {
			return out, err
		}
	}
	return out, nil
}

// applyEvent applies one delivery event and counts it in out.
func (s *Service) applyEvent(ctx context.Context, ev store.DeliveryEvent, out *Applied) error {
	ok, err := s.db.ApplyDeliveryEvent(ctx, ev)
	if ok {
		out.Applied++
	}
	return err
}

// idPrefixes are id and its prefixes at each dot: SendGrid's
// sg_message_id is the X-Message-Id the send answered, a dot and more.
func idPrefixes(id string) []string {
	out := []string{id}
	for i := len(id) - 1; i > 0; i-- {
		if id[i] == '.' {
			out = append(out, id[:i])
		}
	}
	return out
}

// TwilioCallback is a request Twilio made to leadflow: the path and query
// it called (appended to the public URL to verify the signature), its
// X-Twilio-Signature and its form parameters.
type TwilioCallback struct {
	Path      string
	Signature string
	Params    map[string]string
}

// verifyTwilio checks the callback's signature against the URL Twilio
// called, and answers the message's sid (MessageSid, or the older SmsSid).
func (s *Service) verifyTwilio(cb TwilioCallback) (string, error) {
	if webhook.VerifyTwilio(s.cfg.Inbox.TwilioAuthToken, BaseURL(s.cfg.PublicURL)+cb.Path, cb.Params, cb.Signature) != nil {
		return "", unauthorized("X-Twilio-Signature")
	}
	if sid := cb.Params["MessageSid"]; sid != "" {
		return sid, nil
	}
	return cb.Params["SmsSid"], nil
}

// twilioStatus maps a MessageStatus to a message status.
var twilioStatus = map[string]string{
	"sent": lead.NotificationSent, "delivered": lead.MessageDelivered, "read": lead.MessageOpened,
	"undelivered": lead.NotificationFailed, "failed": lead.NotificationFailed,
}

// twilioInvalid are Twilio's error codes of a number that cannot get SMS
// (unknown or landline): the number is invalid, as a hard bounce.
var twilioInvalid = map[string]bool{"30003": true, "30005": true, "30006": true, "21211": true, "21614": true}

// TwilioStatus applies a Twilio status callback (MessageSid,
// MessageStatus, ErrorCode), once per message and status.
func (s *Service) TwilioStatus(ctx context.Context, cb TwilioCallback) (Applied, error) {
	sid, err := s.verifyTwilio(cb)
	if err != nil {
		return Applied{}, err
	}
	p := cb.Params
	status := twilioStatus[p["MessageStatus"]]
	if sid == "" || status == "" {
		return Applied{Received: 1}, nil
	}
	ev := store.DeliveryEvent{Provider: "twilio", EventID: sid + "/" + p["MessageStatus"], MessageIDs: []string{sid},
		Status: status, Invalid: twilioInvalid[p["ErrorCode"]]}
	if p["ErrorCode"] != "" {
		ev.Reason = "Twilio error " + p["ErrorCode"]
		if ev.Invalid {
			ev.Status = lead.MessageBounced
		}
	}
	out := Applied{Received: 1}
	return out, s.applyEvent(ctx, ev, &out)
}

// IsStop reports whether an SMS asks for no more messages: STOP,
// UNSUBSCRIBE (and Twilio's other opt-out words) or 退订, alone.
func IsStop(text string) bool {
	w := strings.ToUpper(strings.Trim(strings.TrimSpace(text), ".!。！ "))
	switch w {
	case "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "退订", "TD":
		return true
	}
	return false
}
