package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/rules"
)

func (s *Server) routeRules(v1 fiber.Router) {
	read := s.requireRole(lead.RuleReaders...)
	write := s.requireRole(lead.RuleWriters...)
	v1.Get("/rules", read, s.listRules)
	v1.Get("/rules/:kind", read, s.getRules)
	v1.Put("/rules/:kind", write, s.putRules)
	v1.Post("/rules/:kind/test", read, s.testRules)
	v1.Post("/rules/:kind/preview", read, s.previewRules)
	v1.Get("/rules/:kind/versions", read, s.ruleVersions)
	v1.Post("/rules/:kind/versions/:version/activate", write, s.activateRules)
}

func ruleKind(c *fiber.Ctx) (rules.Kind, error) {
	k := rules.Kind(c.Params("kind"))
	if !k.Valid() {
		return k, lead.Errorf(lead.CodeNotFound, "no rule-set kind %q: use validation, routing, auto_accept, scoring or conversion", k)
	}
	return k, nil
}

func (s *Server) listRules(c *fiber.Ctx) error {
	sets, err := s.db.ActiveRuleSets(c.UserContext())
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
	set, err := s.db.ActiveRuleSet(c.UserContext(), string(k))
	if err != nil {
		return err
	}
	return c.JSON(set)
}

// checkRules compiles a draft body and checks that the pools it routes to
// exist; a refusal is rules.CompileErrors naming each rule, field, line and
// column (the error handler answers it as a 422).
func (s *Server) checkRules(ctx context.Context, k rules.Kind, body []byte) (*rules.Set, error) {
	set, err := rules.Compile(k, 0, body)
	if err != nil {
		return nil, err
	}
	missing, err := s.db.MissingPools(ctx, set.PoolIDs())
	if err != nil {
		return nil, err
	}
	if len(missing) > 0 {
		var ce rules.CompileErrors
		for _, id := range missing {
			ce = append(ce, rules.CompileError{Field: poolField(set.Body(), id), Line: 1, Column: 1, Message: fmt.Sprintf("no pool %q", id)})
		}
		return nil, ce
	}
	return set, nil
}

// poolField is the field of a routing body that names pool id.
func poolField(b rules.Body, id string) string {
	for i, r := range b.Rules {
		if r.PoolID == id {
			return fmt.Sprintf("rules[%d].pool_id", i)
		}
	}
	return "default_pool_id"
}

func compileProblem(ce rules.CompileErrors) error {
	p := Problem{Status: fiber.StatusUnprocessableEntity, Code: "rules_invalid", Title: "the rule set does not compile", CompileErrors: ce}
	for _, e := range ce {
		reason := fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Message)
		if e.Rule != "" {
			reason = fmt.Sprintf("rule %q, %s", e.Rule, reason)
		}
		p.Errors = append(p.Errors, lead.FieldError{Field: e.Field, Reason: reason})
	}
	return &problemError{p}
}

// rawBody returns the request body as compact JSON, refusing what is not JSON.
func rawBody(c *fiber.Ctx) ([]byte, error) {
	var raw json.RawMessage
	if err := decodeJSON(c, &raw); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, badRequest("body", err.Error())
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
	saved, err := s.saveRules(c.UserContext(), k, body, caller(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(saved)
}

// saveRules compiles body and stores it as the next, active version of k.
func (s *Server) saveRules(ctx context.Context, k rules.Kind, body []byte, by string) (lead.RuleSet, error) {
	if _, err := s.checkRules(ctx, k, body); err != nil {
		return lead.RuleSet{}, err
	}
	return s.db.SaveRuleSet(ctx, string(k), body, by)
}

func (s *Server) ruleVersions(c *fiber.Ctx) error {
	k, err := ruleKind(c)
	if err != nil {
		return err
	}
	sets, err := s.db.RuleSetVersions(c.UserContext(), string(k))
	if err != nil {
		return err
	}
	return c.JSON(page(sets, ""))
}

// ruleVersion is the :version of a route, a 404 when it is not a version number.
func ruleVersion(c *fiber.Ctx, k rules.Kind) (int, error) {
	v, err := strconv.Atoi(c.Params("version"))
	if err != nil || v < 1 {
		return 0, lead.Errorf(lead.CodeNotFound, "no %s rule set version %q", k, c.Params("version"))
	}
	return v, nil
}

func (s *Server) activateRules(c *fiber.Ctx) error {
	k, err := ruleKind(c)
	if err != nil {
		return err
	}
	v, err := ruleVersion(c, k)
	if err != nil {
		return err
	}
	set, err := s.activateRuleVersion(c.UserContext(), k, v)
	if err != nil {
		return err
	}
	return c.JSON(set)
}

// activateRuleVersion makes version v of k the active one (a rollback or a
// roll forward). A version saved before a pool disappeared must not come
// back broken: it is compiled again first, and refused as a save would be.
func (s *Server) activateRuleVersion(ctx context.Context, k rules.Kind, v int) (lead.RuleSet, error) {
	set, err := s.db.RuleSetVersion(ctx, string(k), v)
	if err != nil {
		return set, err
	}
	if _, err := s.checkRules(ctx, k, set.Body); err != nil {
		return set, err
	}
	return s.db.ActivateRuleSet(ctx, string(k), v)
}

// testInput is the body of POST /rules/{kind}/test: a lead (any fields of a
// lead, custom fields included), the facts, optionally the rep and the pool,
// and optionally a draft to test instead of the active version.
type testInput struct {
	Lead  lead.Lead       `json:"lead"`
	Facts rules.Facts     `json:"facts"`
	Rep   *rules.RepEnv   `json:"rep"`
	Pool  *rules.PoolEnv  `json:"pool"`
	Rules json.RawMessage `json:"rules"`
	Now   *time.Time      `json:"now"`
}

func (s *Server) testRules(c *fiber.Ctx) error {
	k, err := ruleKind(c)
	if err != nil {
		return err
	}
	var in testInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	out, err := s.testRuleSet(c.UserContext(), k, in)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// testRuleSet evaluates in's draft (or the active version of k) on in's
// lead, facts, rep and pool.
func (s *Server) testRuleSet(ctx context.Context, k rules.Kind, in testInput) (rules.Outcome, error) {
	set, version, err := s.draftOrActive(ctx, k, in.Rules)
	if err != nil {
		return rules.Outcome{}, err
	}
	now := time.Now()
	if in.Now != nil {
		now = *in.Now
	}
	if in.Lead.CreatedAt.IsZero() {
		in.Lead.CreatedAt = now
	}
	if in.Lead.PhoneE164 == "" && in.Lead.Phone != "" {
		in.Lead.PhoneE164 = lead.ParsePhone(in.Lead.Phone, in.Lead.Country).E164
	}
	env := rules.NewEnv(rules.NewLeadEnv(in.Lead), in.Facts, now)
	if in.Rep != nil {
		env.Rep = *in.Rep
	}
	if in.Pool != nil {
		env.Pool = *in.Pool
	}
	out := set.Evaluate(env)
	out.Version = version
	return out, nil
}

// draftOrActive compiles the draft when one is given (version 0), else the active set.
func (s *Server) draftOrActive(ctx context.Context, k rules.Kind, draft json.RawMessage) (*rules.Set, int, error) {
	if len(bytes.TrimSpace(draft)) > 0 && string(bytes.TrimSpace(draft)) != "null" {
		set, err := s.checkRules(ctx, k, draft)
		return set, 0, err
	}
	stored, err := s.db.ActiveRuleSet(ctx, string(k))
	if err != nil {
		return nil, 0, err
	}
	set, err := rules.Compile(k, stored.Version, stored.Body)
	return set, stored.Version, err
}

// decided is the part of an outcome that is the decision, without the trace.
func decided(o rules.Outcome) map[string]any {
	switch o.Kind {
	case rules.KindValidation:
		return map[string]any{"rejected": o.Rejected, "reasons": o.Reasons}
	case rules.KindRouting:
		return map[string]any{"pool_id": o.PoolID, "to_inviter": o.ToInviter, "rule": o.Rule}
	case rules.KindScoring:
		return map[string]any{"score": o.Score}
	case rules.KindAutoAccept:
		return map[string]any{"accept": o.Accept, "ignored": o.Ignored}
	default:
		return map[string]any{"customer": o.Customer, "order": o.Order}
	}
}
