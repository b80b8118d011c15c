package service

import (
	"context"
	"strconv"
	"time"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/webhook"
)

// Outbound webhooks: an admin subscribes to the events of every lead or of
// one pool; a manager to those of a pool they administer (the pool access
// of lead/, ActManagePool). A subscription another manager's pool holds
// is not found.

// WebhookChange is the body of a subscription's create (url and events
// required) or patch (absent fields are left as they are).
type WebhookChange struct {
	URL    *string   `json:"url"`
	Events *[]string `json:"events"`
	// PoolID limits the subscription to one pool's leads ("" for every lead: admins only).
	PoolID *string `json:"pool_id"`
	Active *bool   `json:"active"`
}

// WebhookSecret is a subscription with its signing secret, answered once:
// when it is created and when the secret is rotated.
type WebhookSecret struct {
	lead.Webhook
	Secret string `json:"secret"`
}

// DefaultWebhookGrace is how long a rotated secret keeps signing by default.
const DefaultWebhookGrace = 24 * time.Hour

// maxWebhookGrace is the longest grace period a rotation may ask for.
const maxWebhookGrace = 30 * 24 * time.Hour

// CreateWebhook subscribes url to events for me. key is the request's
// idempotency key: a retry answers the same subscription and secret.
func (s *Service) CreateWebhook(ctx context.Context, me lead.User, key string, in WebhookChange) (WebhookSecret, error) {
	if err := Allowed(me, GateStaff); err != nil {
		return WebhookSecret{}, err
	}
	w := lead.Webhook{ID: LeadID(key, "webhook\x00"+me.ID), OwnerID: me.ID, Active: true}
	var f lead.Fields
	if in.URL == nil {
		f.Add("url", "is required")
	}
	if in.Events == nil {
		f.Add("events", "is required")
	}
	if err := f.Err(); err != nil {
		return WebhookSecret{}, err
	}
	if err := s.applyWebhook(ctx, me, &w, in); err != nil {
		return WebhookSecret{}, err
	}
	out, secret, err := s.db.CreateWebhook(ctx, w, webhook.NewSecret())
	return WebhookSecret{Webhook: out, Secret: secret}, err
}

// applyWebhook checks a change and applies it to w: the URL must reach an
// address webhooks may reach, the events be known, and me may subscribe
// to the pool (a manager must name one they administer).
func (s *Service) applyWebhook(ctx context.Context, me lead.User, w *lead.Webhook, in WebhookChange) error {
	var f lead.Fields
	if in.URL != nil {
		if err := s.cfg.WebhookGuard.CheckURL(ctx, *in.URL); err != nil {
			f.Add("url", err.Error())
		}
		w.URL = *in.URL
	}
	if in.Events != nil {
		events, err := lead.CleanWebhookEvents("events", *in.Events)
		bad, _ := lead.FieldsOf(err)
		f, w.Events = append(f, bad...), events
	}
	if in.PoolID != nil {
		w.PoolID = *in.PoolID
	}
	if in.Active != nil {
		w.Active = *in.Active
	}
	if err := f.Err(); err != nil {
		return err
	}
	return s.mayWebhook(ctx, me, w.PoolID)
}

// mayWebhook checks that me may hold a subscription to poolID's events.
func (s *Service) mayWebhook(ctx context.Context, me lead.User, poolID string) error {
	if poolID == "" {
		if me.Role == lead.RoleAdmin {
			return nil
		}
		return lead.Invalid(lead.FieldError{Field: "pool_id", Reason: "is required: a manager subscribes to the events of a pool they administer"})
	}
	err := s.PoolFor(ctx, me, lead.ActManagePool, poolID)
	if lead.ErrorCode(err) == lead.CodeNotFound {
		return lead.Invalid(lead.FieldError{Field: "pool_id", Reason: "is not a pool"})
	}
	return err
}

// webhookFor is subscription id when me may manage it (not found otherwise).
func (s *Service) webhookFor(ctx context.Context, me lead.User, id string) (lead.Webhook, error) {
	if err := Allowed(me, GateStaff); err != nil {
		return lead.Webhook{}, err
	}
	w, err := s.db.Webhook(ctx, id)
	if err != nil {
		return w, err
	}
	if s.mayWebhook(ctx, me, w.PoolID) != nil {
		return lead.Webhook{}, lead.Errorf(lead.CodeNotFound, "webhook not found")
	}
	return w, nil
}

// Webhook is subscription id.
func (s *Service) Webhook(ctx context.Context, me lead.User, id string) (lead.Webhook, error) {
	return s.webhookFor(ctx, me, id)
}

// Webhooks are a page of the subscriptions me may manage, oldest first.
func (s *Service) Webhooks(ctx context.Context, me lead.User, limit int, cursor string) ([]lead.Webhook, string, error) {
	if err := Allowed(me, GateStaff); err != nil {
		return nil, "", err
	}
	adminOf := ""
	if me.Role != lead.RoleAdmin {
		adminOf = me.ID
	}
	return s.db.Webhooks(ctx, adminOf, limit, cursor)
}

// UpdateWebhook changes a subscription; turned on again, its pending
// deliveries go out.
func (s *Service) UpdateWebhook(ctx context.Context, me lead.User, id string, in WebhookChange) (lead.Webhook, error) {
	w, err := s.webhookFor(ctx, me, id)
	if err != nil {
		return w, err
	}
	if err := s.applyWebhook(ctx, me, &w, in); err != nil {
		return w, err
	}
	return s.db.UpdateWebhook(ctx, w)
}

// DeleteWebhook removes a subscription and its delivery log.
func (s *Service) DeleteWebhook(ctx context.Context, me lead.User, id string) error {
	if _, err := s.webhookFor(ctx, me, id); err != nil {
		return err
	}
	return s.db.DeleteWebhook(ctx, id)
}

// RotateWebhookSecret gives a subscription a new signing secret, answered
// once; the old one keeps signing beside it for grace ("" for
// DefaultWebhookGrace, "0" to stop it at once).
func (s *Service) RotateWebhookSecret(ctx context.Context, me lead.User, id, grace string) (WebhookSecret, error) {
	if _, err := s.webhookFor(ctx, me, id); err != nil {
		return WebhookSecret{}, err
	}
	g := DefaultWebhookGrace
	if grace != "" {
		d, err := lead.ParseDuration(grace)
		if err != nil || time.Duration(d) > maxWebhookGrace {
			return WebhookSecret{}, lead.Invalid(lead.FieldError{Field: "grace", Reason: "must be a duration such as 90s, 36h or 7d, at most 30d"})
		}
		g = time.Duration(d)
	}
	secret := webhook.NewSecret()
	w, err := s.db.RotateWebhookSecret(ctx, id, secret, time.Now().Add(g))
	return WebhookSecret{Webhook: w, Secret: secret}, err
}

// WebhookDeliveries are a page of a subscription's deliveries, newest first.
func (s *Service) WebhookDeliveries(ctx context.Context, me lead.User, id string, limit int, cursor string) ([]lead.WebhookDelivery, string, error) {
	if _, err := s.webhookFor(ctx, me, id); err != nil {
		return nil, "", err
	}
	return s.db.WebhookDeliveries(ctx, id, limit, cursor)
}

// Redeliver queues a delivery of a subscription again, under the same
// webhook-id; it goes out when the subscription is active.
func (s *Service) Redeliver(ctx context.Context, me lead.User, id, delivery string) error {
	if _, err := s.webhookFor(ctx, me, id); err != nil {
		return err
	}
	n, err := strconv.ParseInt(delivery, 10, 64)
	if err != nil || n <= 0 {
		return lead.Errorf(lead.CodeNotFound, "delivery not found")
	}
	return s.db.Redeliver(ctx, id, n)
}
