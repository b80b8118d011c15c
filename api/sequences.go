package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/service"
)

// routeSequences registers the sequences (service/sequences.go): admins
// and the managers of the pools a sequence names make, change and read it
// and its report; whoever may act on a lead enrols it and takes it out,
// whoever may read it sees where it is.
func (s *Server) routeSequences(v1 fiber.Router) {
	staff := s.gate(service.GateStaff)
	v1.Get("/sequences", staff, s.listSequences)
	v1.Post("/sequences", staff, s.createSequence)
	v1.Get("/sequences/:id", staff, s.getSequence)
	v1.Patch("/sequences/:id", staff, s.patchSequence)
	v1.Get("/reports/sequences/:id", staff, s.sequenceReport)
	v1.Get("/leads/:id/sequences", s.leadSequences)
	v1.Post("/leads/:id/sequences", s.enrolLead)
	v1.Delete("/leads/:id/sequences/:enrolment", s.unenrolLead)
}

func (s *Server) listSequences(c *fiber.Ctx) error {
	limit, err := httpx.PageLimit(c)
	if err != nil {
		return err
	}
	items, next, err := s.svc.Sequences(c.UserContext(), httpx.Caller(c), limit, c.Query("cursor"))
	if err != nil {
		return err
	}
	return c.JSON(httpx.Page(items, next))
}

func (s *Server) createSequence(c *fiber.Ctx) error {
	var b service.SequenceInput
	if err := httpx.DecodeJSON(c, &b); err != nil {
		return err
	}
	out, err := s.svc.CreateSequence(c.UserContext(), httpx.Caller(c), idempotencyKey(c), b)
	if err != nil {
		return err
	}
	c.Location("/api/v1/sequences/" + out.ID)
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (s *Server) getSequence(c *fiber.Ctx) error {
	out, err := s.svc.Sequence(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Server) patchSequence(c *fiber.Ctx) error {
	var b service.SequenceInput
	if err := httpx.DecodeJSON(c, &b); err != nil {
		return err
	}
	out, err := s.svc.UpdateSequence(c.UserContext(), httpx.Caller(c), c.Params("id"), b)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Server) sequenceReport(c *fiber.Ctx) error {
	out, err := s.svc.SequenceFunnel(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Server) leadSequences(c *fiber.Ctx) error {
	items, err := s.svc.LeadSequences(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(httpx.Page(items, ""))
}

func (s *Server) enrolLead(c *fiber.Ctx) error {
	var b service.EnrolInput
	if err := httpx.DecodeJSON(c, &b); err != nil {
		return err
	}
	out, err := s.svc.Enrol(c.UserContext(), httpx.Caller(c), c.Params("id"), idempotencyKey(c), b)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (s *Server) unenrolLead(c *fiber.Ctx) error {
	out, err := s.svc.Unenrol(c.UserContext(), httpx.Caller(c), c.Params("id"), c.Params("enrolment"))
	if err != nil {
		return err
	}
	return c.JSON(out)
}
