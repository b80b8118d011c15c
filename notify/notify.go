// Package notify sends leadflow's e-mails. Sender is what the activities
// call; the SendGrid sender (sendgrid-go) and the PostgreSQL outbox (the
// local default) implement it.
package notify

import "context"

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
}

// Sender delivers messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}
