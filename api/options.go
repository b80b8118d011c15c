package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/service"
)

func (s *Server) optionRoutes(v1 fiber.Router) {
	v1.Get("/options", s.listOptions)
	v1.Get("/options/:list", s.getOptions)
	v1.Put("/options/:list", s.gate(service.GateAdmin), s.putOptions)
}

func (s *Server) listOptions(c *fiber.Ctx) error {
	all, err := s.svc.AllOptions(c.UserContext(), httpx.Caller(c))
	if err != nil {
		return err
	}
	return c.JSON(all)
}

func (s *Server) getOptions(c *fiber.Ctx) error {
	items, err := s.svc.Options(c.UserContext(), httpx.Caller(c), c.Params("list"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"name": c.Params("list"), "items": items})
}

// putOptions replaces an option list (service.SetOptions); an unknown list
// is answered before the body is read.
func (s *Server) putOptions(c *fiber.Ctx) error {
	var in struct {
		Items []string `json:"items"`
	}
	if err := service.KnownOptionList(c.Params("list")); err != nil {
		return err
	}
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	items, err := s.svc.SetOptions(c.UserContext(), httpx.Caller(c), c.Params("list"), in.Items)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"name": c.Params("list"), "items": items})
}
