package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/store"
)

// routeNotifications registers the outbox, the caller's e-mail settings
// and the default recipients of pools and teams.
func (s *Server) routeNotifications(v1 fiber.Router) {
	staff := s.gate(service.GateStaff)
	v1.Get("/notifications", s.listNotifications)
	v1.Get("/settings/notifications", s.getNotificationSettings)
	v1.Put("/settings/notifications", s.putNotificationSettings)
	v1.Get("/pools/:id/recipients", staff, s.getPoolRecipients)
	v1.Put("/pools/:id/recipients", staff, s.putPoolRecipients)
	v1.Get("/teams/:id/recipients", staff, s.getTeamRecipients)
	v1.Put("/teams/:id/recipients", s.gate(service.GateAdmin), s.putTeamRecipients)
}

// listNotifications lists e-mails newest first: admins see everyone's
// (optionally ?to_user_id=), others their own. Filters: kind, status, lead_id.
func (s *Server) listNotifications(c *fiber.Ctx) error {
	limit, err := httpx.PageLimit(c)
	if err != nil {
		return err
	}
	items, next, err := s.svc.Notifications(c.UserContext(), httpx.Caller(c), store.NotificationFilter{ToUserID: c.Query("to_user_id"),
		LeadID: c.Query("lead_id"), Kind: c.Query("kind"), Status: c.Query("status"), Limit: limit, Cursor: c.Query("cursor")})
	if err != nil {
		return err
	}
	return c.JSON(httpx.Page(items, next))
}

func (s *Server) getNotificationSettings(c *fiber.Ctx) error {
	out, err := s.svc.MyNotificationSettings(c.UserContext(), httpx.Caller(c))
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// putNotificationSettings replaces the caller's opt-outs: {"opt_out": [kinds]}.
func (s *Server) putNotificationSettings(c *fiber.Ctx) error {
	var in struct {
		OptOut *[]string `json:"opt_out"`
	}
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	out, err := s.svc.SetMyNotificationSettings(c.UserContext(), httpx.Caller(c), in.OptOut)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// recipientsBody is the body of PUT /pools/{id}/recipients and
// PUT /teams/{id}/recipients: exactly who gets the new-lead e-mails.
type recipientsBody struct {
	UserIDs *[]string `json:"user_ids"`
}

func readRecipients(c *fiber.Ctx) ([]string, error) {
	var in recipientsBody
	if err := httpx.DecodeJSON(c, &in); err != nil {
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
	items, err := s.svc.PoolRecipients(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(recipientsPage(items))
}

// putPoolRecipients sets who of the pool gets its new-lead e-mails; admins
// may for any pool, managers for the pools they administer, which is
// answered before the body is read.
func (s *Server) putPoolRecipients(c *fiber.Ctx) error {
	if _, err := s.svc.RecipientsPool(c.UserContext(), httpx.Caller(c), c.Params("id")); err != nil {
		return err
	}
	ids, err := readRecipients(c)
	if err != nil {
		return err
	}
	items, err := s.svc.SetPoolRecipients(c.UserContext(), httpx.Caller(c), c.Params("id"), ids)
	if err != nil {
		return err
	}
	return c.JSON(recipientsPage(items))
}

func (s *Server) getTeamRecipients(c *fiber.Ctx) error {
	items, err := s.svc.TeamRecipients(c.UserContext(), httpx.Caller(c), c.Params("id"))
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
	items, err := s.svc.SetTeamRecipients(c.UserContext(), httpx.Caller(c), c.Params("id"), ids)
	if err != nil {
		return err
	}
	return c.JSON(recipientsPage(items))
}
