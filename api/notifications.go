package api

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// routeNotifications registers the outbox, the caller's e-mail settings
// and the default recipients of pools and teams.
func (s *Server) routeNotifications(v1 fiber.Router) {
	staff := s.requireRole(lead.RoleAdmin, lead.RoleManager)
	v1.Get("/notifications", s.listNotifications)
	v1.Get("/settings/notifications", s.getNotificationSettings)
	v1.Put("/settings/notifications", s.putNotificationSettings)
	v1.Get("/pools/:id/recipients", staff, s.getPoolRecipients)
	v1.Put("/pools/:id/recipients", staff, s.putPoolRecipients)
	v1.Get("/teams/:id/recipients", staff, s.getTeamRecipients)
	v1.Put("/teams/:id/recipients", s.requireRole(lead.RoleAdmin), s.putTeamRecipients)
}

// listNotifications lists e-mails newest first: admins see everyone's
// (optionally ?to_user_id=), others their own. Filters: kind, status, lead_id.
func (s *Server) listNotifications(c *fiber.Ctx) error {
	limit, err := pageLimit(c)
	if err != nil {
		return err
	}
	f, err := outboxFilter(caller(c), store.NotificationFilter{ToUserID: c.Query("to_user_id"), LeadID: c.Query("lead_id"),
		Kind: c.Query("kind"), Status: c.Query("status"), Limit: limit, Cursor: c.Query("cursor")})
	if err != nil {
		return err
	}
	items, next, err := s.db.Notifications(c.UserContext(), f)
	if err != nil {
		return err
	}
	return c.JSON(page(items, next))
}

// outboxFilter limits a filter of the e-mails to what me may read: an
// admin everyone's, others their own.
func outboxFilter(me lead.User, f store.NotificationFilter) (store.NotificationFilter, error) {
	if me.Role != lead.RoleAdmin {
		if f.ToUserID != "" && f.ToUserID != me.ID {
			return f, lead.Errorf(lead.CodeForbidden, "only admins may read other users' e-mails")
		}
		f.ToUserID = me.ID
	}
	return f, nil
}

// notificationSettings is the caller's e-mail settings.
type notificationSettings struct {
	// OptOut lists the non-essential kinds the user does not want.
	OptOut []string `json:"opt_out"`
	// Kinds documents every kind and whether it can be turned off.
	Kinds []lead.EmailKind `json:"kinds"`
}

func (s *Server) getNotificationSettings(c *fiber.Ctx) error {
	kinds, err := s.db.EmailOptOut(c.UserContext(), caller(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(notificationSettings{OptOut: kinds, Kinds: lead.EmailKinds})
}

// putNotificationSettings replaces the caller's opt-outs: {"opt_out": [kinds]}.
func (s *Server) putNotificationSettings(c *fiber.Ctx) error {
	var in struct {
		OptOut *[]string `json:"opt_out"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.OptOut == nil {
		return lead.Invalid(lead.FieldError{Field: "opt_out", Reason: "is required: the kinds of e-mail to turn off ([] for none)"})
	}
	kinds, err := s.db.SetEmailOptOut(c.UserContext(), caller(c).ID, *in.OptOut)
	if err != nil {
		return err
	}
	return c.JSON(notificationSettings{OptOut: kinds, Kinds: lead.EmailKinds})
}

// recipientsBody is the body of PUT /pools/{id}/recipients and
// PUT /teams/{id}/recipients: exactly who gets the new-lead e-mails.
type recipientsBody struct {
	UserIDs *[]string `json:"user_ids"`
}

func readRecipients(c *fiber.Ctx) ([]string, error) {
	var in recipientsBody
	if err := decodeJSON(c, &in); err != nil {
		return nil, err
	}
	if in.UserIDs == nil {
		return nil, lead.Invalid(lead.FieldError{Field: "user_ids", Reason: "is required: the users who get new-lead e-mails ([] for nobody)"})
	}
	return *in.UserIDs, nil
}

func recipientsPage(items []lead.Recipient) fiber.Map { return fiber.Map{"items": items} }

// getPoolRecipients lists the pool's admins and members with their
// new-lead e-mail flag.
func (s *Server) getPoolRecipients(c *fiber.Ctx) error {
	if err := s.poolFor(c, lead.ActRecipients, c.Params("id")); err != nil {
		return err
	}
	items, err := s.db.PoolRecipients(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(recipientsPage(items))
}

// putPoolRecipients sets who of the pool gets its new-lead e-mails; admins
// may for any pool, managers for the pools they administer.
func (s *Server) putPoolRecipients(c *fiber.Ctx) error {
	if _, err := s.recipientsPool(c.UserContext(), caller(c), c.Params("id")); err != nil {
		return err
	}
	ids, err := readRecipients(c)
	if err != nil {
		return err
	}
	items, err := s.setPoolRecipients(c.UserContext(), caller(c), c.Params("id"), ids)
	if err != nil {
		return err
	}
	return c.JSON(recipientsPage(items))
}

// recipientsPool returns the pool id when me may manage its recipients.
func (s *Server) recipientsPool(ctx context.Context, me lead.User, id string) (lead.Pool, error) {
	p, err := s.db.Pool(ctx, id)
	if err != nil {
		return p, err
	}
	return p, lead.AuthorizePool(lead.ActRecipients, me, lead.PoolAccessOf(me, p))
}

// setPoolRecipients makes ids the new-lead recipients of pool id, for me
// (the API's PUT and the console's form).
func (s *Server) setPoolRecipients(ctx context.Context, me lead.User, id string, ids []string) ([]lead.Recipient, error) {
	p, err := s.recipientsPool(ctx, me, id)
	if err != nil {
		return nil, err
	}
	return s.db.SetPoolRecipients(ctx, p.ID, ids)
}

func (s *Server) getTeamRecipients(c *fiber.Ctx) error {
	items, err := s.db.TeamRecipients(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(recipientsPage(items))
}

func (s *Server) putTeamRecipients(c *fiber.Ctx) error {
	ids, err := readRecipients(c)
	if err != nil {
		return err
	}
	items, err := s.db.SetTeamRecipients(c.UserContext(), c.Params("id"), ids)
	if err != nil {
		return err
	}
	return c.JSON(recipientsPage(items))
}
