package console

import (
	"net/url"
	"slices"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/web"
)

// This file is the console's outbound webhook pages: the subscriptions
// and their deliveries, each form calling the service method of its REST
// route (api/webhooks.go: service/webhooks.go, admins, and managers for
// their pools).

// consoleWebhooks registers the webhook pages and forms (staff, as the API).
func (s *Server) consoleWebhooks(get, post func(string, fiber.Handler)) {
	staff := s.gated(service.GateStaff)
	get("/webhooks", staff(s.webhooksPage))
	post("/webhooks", staff(s.createWebhookForm))
	get("/webhooks/:id", staff(s.webhookPage))
	post("/webhooks/:id", staff(s.saveWebhookForm))
	post("/webhooks/:id/rotate-secret", staff(s.rotateWebhookForm))
	post("/webhooks/:id/delete", staff(s.deleteWebhookForm))
	post("/webhooks/:id/deliveries/:delivery/redeliver", staff(s.redeliverForm))
}

// webhookEvents are the form's event checkboxes, those of on checked.
func webhookEvents(on []string) []web.WebhookEvent {
	out := []web.WebhookEvent{{Value: lead.WebhookAll, Checked: slices.Contains(on, lead.WebhookAll)}}
	for _, e := range lead.WebhookEvents {
		out = append(out, web.WebhookEvent{Value: e, Checked: slices.Contains(on, e)})
	}
	return out
}

// webhookPools are the pools me may subscribe to: every pool for an
// admin, for a manager those they administer.
func (s *Server) webhookPools(c *fiber.Ctx) ([]web.Choice, error) {
	ctx, me := c.UserContext(), httpx.Caller(c)
	f := store.PoolFilter{Limit: 500}
	if me.Role != lead.RoleAdmin {
		f.VisibleTo = me.ID
	}
	pools, _, err := s.Service.Pools(ctx, me, f)
	if err != nil {
		return nil, err
	}
	var out []web.Choice
	for _, p := range pools {
		if me.Role == lead.RoleAdmin || slices.Contains(p.AdminIDs, me.ID) {
			out = append(out, web.Choice{Value: p.ID, Label: p.Name})
		}
	}
	return out, nil
}

func (s *Server) webhooksPage(c *fiber.Ctx) error {
	return s.showWebhooks(c, nil, map[string]string{"active": "on"}, nil, nil)
}

// showWebhooks renders /webhooks with the create form as typed (events
// checked), a new secret to show once, and a refusal.
func (s *Server) showWebhooks(c *fiber.Ctx, secret *web.Secret, form map[string]string, events []string, refusal error) error {
	ctx, me := c.UserContext(), httpx.Caller(c)
	hooks, next, err := s.Service.Webhooks(ctx, me, 100, c.Query("cursor"))
	if err != nil {
		return s.consoleRefusal(c, err)
	}
	pools, err := s.webhookPools(c)
	if err != nil {
		return err
	}
	d := web.WebhooksPage{Events: webhookEvents(events), Pools: pools, AnyPool: me.Role == lead.RoleAdmin, RequestID: uuid.NewString(),
		Secret: secret, Form: form, Errors: map[string]string{}}
	for _, w := range hooks {
		d.Webhooks = append(d.Webhooks, web.WebhookRow{Webhook: w, PoolName: choiceLabel(pools, w.PoolID)})
	}
	if next != "" {
		d.Next = "/webhooks?cursor=" + url.QueryEscape(next)
	}
	return showPage(c, "webhooks", "webhooks.title", "webhooks", "", &d, &d.Errors, refusal)
}

// createWebhookForm subscribes, as POST /api/v1/webhooks does, and shows
// the new secret once.
func (s *Server) createWebhookForm(c *fiber.Ctx) error {
	form := formValues(c, "url", "pool_id", "active")
	events := formList(c, "events")
	key, err := requestKey(c)
	if err == nil {
		in := service.WebhookChange{URL: ptr(form["url"]), Events: &events, Active: ptr(form["active"] == "on")}
		if form["pool_id"] != "" {
			in.PoolID = ptr(form["pool_id"])
		}
		var w service.WebhookSecret
		if w, err = s.Service.CreateWebhook(c.UserContext(), httpx.Caller(c), key, in); err == nil {
			return s.showWebhooks(c, &web.Secret{Label: w.ID, Value: w.Secret}, map[string]string{"active": "on"}, nil, nil)
		}
	}
	if webProblem(err) == nil {
		return err
	}
	return s.showWebhooks(c, nil, form, events, err)
}

func (s *Server) webhookPage(c *fiber.Ctx) error {
	notice := map[string]string{"saved": "webhooks.saved", "redelivered": "webhooks.redelivered"}[c.Query("done")]
	return s.showWebhook(c, notice, nil, nil, nil)
}

// showWebhook renders /webhooks/{id}: the subscription, its form (as
// typed when form is not nil), a secret to show once, its deliveries.
func (s *Server) showWebhook(c *fiber.Ctx, notice string, secret *web.Secret, form map[string]string, refusal error) error {
	ctx, me, id := c.UserContext(), httpx.Caller(c), c.Params("id")
	w, err := s.Service.Webhook(ctx, me, id)
	if err != nil {
		return s.consoleRefusal(c, err)
	}
	dels, next, err := s.Service.WebhookDeliveries(ctx, me, id, 50, c.Query("cursor"))
	if err != nil {
		return s.consoleRefusal(c, err)
	}
	pools, err := s.webhookPools(c)
	if err != nil {
		return err
	}
	events := w.Events
	if form == nil {
		form = map[string]string{"url": w.URL}
		if w.Active {
			form["active"] = "on"
		}
	} else {
		events = formList(c, "events")
	}
	d := web.WebhookPage{SecretForms: web.SecretForms{Path: "/webhooks/" + url.PathEscape(w.ID), Kind: "webhook", Area: "webhooks"}, Webhook: web.WebhookRow{Webhook: w, PoolName: choiceLabel(pools, w.PoolID)}, Events: webhookEvents(events),
		Secret: secret, Deliveries: dels, Form: form, Errors: map[string]string{}}
	if next != "" {
		d.Next = "/webhooks/" + url.PathEscape(id) + "?cursor=" + url.QueryEscape(next)
	}
	return showPage(c, "webhook", "webhooks.one", "webhooks", notice, &d, &d.Errors, refusal)
}

// saveWebhookForm changes the URL, events and active, as PATCH
// /api/v1/webhooks/{id} does.
func (s *Server) saveWebhookForm(c *fiber.Ctx) error {
	form := formValues(c, "url", "active")
	events := formList(c, "events")
	active := form["active"] == "on"
	in := service.WebhookChange{URL: ptr(form["url"]), Events: &events, Active: &active}
	if _, err := s.Service.UpdateWebhook(c.UserContext(), httpx.Caller(c), c.Params("id"), in); err != nil {
		if webProblem(err) == nil {
			return err
		}
		if lead.ErrorCode(err) != lead.CodeInvalid {
			return s.consoleRefusal(c, err)
		}
		return s.showWebhook(c, "", nil, form, err)
	}
	return c.Redirect("/webhooks/"+url.PathEscape(c.Params("id"))+"?done=saved", fiber.StatusSeeOther)
}

// rotateWebhookForm gives the subscription a new secret, shown once (POST
// /api/v1/webhooks/{id}/rotate-secret, the default grace).
func (s *Server) rotateWebhookForm(c *fiber.Ctx) error {
	w, err := s.Service.RotateWebhookSecret(c.UserContext(), httpx.Caller(c), c.Params("id"), "")
	return s.showSecret(c, w.ID, w.Secret, err, func(secret *web.Secret) error { return s.showWebhook(c, "", secret, nil, nil) })
}

// deleteWebhookForm removes the subscription when the form confirms it.
func (s *Server) deleteWebhookForm(c *fiber.Ctx) error {
	return s.confirmDelete(c, "webhooks.confirm_required", "/webhooks",
		func(refusal error) error { return s.showWebhook(c, "", nil, nil, refusal) },
		func() error { return s.Service.DeleteWebhook(c.UserContext(), httpx.Caller(c), c.Params("id")) })
}

// showSecret shows a page (show) with the secret a rotation made, once,
// or the rotation's refusal.
func (s *Server) showSecret(c *fiber.Ctx, id, secret string, err error, show func(*web.Secret) error) error {
	if err != nil {
		return s.consoleRefusal(c, err)
	}
	return show(&web.Secret{Label: id, Value: secret})
}

// confirmDelete deletes (del) when the form confirms it (confirm=yes) and
// goes to list; unconfirmed, show renders the page with the refusal
// (reason, a message id).
func (s *Server) confirmDelete(c *fiber.Ctx, reason, list string, show func(error) error, del func() error) error {
	if c.FormValue("confirm") != "yes" {
		return show(lead.Invalid(lead.FieldError{Field: "confirm", Reason: reason}))
	}
	if err := del(); err != nil {
		return s.consoleRefusal(c, err)
	}
	return c.Redirect(list, fiber.StatusSeeOther)
}

// redeliverForm queues a delivery again (POST
// /api/v1/webhooks/{id}/deliveries/{delivery}/redeliver).
func (s *Server) redeliverForm(c *fiber.Ctx) error {
	if err := s.Service.Redeliver(c.UserContext(), httpx.Caller(c), c.Params("id"), c.Params("delivery")); err != nil {
		return s.consoleRefusal(c, err)
	}
	return c.Redirect("/webhooks/"+url.PathEscape(c.Params("id"))+"?done=redelivered", fiber.StatusSeeOther)
}
