package service

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/rules"
)

// The rule-set operations: read, save, test, preview (rulepreview.go),
// list the versions, activate one. Admins and managers read and try rules;
// admins change them (GateRulesRead, GateRulesWrite).

// RuleKind is the kind named k, not found when there is none.
func RuleKind(k string) (rules.Kind, error) {
	kind := rules.Kind(k)
	if !kind.Valid() {
		return kind, lead.Errorf(lead.CodeNotFound, "no rule-set kind %q: use validation, routing, auto_accept, scoring, conversion or registration", k)
	}
	return kind, nil
}

// RuleVersion is version v of a rule set of kind k as a route names it: a
// not-found error when it is not a version number.
func RuleVersion(v string, k rules.Kind) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, lead.Errorf(lead.CodeNotFound, "no %s rule set version %q", k, v)
	}
	return n, nil
}

// RuleSets are the active version of every kind.
func (s *Service) RuleSets(ctx context.Context, me lead.User) ([]lead.RuleSet, error) {
	if err := Allowed(me, GateRulesRead); err != nil {
		return nil, err
	}
	return s.db.ActiveRuleSets(ctx)
}

// RuleSet is the active version of kind k.
func (s *Service) RuleSet(ctx context.Context, me lead.User, k rules.Kind) (lead.RuleSet, error) {
	if err := Allowed(me, GateRulesRead); err != nil {
		return lead.RuleSet{}, err
	}
	return s.db.ActiveRuleSet(ctx, string(k))
}

// RuleVersions are every version of kind k, newest first.
func (s *Service) RuleVersions(ctx context.Context, me lead.User, k rules.Kind) ([]lead.RuleSet, error) {
	if err := Allowed(me, GateRulesRead); err != nil {
		return nil, err
	}
	return s.db.RuleSetVersions(ctx, string(k))
}

// RuleVersion is version v of kind k.
func (s *Service) RuleVersion(ctx context.Context, me lead.User, k rules.Kind, v int) (lead.RuleSet, error) {
	if err := Allowed(me, GateRulesRead); err != nil {
		return lead.RuleSet{}, err
	}
	return s.db.RuleSetVersion(ctx, string(k), v)
}

// checkRules compiles a draft body and checks that the pools it routes to
// exist; a refusal is rules.CompileErrors naming each rule, field, line and
// column.
func (s *Service) checkRules(ctx context.Context, k rules.Kind, body []byte) (*rules.Set, error) {
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
	if t := set.Body().CRMTarget; t != "" {
		if _, err := s.db.CRMTargetNamed(ctx, t); lead.ErrorCode(err) == lead.CodeNotFound {
			return nil, rules.CompileErrors{{Field: "crm_target", Line: 1, Column: 1, Message: fmt.Sprintf("no CRM target named %q", t)}}
		} else if err != nil {
			return nil, err
		}
	}
	for i, r := range set.Body().Rules {
		if r.SequenceID == "" {
			continue
		}
		if _, err := s.db.Sequence(ctx, r.SequenceID); lead.ErrorCode(err) == lead.CodeNotFound {
			return nil, rules.CompileErrors{{Rule: r.Name, Field: fmt.Sprintf("rules[%d].sequence_id", i), Line: 1, Column: 1,
				Message: fmt.Sprintf("no sequence %q", r.SequenceID)}}
		} else if err != nil {
			return nil, err
		}
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

// SaveRules compiles body and stores it as the next, active version of k,
// saved by me.
func (s *Service) SaveRules(ctx context.Context, me lead.User, k rules.Kind, body []byte) (lead.RuleSet, error) {
	if err := Allowed(me, GateRulesWrite); err != nil {
		return lead.RuleSet{}, err
	}
	if _, err := s.checkRules(ctx, k, body); err != nil {
		return lead.RuleSet{}, err
	}
	return s.db.SaveRuleSet(ctx, string(k), body, me.ID)
}

// ActivateRules makes version v of k the active one (a rollback or a roll
// forward). A version saved before a pool disappeared must not come back
// broken: it is compiled again first, and refused as a save would be.
func (s *Service) ActivateRules(ctx context.Context, me lead.User, k rules.Kind, v int) (lead.RuleSet, error) {
	if err := Allowed(me, GateRulesWrite); err != nil {
		return lead.RuleSet{}, err
	}
	set, err := s.db.RuleSetVersion(ctx, string(k), v)
	if err != nil {
		return set, err
	}
	if _, err := s.checkRules(ctx, k, set.Body); err != nil {
		return set, err
	}
	return s.db.ActivateRuleSet(ctx, string(k), v)
}

// TestInput is a rule test: a lead (any fields of a lead, custom fields
// included), the facts, optionally the rep and the pool, and optionally a
// draft to test instead of the active version.
type TestInput struct {
	Lead  lead.Lead       `json:"lead"`
	Facts rules.Facts     `json:"facts"`
	Rep   *rules.RepEnv   `json:"rep"`
	Pool  *rules.PoolEnv  `json:"pool"`
	Rules json.RawMessage `json:"rules"`
	Now   *time.Time      `json:"now"`
}

// TestRules evaluates in's draft (or the active version of k) on in's
// lead, facts, rep and pool.
func (s *Service) TestRules(ctx context.Context, me lead.User, k rules.Kind, in TestInput) (rules.Outcome, error) {
	if err := Allowed(me, GateRulesRead); err != nil {
		return rules.Outcome{}, err
	}
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
func (s *Service) draftOrActive(ctx context.Context, k rules.Kind, draft json.RawMessage) (*rules.Set, int, error) {
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

// Decided is the part of an outcome that is the decision, without the trace.
func Decided(o rules.Outcome) map[string]any {
	switch o.Kind {
	case rules.KindValidation:
		return map[string]any{"rejected": o.Rejected, "reasons": o.Reasons}
	case rules.KindRouting:
		return map[string]any{"pool_id": o.PoolID, "to_inviter": o.ToInviter, "rule": o.Rule}
	case rules.KindScoring:
		return map[string]any{"score": o.Score}
	case rules.KindAutoAccept:
		return map[string]any{"accept": o.Accept, "ignored": o.Ignored}
	case rules.KindRegistration:
		return map[string]any{"register": o.Register, "group": o.Group}
	case rules.KindEnrollWhen:
		return map[string]any{"sequences": o.Sequences}
	default:
		return map[string]any{"customer": o.Customer, "order": o.Order}
	}
}
