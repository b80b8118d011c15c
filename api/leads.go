package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
)

// This file creates leads and reads them: one lead, its history, the list.
// The service decides; each handler decodes, calls it and encodes.

func (s *Server) createLead(c *fiber.Ctx) error {
	var in lead.Input
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	out, err := s.svc.CreateLead(c.UserContext(), httpx.Caller(c), idempotencyKey(c), in)
	if err != nil {
		return err
	}
	return answerCreated(c, out)
}

// createdLead is the answer to a create: the lead, with a warning when it
// duplicates a live lead (duplicate policy warn).
type createdLead struct {
	lead.Lead
	Warnings []string `json:"warnings,omitempty"`
}

// answerCreated answers a create by its intake outcome: 201 for a new lead
// (with a warning about the lead it duplicates under the warn policy),
// 200 for a registration merged into an existing lead (located there when
// the caller may read it). A duplicate refused by the reject policy is the
// service's conflict (409).
func answerCreated(c *fiber.Ctx, out service.Created) error {
	c.Location("/api/v1/leads/" + out.Lead.ID)
	body := createdLead{Lead: out.Lead, Warnings: out.Warnings}
	if out.Merged {
		if out.Lead.MergedInto != "" {
			c.Location("/api/v1/leads/" + out.Lead.MergedInto)
		}
		return c.Status(fiber.StatusOK).JSON(body)
	}
	if out.New {
		c.Status(fiber.StatusCreated)
	}
	return c.JSON(body)
}

func (s *Server) getLead(c *fiber.Ctx) error {
	l, err := s.svc.LeadDetail(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(l)
}

func (s *Server) leadHistory(c *fiber.Ctx) error { return leadPage(s, c, s.svc.LeadHistory) }

// listLeads lists the leads the caller may see, newest first.
func (s *Server) listLeads(c *fiber.Ctx) error {
	limit, err := httpx.PageLimit(c)
	if err != nil {
		return err
	}
	f, err := service.ParseLeadFilter(httpx.Query(c), httpx.SameName)
	if err != nil {
		return err
	}
	leads, next, err := s.svc.Leads(c.UserContext(), httpx.Caller(c), service.LeadsInput{Filter: f, Limit: limit, Cursor: c.Query("cursor")})
	if err != nil {
		return err
	}
	return c.JSON(httpx.Page(leads, next))
}
