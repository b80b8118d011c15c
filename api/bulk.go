package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/service"
)

// The bulk actions (issue 28): one lead action on many leads as a job.

func (s *Server) routeBulk(v1 fiber.Router) {
	v1.Post("/bulk-actions", s.createBulk)
	v1.Get("/bulk-actions", s.listBulk)
	v1.Get("/bulk-actions/:id", s.getBulk)
	v1.Post("/bulk-actions/:id/cancel", s.cancelBulk)
	v1.Get("/bulk-actions/:id/refused.csv", httpx.BulkRefused(s.svc))
}

// createBulk stores a bulk action and starts its job: 202 with the job.
func (s *Server) createBulk(c *fiber.Ctx) error {
	var in service.BulkInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	b, err := s.svc.StartBulk(c.UserContext(), httpx.Caller(c), idempotencyKey(c), in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/bulk-actions/" + b.ID)
	return c.Status(fiber.StatusAccepted).JSON(httpx.ViewBulk(b))
}

// listBulk answers the bulk actions the caller may see, newest first.
func (s *Server) listBulk(c *fiber.Ctx) error {
	return listJobs(c, s.svc.BulkActionsPage, httpx.ViewBulk)
}

func (s *Server) getBulk(c *fiber.Ctx) error {
	b, err := s.svc.BulkAction(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(httpx.ViewBulk(b))
}

// cancelBulk stops a bulk action before its next lead.
func (s *Server) cancelBulk(c *fiber.Ctx) error {
	b, err := s.svc.CancelBulk(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(httpx.ViewBulk(b))
}
