package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/rules"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/web"
)

// This file is the console's rules editor: a page per rule-set kind with
// the source, its compile errors at their line and column, a test against
// a sample lead, the what-if preview over recent leads and the versions.
// Each form calls the service method the API's route calls (SaveRules,
// TestRules, PreviewRules, ActivateRules), under the same roles
// (service.GateRulesRead, service.GateRulesWrite).

// ruleAbout is the message id that says what a kind decides, for the pages.
func ruleAbout(k rules.Kind) string { return "rules.about." + string(k) }

// defaultSample is the sample lead the test form starts with.
const defaultSample = `{
  "company": "Acme Trading Co.",
  "name": "Zhang Wei",
  "phone": "138 0013 8000",
  "country": "CN",
  "tags": ["vip"]
}`

// Preview rows the page lists: every changed lead up to the first, and
// unchanged ones up to the second.
const (
	previewChangedRows   = 50
	previewUnchangedRows = 20
)

// consoleRules registers the rules pages.
func (s *Server) consoleRules(get, post func(string, fiber.Handler)) {
	get("/rules", s.rulesFor(service.GateRulesRead, s.rulesPage))
	get("/rules/:kind", s.rulesFor(service.GateRulesRead, s.rulePage))
	post("/rules/:kind", s.rulesFor(service.GateRulesWrite, s.saveRulePage))
	post("/rules/:kind/test", s.rulesFor(service.GateRulesRead, s.testRulePage))
	post("/rules/:kind/preview", s.rulesFor(service.GateRulesRead, s.previewRulePage))
	get("/rules/:kind/versions/:version", s.rulesFor(service.GateRulesRead, s.ruleVersionPage))
	post("/rules/:kind/versions/:version/activate", s.rulesFor(service.GateRulesWrite, s.activateRulePage))
}

// rulesFor lets the roles the API lets through reach h, and answers
// others, and unknown kinds, as the API would (403, 404) with a page.
func (s *Server) rulesFor(g service.Gate, h fiber.Handler) fiber.Handler {
	return s.only(g, func(c *fiber.Ctx) error {
		if c.Params("kind") != "" {
			if _, err := service.RuleKind(c.Params("kind")); err != nil {
				return s.consoleMessage(c, fiber.StatusNotFound, "rules.no_rules", pageProblem(c, err).Title)
			}
		}
		return h(c)
	})
}

// userNames looks up users' names once each; "" is the seeded version's.
func (s *Server) userNames(c *fiber.Ctx) func(id string) string {
	names := map[string]string{"": tr(c, "rules.initial")}
	return func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		names[id] = id
		if n := s.Service.UserName(c.UserContext(), id); n != "" {
			names[id] = n
		}
		return names[id]
	}
}

func (s *Server) rulesPage(c *fiber.Ctx) error {
	sets, err := s.Service.RuleSets(c.UserContext(), httpx.Caller(c))
	if err != nil {
		return err
	}
	name := s.userNames(c)
	var kinds []web.RuleKind
	for _, k := range rules.Kinds {
		row := web.RuleKind{Kind: string(k), About: ruleAbout(k)}
		for _, set := range sets {
			if set.Kind == string(k) {
				row.Version, row.By, row.At = set.Version, name(set.CreatedBy), set.CreatedAt
			}
		}
		kinds = append(kinds, row)
	}
	p := consolePage(c, "nav.rules", "rules")
	p.Data = kinds
	return render(c, "rules", p)
}

// editor is a kind's page with the active version's facts and versions;
// the caller fills in the source and what the user asked for.
func (s *Server) editor(c *fiber.Ctx) (*web.RuleEditor, error) {
	k := rules.Kind(c.Params("kind"))
	active, err := s.Service.RuleSet(c.UserContext(), httpx.Caller(c), k)
	if err != nil {
		return nil, err
	}
	versions, err := s.Service.RuleVersions(c.UserContext(), httpx.Caller(c), k)
	if err != nil {
		return nil, err
	}
	name := s.userNames(c)
	d := &web.RuleEditor{RuleKind: web.RuleKind{Kind: string(k), About: ruleAbout(k), Version: active.Version, By: name(active.CreatedBy), At: active.CreatedAt},
		Source: indentJSON(active.Body), CanWrite: httpx.Caller(c).MayWriteRules(), Sample: defaultSample, Limit: service.DefaultPreviewLeads,
		Environment: rules.Environment}
	for _, v := range versions {
		d.Versions = append(d.Versions, web.RuleVersion{Version: v.Version, Active: v.Active, By: name(v.CreatedBy), At: v.CreatedAt})
	}
	return d, nil
}

// showEditor renders d with the draft source and, for a refused draft,
// its compile errors placed in the source.
func (s *Server) showEditor(c *fiber.Ctx, d *web.RuleEditor, notice string, refusal error) error {
	var ce rules.CompileErrors
	d.Bad = map[int]bool{}
	if errors.As(refusal, &ce) {
		for _, e := range ce {
			line, col, _ := rules.Locate([]byte(d.Source), e)
			d.Errors = append(d.Errors, web.SourceError{Line: line, Column: col, Field: e.Field, Rule: e.Rule, Message: e.Message})
			if !d.Bad[line] {
				d.BadLines = strings.TrimSpace(d.BadLines + " " + strconv.Itoa(line))
			}
			d.Bad[line] = true
		}
	}
	n := strings.Count(d.Source, "\n") + 1
	for i := 1; i <= n; i++ {
		d.Lines = append(d.Lines, i)
	}
	d.Rows = min(max(n+1, 12), 36)
	p := consolePage(c, tr(c, "rules.page_title", "Kind", d.Kind), "rules")
	p.Notice, p.Data = notice, d
	if refusal != nil {
		refusal = compileProblemOf(refusal)
		p.Problem = pageProblem(c, refusal)
		if len(ce) > 0 {
			p.Problem.Fields = nil // listed beside the editor, at their lines
		}
		c.Status(refusalStatus(refusal))
	}
	return render(c, "rule", p)
}

// compileProblemOf is the API's problem for err (compile errors included).
func compileProblemOf(err error) error {
	var ce rules.CompileErrors
	if errors.As(err, &ce) {
		return httpx.CompileProblem(ce)
	}
	return err
}

func (s *Server) rulePage(c *fiber.Ctx) error {
	d, err := s.editor(c)
	if err != nil {
		return err
	}
	notice := ""
	if v := c.Query("saved"); v != "" {
		notice = tr(c, "rules.saved_notice", "Version", v)
	} else if v := c.Query("activated"); v != "" {
		notice = tr(c, "rules.activated_notice", "Version", v)
	}
	return s.showEditor(c, d, notice, nil)
}

// draft is the editor page with the source the form sent.
func (s *Server) draft(c *fiber.Ctx) (*web.RuleEditor, error) {
	d, err := s.editor(c)
	if err != nil {
		return nil, err
	}
	d.Source, d.Draft = c.FormValue("body"), true
	if v := strings.TrimSpace(c.FormValue("sample")); v != "" {
		d.Sample = v
	}
	if n, err := strconv.Atoi(c.FormValue("limit")); err == nil {
		d.Limit = n
	}
	return d, nil
}

func (s *Server) saveRulePage(c *fiber.Ctx) error {
	d, err := s.draft(c)
	if err != nil {
		return err
	}
	k := rules.Kind(d.Kind)
	saved, err := s.Service.SaveRules(c.UserContext(), httpx.Caller(c), k, []byte(d.Source))
	if err != nil {
		return s.refused(c, d, err)
	}
	return c.Redirect(fmt.Sprintf("/rules/%s?saved=%d", k, saved.Version), fiber.StatusSeeOther)
}

// refused shows the editor with a refusal the user can act on (a compile
// error, a bad field); anything else is the server's error.
func (s *Server) refused(c *fiber.Ctx, d *web.RuleEditor, err error) error {
	var ce rules.CompileErrors
	if !errors.As(err, &ce) && webProblem(err) == nil {
		return err
	}
	return s.showEditor(c, d, "", err)
}

// sampleInput reads the test form's sample: a lead's fields as JSON, or
// (with a "lead" key) the whole input of POST /api/v1/rules/{kind}/test.
func sampleInput(c *fiber.Ctx, sample string) (service.TestInput, error) {
	var in service.TestInput
	var probe map[string]json.RawMessage
	if err := json.Unmarshal([]byte(sample), &probe); err != nil {
		return in, lead.Invalid(lead.FieldError{Field: "sample", Reason: tr(c, "rules.sample_not_object", "Error", err.Error())})
	}
	var err error
	if _, whole := probe["lead"]; whole {
		err = httpx.DecodeStrict([]byte(sample), &in)
	} else {
		err = httpx.DecodeStrict([]byte(sample), &in.Lead)
	}
	if p := webProblem(err); p != nil {
		var why []string
		for f, r := range p.Fields {
			why = append(why, f+" "+tr(c, r))
		}
		return in, lead.Invalid(lead.FieldError{Field: "sample", Reason: strings.Join(append([]string{tr(c, p.Title)}, why...), ": ")})
	}
	return in, err
}

func (s *Server) testRulePage(c *fiber.Ctx) error {
	d, err := s.draft(c)
	if err != nil {
		return err
	}
	in, err := sampleInput(c, d.Sample)
	if err != nil {
		return s.refused(c, d, err)
	}
	in.Rules = json.RawMessage(d.Source)
	if strings.TrimSpace(d.Source) == "" {
		in.Rules = nil // the active version
	}
	k := rules.Kind(d.Kind)
	out, err := s.Service.TestRules(c.UserContext(), httpx.Caller(c), k, in)
	if err != nil {
		return s.refused(c, d, err)
	}
	d.Test = &web.RuleTest{Decision: s.decisionText(c, k, service.Decided(out)), Errors: out.Errors, Trace: out.Trace}
	return s.showEditor(c, d, "", nil)
}

func (s *Server) previewRulePage(c *fiber.Ctx) error {
	d, err := s.draft(c)
	if err != nil {
		return err
	}
	k := rules.Kind(d.Kind)
	pv := &web.RulePreview{Validation: k == rules.KindValidation}
	changed, unchanged := 0, 0
	res, err := s.Service.PreviewRules(c.UserContext(), httpx.Caller(c), k, service.PreviewInput{Rules: json.RawMessage(d.Source), Limit: d.Limit},
		func(e service.PreviewExample, isChanged bool) {
			if isChanged && changed < previewChangedRows || !isChanged && unchanged < previewUnchangedRows {
				pv.Rows = append(pv.Rows, web.PreviewRow{LeadID: e.LeadID, Company: e.Company, CreatedAt: e.CreatedAt,
					Before: s.decisionText(c, k, e.Before), After: s.decisionText(c, k, e.After), Changed: isChanged})
			}
			if isChanged {
				changed++
			} else {
				unchanged++
			}
		})
	if err != nil {
		return s.refused(c, d, err)
	}
	pv.Sample, pv.Changed, pv.Errors, pv.ErrorSamples = res.Sample, res.Changed, res.Errors, res.ErrorSamples
	pv.RejectedBefore, pv.RejectedAfter, pv.ActiveVersion = res.RejectedBefore, res.RejectedAfter, res.ActiveVersion
	pv.Unlisted = res.Sample - len(pv.Rows)
	d.Preview = pv
	return s.showEditor(c, d, "", nil)
}
