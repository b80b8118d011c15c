package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/service"
)

// This file serves the custom field definitions: everyone signed in reads
// them (a rep fills them in), admins write them.

func (s *Server) routeFields(v1 fiber.Router) {
	admin := s.gate(service.GateAdmin)
	v1.Get("/fields", s.listFields)
	v1.Post("/fields", admin, s.createField)
	v1.Patch("/fields/:id", admin, s.patchField)
	v1.Delete("/fields/:id", admin, s.deleteField)
}

// listFields lists the definitions, of one entity with ?entity=.
func (s *Server) listFields(c *fiber.Ctx) error {
	defs, err := s.svc.Fields(c.UserContext(), httpx.Caller(c), c.Query("entity"))
	if err != nil {
		return err
	}
	return c.JSON(httpx.Page(defs, ""))
}

func (s *Server) createField(c *fiber.Ctx) error {
	var in service.FieldInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	out, err := s.svc.SaveField(c.UserContext(), httpx.Caller(c), "", in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/fields/" + out.ID)
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (s *Server) patchField(c *fiber.Ctx) error {
	var in service.FieldInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	out, err := s.svc.SaveField(c.UserContext(), httpx.Caller(c), c.Params("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Server) deleteField(c *fiber.Ctx) error {
	if err := s.svc.DeleteField(c.UserContext(), httpx.Caller(c), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
