package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/service"
)

// routeCompanies registers the ignored companies (staff read; an admin
// edits the global list, a manager their team's: service/companies.go)
// a team's registration rules (service/registration.go) and the CRM
// targets registered leads are pushed to (admins: service/crmtargets.go).
func (s *Server) routeCompanies(v1 fiber.Router) {
	staff := s.gate(service.GateStaff)
	v1.Get("/companies/ignored", staff, s.listIgnoredCompanies)
	v1.Post("/companies/ignored", staff, s.ignoreCompany)
	v1.Delete("/companies/ignored/:id", staff, s.unignoreCompany)
	v1.Get("/teams/:id/registration-rules", staff, s.teamRegistrationRules)
	v1.Put("/teams/:id/registration-rules", staff, s.saveTeamRegistrationRules)
	admin := s.gate(service.GateAdmin)
	v1.Get("/crm-targets", admin, s.listCRMTargets)
	v1.Post("/crm-targets", admin, s.createCRMTarget)
	v1.Delete("/crm-targets/:id", admin, s.deleteCRMTarget)
}

func (s *Server) listCRMTargets(c *fiber.Ctx) error {
	items, err := s.svc.CRMTargets(c.UserContext(), httpx.Caller(c))
	if err != nil {
		return err
	}
	return c.JSON(httpx.Page(items, ""))
}

func (s *Server) createCRMTarget(c *fiber.Ctx) error {
	var b service.CRMTargetInput
	if err := httpx.DecodeJSON(c, &b); err != nil {
		return err
	}
	out, err := s.svc.CreateCRMTarget(c.UserContext(), httpx.Caller(c), idempotencyKey(c), b)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (s *Server) deleteCRMTarget(c *fiber.Ctx) error {
	if err := s.svc.DeleteCRMTarget(c.UserContext(), httpx.Caller(c), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) teamRegistrationRules(c *fiber.Ctx) error {
	out, err := s.svc.TeamRegistrationRules(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Server) saveTeamRegistrationRules(c *fiber.Ctx) error {
	body, err := rawBody(c)
	if err != nil {
		return err
	}
	out, err := s.svc.SaveTeamRegistrationRules(c.UserContext(), httpx.Caller(c), c.Params("id"), body)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Server) listIgnoredCompanies(c *fiber.Ctx) error {
	items, err := s.svc.IgnoredCompanies(c.UserContext(), httpx.Caller(c))
	if err != nil {
		return err
	}
	return c.JSON(httpx.Page(items, ""))
}

func (s *Server) ignoreCompany(c *fiber.Ctx) error {
	var b service.IgnoreCompanyInput
	if err := httpx.DecodeJSON(c, &b); err != nil {
		return err
	}
	out, err := s.svc.IgnoreCompany(c.UserContext(), httpx.Caller(c), idempotencyKey(c), b)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (s *Server) unignoreCompany(c *fiber.Ctx) error {
	if err := s.svc.UnignoreCompany(c.UserContext(), httpx.Caller(c), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
