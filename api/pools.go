package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/store"
)

// routePools registers teams, pools and the user patch.
func (s *Server) routePools(v1 fiber.Router) {
	admin := s.gate(service.GateAdmin)
	staff := s.gate(service.GateStaff)
	v1.Post("/teams", admin, s.createTeam)
	v1.Get("/teams", s.listTeams)
	v1.Patch("/teams/:id", s.gate(service.GateStaff), s.patchTeam) // a manager: their team's registration_rules
	v1.Patch("/users/:id", s.patchUser)
	v1.Post("/pools", admin, s.createPool)
	v1.Get("/pools", s.listPools)
	v1.Get("/pools/:id", s.getPool)
	v1.Patch("/pools/:id", staff, s.patchPool)
	v1.Post("/pools/:id/transfer-ownership", staff, s.transferPool)
	v1.Post("/pools/:id/archive", admin, s.archivePool)
	v1.Post("/pools/:id/restore", admin, s.restorePool)
}

// archivePool archives an empty pool; one that holds leads is a conflict
// naming their number and where to move them (service.ArchivePool).
func (s *Server) archivePool(c *fiber.Ctx) error {
	p, err := s.svc.ArchivePool(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (s *Server) restorePool(c *fiber.Ctx) error {
	p, err := s.svc.RestorePool(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (s *Server) createPool(c *fiber.Ctx) error {
	var b service.PoolChange
	if err := httpx.DecodeJSON(c, &b); err != nil {
		return err
	}
	created, err := s.svc.CreatePool(c.UserContext(), httpx.Caller(c), b)
	if err != nil {
		return err
	}
	c.Location("/api/v1/pools/" + created.ID)
	return c.Status(fiber.StatusCreated).JSON(created)
}

// listPools lists pools oldest first, optionally of one ?scope=; reps get
// the pools service.PoolVisible lets them see.
func (s *Server) listPools(c *fiber.Ctx) error {
	limit, err := httpx.PageLimit(c)
	if err != nil {
		return err
	}
	f := store.PoolFilter{Scope: lead.Scope(c.Query("scope")), Limit: limit, Cursor: c.Query("cursor"), Archived: c.Query("archived") == "true"}
	pools, next, err := s.svc.Pools(c.UserContext(), httpx.Caller(c), f)
	if err != nil {
		return err
	}
	return c.JSON(httpx.Page(pools, next))
}

func (s *Server) getPool(c *fiber.Ctx) error {
	p, err := s.svc.Pool(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(p)
}

// patchPool applies a JSON merge patch (service.UpdatePool). Whether the
// caller may manage the pool is answered before the body is read.
func (s *Server) patchPool(c *fiber.Ctx) error {
	if _, err := s.svc.ManagedPool(c.UserContext(), httpx.Caller(c), c.Params("id")); err != nil {
		return err
	}
	var b service.PoolChange
	if err := httpx.DecodeJSON(c, &b); err != nil {
		return err
	}
	updated, err := s.svc.UpdatePool(c.UserContext(), httpx.Caller(c), c.Params("id"), b)
	if err != nil {
		return err
	}
	return c.JSON(updated)
}

// transferInput is the body of POST /pools/{id}/transfer-ownership.
type transferInput struct {
	AdminID string `json:"admin_id"`
}

// transferPool hands the pool to another manager or admin; only admins and
// the pool's current owner may, which is answered before the body is read.
func (s *Server) transferPool(c *fiber.Ctx) error {
	if _, err := s.svc.OwnedPool(c.UserContext(), httpx.Caller(c), c.Params("id")); err != nil {
		return err
	}
	var in transferInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	out, err := s.svc.TransferPool(c.UserContext(), httpx.Caller(c), c.Params("id"), in.AdminID)
	if err != nil {
		return err
	}
	return c.JSON(out)
}
