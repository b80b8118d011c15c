// Package channel is how leadflow talks to leads: one small Channel
// interface with a provider per channel — e-mail through SendGrid
// (notify.SendGrid, from the rep's name), SMS through Twilio's Go SDK,
// Messenger and WhatsApp through the Meta Graph API's Send API — and the
// outbox, every channel's default, which sends nothing: the message stays
// in PostgreSQL, where the activities record each message anyway, and the
// console's outbox page shows it. Set picks each channel's provider from
// the environment.
package channel

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/notify"
)

// The channels a message to a lead goes out on (lead.Channels).
const (
	Email     = lead.ChannelEmail
	SMS       = lead.ChannelSMS
	Messenger = lead.ChannelMessenger
	WhatsApp  = lead.ChannelWhatsApp
)

// Channel delivers one message to one lead. Send returns the provider's id
// of the message; a provider's refusal is a *notify.Error (notify.Permanent
// says whether a retry may help). Every notify.Sender is a Channel, so the
// activities claim, lease and record a lead's message as they do an e-mail.
type Channel interface {
	notify.Sender
}

// Set is the provider of each channel; a channel without one uses the outbox.
type Set map[string]Channel

// For is the channel's provider, the outbox when none is configured.
func (s Set) For(kind string) Channel {
	if c, ok := s[kind]; ok && c != nil {
		return c
	}
	return notify.Outbox{}
}

// Config is every provider's settings (the environment variables in
// ConfigFromEnv); a provider whose keys are empty is left out (the outbox).
type Config struct {
	SendGridKey, SendGridBaseURL string
	// MailFrom is the address lead e-mails come from, under the rep's name
	// (LEADFLOW_LEAD_MAIL_FROM); never the rep notifications' address.
	MailFrom string
	// ReplyTo is where the leads' replies go (LEADFLOW_LEAD_REPLY_TO).
	ReplyTo string

	TwilioSID, TwilioToken, TwilioFrom, TwilioBaseURL string

	// PublicURL is the base URL leadflow is reached at from outside
	// (LEADFLOW_PUBLIC_URL, the binary's default when unset): each SMS
	// asks Twilio to post its statuses to PublicURL +
	// lead.TwilioStatusPath. "" asks for none.
	PublicURL string

	GraphURL              string // default DefaultGraphURL
	MessengerToken        string // the page access token
	WhatsAppToken         string
	WhatsAppPhoneNumberID string

	// Timeout bounds one call to a provider (default 30 s).
	Timeout time.Duration
}

// ConfigFromEnv reads the providers' settings with getenv (os.Getenv),
// PublicURL from LEADFLOW_PUBLIC_URL (the binary sets its default).
func ConfigFromEnv(getenv func(string) string) Config {
	return Config{
		SendGridKey: getenv("SENDGRID_API_KEY"), SendGridBaseURL: getenv("SENDGRID_BASE_URL"),
		MailFrom: getenv("LEADFLOW_LEAD_MAIL_FROM"), ReplyTo: getenv("LEADFLOW_LEAD_REPLY_TO"),
		TwilioSID: getenv("TWILIO_ACCOUNT_SID"), TwilioToken: getenv("TWILIO_AUTH_TOKEN"),
		TwilioFrom: getenv("TWILIO_FROM"), TwilioBaseURL: getenv("TWILIO_BASE_URL"),
		GraphURL: getenv("META_GRAPH_URL"), MessengerToken: getenv("MESSENGER_PAGE_TOKEN"),
		WhatsAppToken: getenv("WHATSAPP_TOKEN"), WhatsAppPhoneNumberID: getenv("WHATSAPP_PHONE_NUMBER_ID"),
		PublicURL: getenv("LEADFLOW_PUBLIC_URL"),
	}
}

// DefaultLeadMailFrom is the address lead e-mails come from when
// LEADFLOW_LEAD_MAIL_FROM is not set.
const DefaultLeadMailFrom = "reps@leadflow.localhost"

// New is the Set of the providers cfg configures; a refused setting (a
// bad URL or address) is an error naming it.
func New(cfg Config) (Set, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	s := Set{}
	if strings.TrimSpace(cfg.SendGridKey) != "" {
		from := cfg.MailFrom
		if from == "" {
			from = DefaultLeadMailFrom
		}
		sg, err := notify.NewSendGrid(cfg.SendGridKey, cfg.SendGridBaseURL, from)
		if err != nil {
			return nil, fmt.Errorf("lead e-mail: %w", err)
		}
		sg.Timeout = cfg.Timeout
		s[Email] = leadMail{SendGrid: sg, replyTo: cfg.ReplyTo}
	}
	if cfg.TwilioSID != "" && cfg.TwilioToken != "" {
		callback := ""
		if cfg.PublicURL != "" {
			base, err := baseURL("LEADFLOW_PUBLIC_URL", cfg.PublicURL, "")
			if err != nil {
				return nil, err
			}
			callback = base + lead.TwilioStatusPath
		}
		t, err := NewTwilio(cfg.TwilioSID, cfg.TwilioToken, cfg.TwilioFrom, cfg.TwilioBaseURL, callback, cfg.Timeout)
		if err != nil {
			return nil, err
		}
		s[SMS] = t
	}
	graph, err := baseURL("META_GRAPH_URL", cfg.GraphURL, DefaultGraphURL)
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Timeout: cfg.Timeout}
	if cfg.MessengerToken != "" {
		s[Messenger] = &Graph{Kind: Messenger, BaseURL: graph, Token: cfg.MessengerToken, Client: hc}
	}
	if cfg.WhatsAppToken != "" && cfg.WhatsAppPhoneNumberID != "" {
		s[WhatsApp] = &Graph{Kind: WhatsApp, BaseURL: graph, Token: cfg.WhatsAppToken, PhoneNumberID: cfg.WhatsAppPhoneNumberID, Client: hc}
	}
	return s, nil
}

// baseURL is raw (def when empty) checked to be an http(s) URL, without its
// trailing slash.
func baseURL(name, raw, def string) (string, error) {
	if raw == "" {
		raw = def
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%s %q is not an http(s) URL", name, raw)
	}
	return strings.TrimRight(raw, "/"), nil
}

// leadMail is the e-mail channel: SendGrid with the leads' reply-to.
type leadMail struct {
	*notify.SendGrid
	replyTo string
}

// Send implements Channel: m with the reply-to unless it has its own.
func (l leadMail) Send(ctx context.Context, m notify.Message) (string, error) {
	if m.ReplyTo == "" {
		m.ReplyTo = l.replyTo
	}
	return l.SendGrid.Send(ctx, m)
}
