package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
)

// This file is the API's side of the access model (lead/access.go): it
// reads the lead with the caller's relation to it and answers 404 for a
// lead outside the caller's view, 403 for an action the caller may not
// do, 409 for one from the wrong status. The workflow and the store check
// again, atomically.

// poolFor checks that the caller may do the pool action act on the pool poolID.
func (s *Server) poolFor(c *fiber.Ctx, act lead.Action, poolID string) error {
	return s.svc.PoolFor(c.UserContext(), httpx.Caller(c), act, poolID)
}

// redact hides what the caller may not see of a lead (lead.Redact).
func redact(me lead.User, l lead.Lead) lead.Lead { return lead.Redact(me, l) }

// isStaff reports whether u manages leads beyond their own.
func isStaff(u lead.User) bool { return service.IsStaff(u) }
