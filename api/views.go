package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/service"
)

// routeViews registers the saved views of the lead list (service/views.go):
// every signed-in user keeps their own; sharing is the service's to decide.
func (s *Server) routeViews(v1 fiber.Router) {
	v1.Get("/views", s.listViews)
	v1.Post("/views", s.createView)
	v1.Patch("/views/:id", s.patchView)
	v1.Delete("/views/:id", s.deleteView)
	v1.Get("/me/columns", s.myColumns)
	v1.Put("/me/columns", s.putMyColumns)
}

// listColumns is the body and the answer of /me/columns: the columns the
// caller's lead list shows (empty when set: the default).
type listColumns struct {
	Columns []string `json:"columns"`
}

func (s *Server) myColumns(c *fiber.Ctx) error {
	cols, err := s.svc.ListColumns(c.UserContext(), httpx.Caller(c))
	if err != nil {
		return err
	}
	return c.JSON(listColumns{Columns: service.ShownColumns(cols)})
}

func (s *Server) putMyColumns(c *fiber.Ctx) error {
	var b listColumns
	if err := httpx.DecodeJSON(c, &b); err != nil {
		return err
	}
	if b.Columns == nil {
		b.Columns = []string{}
	}
	if err := s.svc.SetListColumns(c.UserContext(), httpx.Caller(c), b.Columns); err != nil {
		return err
	}
	return c.JSON(listColumns{Columns: service.ShownColumns(b.Columns)})
}

func (s *Server) listViews(c *fiber.Ctx) error {
	items, err := s.svc.Views(c.UserContext(), httpx.Caller(c))
	if err != nil {
		return err
	}
	return c.JSON(httpx.Page(items, ""))
}

func (s *Server) createView(c *fiber.Ctx) error {
	var b service.ViewInput
	if err := httpx.DecodeJSON(c, &b); err != nil {
		return err
	}
	v, err := s.svc.CreateView(c.UserContext(), httpx.Caller(c), idempotencyKey(c), b)
	if err != nil {
		return err
	}
	c.Location("/api/v1/views/" + v.ID)
	return c.Status(fiber.StatusCreated).JSON(v)
}

func (s *Server) patchView(c *fiber.Ctx) error {
	var b service.ViewInput
	if err := httpx.DecodeJSON(c, &b); err != nil {
		return err
	}
	v, err := s.svc.UpdateView(c.UserContext(), httpx.Caller(c), c.Params("id"), b)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (s *Server) deleteView(c *fiber.Ctx) error {
	if err := s.svc.DeleteView(c.UserContext(), httpx.Caller(c), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
