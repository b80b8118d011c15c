package api

import (
	"bytes"
	"encoding/json"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/rules"
	"github.com/leadflow/leadflow/service"
)

func (s *Server) routeRules(v1 fiber.Router) {
	read := s.gate(service.GateRulesRead)
	write := s.gate(service.GateRulesWrite)
	v1.Get("/rules", read, s.listRules)
	v1.Get("/rules/:kind", read, s.getRules)
	v1.Put("/rules/:kind", write, s.putRules)
	v1.Post("/rules/:kind/test", read, s.testRules)
	v1.Post("/rules/:kind/preview", read, s.previewRules)
	v1.Get("/rules/:kind/versions", read, s.ruleVersions)
	v1.Post("/rules/:kind/versions/:version/activate", write, s.activateRules)
}

// ruleKind is the route's :kind.
func ruleKind(c *fiber.Ctx) (rules.Kind, error) { return service.RuleKind(c.Params("kind")) }

func (s *Server) listRules(c *fiber.Ctx) error {
	sets, err := s.svc.RuleSets(c.UserContext(), httpx.Caller(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": sets, "environment": rules.Environment})
}

func (s *Server) getRules(c *fiber.Ctx) error {
	k, err := ruleKind(c)
	if err != nil {
		return err
	}
	set, err := s.svc.RuleSet(c.UserContext(), httpx.Caller(c), k)
	if err != nil {
		return err
	}
	return c.JSON(set)
}

// rawBody returns the request body as compact JSON, refusing what is not JSON.
func rawBody(c *fiber.Ctx) ([]byte, error) {
	var raw json.RawMessage
	if err := httpx.DecodeJSON(c, &raw); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, httpx.BadRequest("body", err.Error())
	}
	return buf.Bytes(), nil
}

func (s *Server) putRules(c *fiber.Ctx) error {
	k, err := ruleKind(c)
	if err != nil {
		return err
	}
	body, err := rawBody(c)
	if err != nil {
		return err
	}
	saved, err := s.svc.SaveRules(c.UserContext(), httpx.Caller(c), k, body)
	if err != nil {
		return err
	}
	return c.JSON(saved)
}

func (s *Server) ruleVersions(c *fiber.Ctx) error {
	k, err := ruleKind(c)
	if err != nil {
		return err
	}
	sets, err := s.svc.RuleVersions(c.UserContext(), httpx.Caller(c), k)
	if err != nil {
		return err
	}
	return c.JSON(httpx.Page(sets, ""))
}

func (s *Server) activateRules(c *fiber.Ctx) error {
	k, err := ruleKind(c)
	if err != nil {
		return err
	}
	v, err := service.RuleVersion(c.Params("version"), k)
	if err != nil {
		return err
	}
	set, err := s.svc.ActivateRules(c.UserContext(), httpx.Caller(c), k, v)
	if err != nil {
		return err
	}
	return c.JSON(set)
}

func (s *Server) testRules(c *fiber.Ctx) error {
	k, err := ruleKind(c)
	if err != nil {
		return err
	}
	var in service.TestInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	out, err := s.svc.TestRules(c.UserContext(), httpx.Caller(c), k, in)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// PreviewResult is the answer of POST /rules/{kind}/preview.
type PreviewResult = service.PreviewResult

func (s *Server) previewRules(c *fiber.Ctx) error {
	k, err := ruleKind(c)
	if err != nil {
		return err
	}
	var in service.PreviewInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	res, err := s.svc.PreviewRules(c.UserContext(), httpx.Caller(c), k, in, nil)
	if err != nil {
		return err
	}
	return c.JSON(res)
}
