package console

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/internal/linediff"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/rules"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/web"
)

// This file is a rule set's version page (its difference from the active
// version, and the form that makes it active again), and the decisions of
// a test or a preview in words.

// diffContext is how many unchanged lines a diff shows around a change.
const diffContext = 3

func (s *Server) ruleVersionPage(c *fiber.Ctx) error {
	return s.showVersion(c, nil)
}

// showVersion renders the version of the route against the active one,
// with the refusal of its activation form.
func (s *Server) showVersion(c *fiber.Ctx, refusal error) error {
	k := rules.Kind(c.Params("kind"))
	v, err := service.RuleVersion(c.Params("version"), k)
	if err == nil {
		var set lead.RuleSet
		if set, err = s.Service.RuleVersion(c.UserContext(), httpx.Caller(c), k, v); err == nil {
			return s.renderVersion(c, set, refusal)
		}
	}
	if lead.ErrorCode(err) == lead.CodeNotFound {
		return s.consoleMessage(c, fiber.StatusNotFound, "rules.no_version", pageProblem(c, err).Title)
	}
	return err
}

func (s *Server) renderVersion(c *fiber.Ctx, set lead.RuleSet, refusal error) error {
	active, err := s.Service.RuleSet(c.UserContext(), httpx.Caller(c), rules.Kind(set.Kind))
	if err != nil {
		return err
	}
	src := indentJSON(set.Body)
	d := web.RuleVersionPage{Kind: set.Kind, ActiveVersion: active.Version, Source: src, CanWrite: httpx.Caller(c).MayWriteRules(),
		Version: web.RuleVersion{Version: set.Version, Active: set.Active, By: s.userNames(c)(set.CreatedBy), At: set.CreatedAt},
		Hunks:   linediff.Hunks(linediff.Diff(indentJSON(active.Body), src), diffContext)}
	p := consolePage(c, tr(c, "rules.version_title", "Kind", set.Kind, "Version", set.Version), "rules")
	p.Data = d
	if refusal != nil {
		refusal = compileProblemOf(refusal)
		p.Problem = pageProblem(c, refusal)
		c.Status(refusalStatus(refusal))
	}
	return render(c, "ruleversion", p)
}

// activateRulePage makes the route's version active, once the form's box
// confirming it is ticked.
func (s *Server) activateRulePage(c *fiber.Ctx) error {
	k := rules.Kind(c.Params("kind"))
	v, err := service.RuleVersion(c.Params("version"), k)
	if err != nil {
		return s.showVersion(c, nil)
	}
	if c.FormValue("confirm") != "yes" {
		return s.showVersion(c, lead.Invalid(lead.FieldError{Field: "confirm", Reason: tr(c, "rules.tick_box")}))
	}
	if _, err := s.Service.ActivateRules(c.UserContext(), httpx.Caller(c), k, v); err != nil {
		if lead.ErrorCode(err) == lead.CodeNotFound {
			return s.showVersion(c, nil)
		}
		if webProblem(compileProblemOf(err)) == nil {
			return err
		}
		return s.showVersion(c, err)
	}
	return c.Redirect(fmt.Sprintf("/rules/%s?activated=%d", k, v), fiber.StatusSeeOther)
}

// decisionText is a decision (decided's map) in words, in the reader's language.
func (s *Server) decisionText(c *fiber.Ctx, k rules.Kind, decision any) string {
	d, _ := decision.(map[string]any)
	switch k {
	case rules.KindValidation:
		if d["rejected"] == true {
			reasons, _ := d["reasons"].([]string)
			return tr(c, "rules.d.rejected", "Reasons", strings.Join(reasons, "; "))
		}
		return tr(c, "rules.d.accepted")
	case rules.KindRouting:
		to := tr(c, "rules.d.inviter_pool")
		if id, _ := d["pool_id"].(string); id != "" {
			name := id
			if n := s.Service.PoolName(c.UserContext(), id); n != "" {
				name = n
			}
			to = tr(c, "rules.d.pool", "Pool", name)
		} else if d["to_inviter"] != true {
			return tr(c, "rules.d.no_pool")
		}
		if rule, _ := d["rule"].(string); rule != "" {
			return tr(c, "rules.d.by_rule", "To", to, "Rule", rule)
		}
		return tr(c, "rules.d.by_default", "To", to)
	case rules.KindScoring:
		return tr(c, "rules.d.score", "Score", strconv.Itoa(toInt(d["score"])))
	case rules.KindAutoAccept:
		switch {
		case d["ignored"] == true:
			return tr(c, "rules.d.ignored")
		case d["accept"] == true:
			return tr(c, "rules.d.auto_accepted")
		}
		return tr(c, "rules.d.not_accepted")
	case rules.KindRegistration:
		if d["register"] == true {
			return tr(c, "registration.d.registered", "Group", strconv.Itoa(toInt(d["group"])))
		}
		return tr(c, "registration.d.not_registered")
	default:
		b, _ := json.Marshal(d)
		return string(b)
	}
}

func toInt(v any) int {
	n, _ := v.(int)
	return n
}
