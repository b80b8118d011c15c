// Package notify sends leadflow's e-mails. Sender is what the activities
// call; the SendGrid sender (sendgrid-go) and the outbox (the local
// default: the e-mail is only kept in PostgreSQL, where the activities
// record every e-mail anyway) implement it. Render turns a notification
// into its subject, plain-text and HTML bodies.
package notify

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
)

// Message is one e-mail to one recipient.
type Message struct {
	// Key makes a send idempotent: a retried activity sends a key once.
	Key     string
	To      string
	ToName  string
	Subject string
	Text    string
	HTML    string
	// Args travel with the message (SendGrid custom args), e.g. the lead id.
	Args map[string]string
	// FromName replaces the sender's name (a lead's e-mail comes from its
	// rep); ReplyTo is where replies go; both are left out when empty.
	FromName, ReplyTo string
	// UnsubscribeURL, on a marketing e-mail, is its one-click unsubscribe
	// link: sent as the RFC 8058 List-Unsubscribe and List-Unsubscribe-Post
	// headers.
	UnsubscribeURL string
}

// Sender delivers messages.
type Sender interface {
	// Send delivers m and returns the provider's id of the message ("" when
	// it has none). A failure is an *Error when the provider answered.
	Send(ctx context.Context, m Message) (string, error)
	// Name is the provider recorded with each e-mail: "sendgrid" or "outbox".
	Name() string
}

// Error is a provider's refusal of a message.
type Error struct {
	Status int    // the HTTP status
	Detail string // the provider's explanation
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return fmt.Sprintf("the mail provider answered %d", e.Status)
	}
	return fmt.Sprintf("the mail provider answered %d: %s", e.Status, e.Detail)
}

// Temporary reports whether a retry may succeed: rate limited (429) or a
// server error (5xx).
func (e *Error) Temporary() bool { return e.Status == 429 || e.Status >= 500 }

// Permanent reports whether err is a refusal that a retry cannot change: a
// provider answer of 4xx other than 429. Transport errors and 429/5xx are
// not permanent.
func Permanent(err error) bool {
	var e *Error
	return errors.As(err, &e) && !e.Temporary()
}

// Outbox is the sender used when no SendGrid key is configured: it
// delivers nothing; the e-mail stays in PostgreSQL (the notifications
// table, GET /api/v1/notifications) marked sent, showing what would have
// gone out.
type Outbox struct{}

// Name implements Sender.
func (Outbox) Name() string { return "outbox" }

// Send implements Sender; the message is already stored by the caller.
func (Outbox) Send(ctx context.Context, m Message) (string, error) { return "", ctx.Err() }

// Config selects and configures the sender (environment: SENDGRID_API_KEY,
// SENDGRID_BASE_URL, LEADFLOW_MAIL_FROM).
type Config struct {
	SendGridKey     string
	SendGridBaseURL string // default DefaultSendGridURL
	From            string // default DefaultFrom; "Name <addr>" or "addr"
}

// ConfigFromEnv reads SENDGRID_API_KEY, SENDGRID_BASE_URL and
// LEADFLOW_MAIL_FROM with getenv (os.Getenv).
func ConfigFromEnv(getenv func(string) string) Config {
	return Config{SendGridKey: getenv("SENDGRID_API_KEY"), SendGridBaseURL: getenv("SENDGRID_BASE_URL"), From: getenv("LEADFLOW_MAIL_FROM")}
}

// Defaults of Config.
const (
	DefaultSendGridURL = "https://api.sendgrid.com"
	DefaultFrom        = "leadflow@localhost"
)

// New returns the SendGrid sender when a key is configured, else the outbox.
func New(c Config) (Sender, error) {
	if strings.TrimSpace(c.SendGridKey) == "" {
		return Outbox{}, nil
	}
	return NewSendGrid(c.SendGridKey, c.SendGridBaseURL, c.From)
}

// parseFrom reads a From address such as "leadflow <noreply@example.com>"
// or a bare address (the default, leadflow@localhost).
func parseFrom(from string) (name, addr string, err error) {
	from = strings.TrimSpace(from)
	if from == "" {
		from = DefaultFrom
	}
	a, err := mail.ParseAddress(from)
	if err != nil {
		return "", "", fmt.Errorf("LEADFLOW_MAIL_FROM %q is not an e-mail address: %w", from, err)
	}
	return a.Name, a.Address, nil
}

func parseBaseURL(base string) (string, error) {
	base = strings.TrimRight(strings.TrimSpace(base), "/")
	if base == "" {
		return DefaultSendGridURL, nil
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("SENDGRID_BASE_URL %q is not an http(s) URL", base)
	}
	return base, nil
}
