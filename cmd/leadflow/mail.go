package main

import (
	"fmt"
	"log/slog"
	"os"
	"strconv"

	"go.temporal.io/sdk/client"

	"github.com/leadflow/leadflow/channel"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/notify"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/worker"
)

// workerConfig is the worker's configuration with the e-mail sender the
// configuration selects: SendGrid when SENDGRID_API_KEY is set (at
// SENDGRID_BASE_URL, from LEADFLOW_MAIL_FROM), else the outbox, which only
// keeps the e-mails in PostgreSQL (GET /api/v1/notifications).
func (c config) workerConfig(db *store.DB, tc client.Client, log *slog.Logger) (worker.Config, error) {
	sender, err := notify.New(notify.Config{SendGridKey: c.SendGridKey, SendGridBaseURL: c.SendGridBaseURL, From: c.MailFrom})
	if err != nil {
		return worker.Config{}, err
	}
	log.Info("e-mail", "sender", sender.Name(), "links", c.PublicURL)
	tuning, err := worker.TuningFromEnv()
	if err != nil {
		return worker.Config{}, err
	}
	versioning, err := worker.VersioningFromEnv()
	if err != nil {
		return worker.Config{}, err
	}
	zone, err := defaultZone()
	if err != nil {
		return worker.Config{}, err
	}
	hooks, err := webhookSettings()
	if err != nil {
		return worker.Config{}, err
	}
	// The messages to leads: each channel's provider when its keys are
	// set, unless LEADFLOW_MESSAGES=outbox (make run) keeps them all in the outbox.
	channels := channel.Set{}
	if os.Getenv("LEADFLOW_MESSAGES") != "outbox" {
		cc := channel.ConfigFromEnv(os.Getenv)
		cc.PublicURL = c.PublicURL // Twilio's status callbacks: LEADFLOW_PUBLIC_URL or its default
		if channels, err = channel.New(cc); err != nil {
			return worker.Config{}, err
		}
	}
	for _, k := range lead.Channels {
		log.Info("messages to leads", "channel", k, "sender", channels.For(k).Name())
	}
	bulkRate := 0.0
	if v := os.Getenv("LEADFLOW_BULK_RATE"); v != "" {
		if bulkRate, err = strconv.ParseFloat(v, 64); err != nil || bulkRate < 0 {
			return worker.Config{}, fmt.Errorf("LEADFLOW_BULK_RATE=%q: want leads per second, such as 20 (0: no bound)", v)
		}
	}
	key, err := c.inviteKey()
	if err != nil {
		return worker.Config{}, err
	}
	return worker.Config{Temporal: tc, Namespace: c.TemporalNamespace, Store: db, Log: log, Mail: sender, PublicURL: c.PublicURL,
		Tuning: tuning, Versioning: versioning, TimeZone: zone, Webhooks: hooks, Channels: channels, InviteKey: key,
		BulkConcurrency: envInt("LEADFLOW_BULK_CONCURRENCY", 0), BulkRate: bulkRate}, nil
}
