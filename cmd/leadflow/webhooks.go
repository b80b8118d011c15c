package main

import (
	"fmt"
	"os"
	"time"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/webhook"
	"github.com/leadflow/leadflow/worker"
)

// webhookSettings reads the outbound webhooks' settings:
// LEADFLOW_WEBHOOK_ALLOW_HOSTS (hosts and CIDRs deliveries may reach
// although private), and the retries: LEADFLOW_WEBHOOK_RETRY_INITIAL,
// LEADFLOW_WEBHOOK_RETRY_MAX, LEADFLOW_WEBHOOK_RETRY_FOR and
// LEADFLOW_WEBHOOK_TIMEOUT (unset: workflows.DefaultWebhookRetry), and
// LEADFLOW_CHAT (outbox: the chat-app posts are only stored; post, the
// default: they go to the robots).
func webhookSettings() (worker.Webhooks, error) {
	guard, err := webhook.ParseAllow(os.Getenv("LEADFLOW_WEBHOOK_ALLOW_HOSTS"))
	if err != nil {
		return worker.Webhooks{}, fmt.Errorf("LEADFLOW_WEBHOOK_ALLOW_HOSTS: %w", err)
	}
	h := worker.Webhooks{Guard: guard}
	switch c := os.Getenv("LEADFLOW_CHAT"); c {
	case "outbox":
		h.ChatOutbox = true
	case "", "post":
	default:
		return h, fmt.Errorf("LEADFLOW_CHAT: %q is neither outbox nor post", c)
	}
	for name, d := range map[string]*time.Duration{"LEADFLOW_WEBHOOK_RETRY_INITIAL": &h.Retry.Initial,
		"LEADFLOW_WEBHOOK_RETRY_MAX": &h.Retry.Max, "LEADFLOW_WEBHOOK_RETRY_FOR": &h.Retry.For,
		"LEADFLOW_WEBHOOK_TIMEOUT": &h.Retry.Timeout} {
		if v := os.Getenv(name); v != "" {
			p, err := lead.ParseDuration(v)
			if err != nil || p <= 0 {
				return h, fmt.Errorf("%s: %q is not a positive duration such as 30s or 24h", name, v)
			}
			*d = time.Duration(p)
		}
	}
	return h, nil
}
