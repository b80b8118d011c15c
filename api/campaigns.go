package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
)

// routeCampaigns registers the campaigns (service/campaigns.go): managers
// and admins make drafts, start, pause, resume and cancel them, and read
// their progress and funnel.
func (s *Server) routeCampaigns(v1 fiber.Router) {
	staff := s.gate(service.GateStaff)
	v1.Get("/campaigns", staff, s.listCampaigns)
	v1.Post("/campaigns", staff, s.createCampaign)
	v1.Get("/campaigns/:id", staff, s.getCampaign)
	v1.Post("/campaigns/:id/start", staff, s.startCampaign)
	v1.Get("/reports/campaigns/:id", staff, s.campaignReport)
	for action, status := range map[string]string{"pause": lead.CampaignPaused, "resume": lead.CampaignRunning, "cancel": lead.CampaignCancelled} {
		v1.Post("/campaigns/:id/"+action, staff, func(c *fiber.Ctx) error {
			out, err := s.svc.SetCampaignStatus(c.UserContext(), httpx.Caller(c), c.Params("id"), status)
			if err != nil {
				return err
			}
			return c.JSON(out)
		})
	}
}

func (s *Server) listCampaigns(c *fiber.Ctx) error {
	limit, err := httpx.PageLimit(c)
	if err != nil {
		return err
	}
	items, next, err := s.svc.Campaigns(c.UserContext(), httpx.Caller(c), limit, c.Query("cursor"))
	if err != nil {
		return err
	}
	return c.JSON(httpx.Page(items, next))
}

func (s *Server) createCampaign(c *fiber.Ctx) error {
	var b service.CampaignInput
	if err := httpx.DecodeJSON(c, &b); err != nil {
		return err
	}
	out, err := s.svc.CreateCampaign(c.UserContext(), httpx.Caller(c), idempotencyKey(c), b)
	if err != nil {
		return err
	}
	c.Location("/api/v1/campaigns/" + out.ID)
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (s *Server) getCampaign(c *fiber.Ctx) error {
	out, err := s.svc.Campaign(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Server) startCampaign(c *fiber.Ctx) error {
	out, err := s.svc.StartCampaign(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(out)
}

func (s *Server) campaignReport(c *fiber.Ctx) error {
	out, err := s.svc.CampaignFunnel(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(out)
}
