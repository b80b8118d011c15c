package main

import (
	"log/slog"

	"github.com/leadflow/leadflow/activities"
	"github.com/leadflow/leadflow/notify"
	"github.com/leadflow/leadflow/store"
)

// activities builds the workflows' activities with the e-mail sender the
// configuration selects: SendGrid when SENDGRID_API_KEY is set (at
// SENDGRID_BASE_URL, from LEADFLOW_MAIL_FROM), else the outbox, which only
// keeps the e-mails in PostgreSQL (GET /api/v1/notifications).
func (c config) activities(db *store.DB, log *slog.Logger) (*activities.Activities, error) {
	sender, err := notify.New(notify.Config{SendGridKey: c.SendGridKey, SendGridBaseURL: c.SendGridBaseURL, From: c.MailFrom})
	if err != nil {
		return nil, err
	}
	log.Info("e-mail", "sender", sender.Name(), "links", c.PublicURL)
	acts := activities.New(db, log)
	acts.Mail, acts.PublicURL = sender, c.PublicURL
	return acts, nil
}
