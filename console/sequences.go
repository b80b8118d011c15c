package console

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/web"
)

// This file holds the sequences' pages (/sequences), for managers and
// admins: the list, the form of a new sequence and of one sequence (its
// steps one a line: "send <template>", "wait 3d", "branch <step>
// <expression>"), its report; and the lead page's Sequences panel (where
// the lead is, enrol, take out), through the same service methods as the
// API's routes.

func (s *Server) consoleSequences(get, post func(path string, h fiber.Handler)) {
	staff := s.gated(service.GateStaff)
	get("/sequences", staff(func(c *fiber.Ctx) error { return s.showSequences(c, nil, nil) }))
	post("/sequences", staff(s.saveSequenceForm))
	get("/sequences/:id", staff(func(c *fiber.Ctx) error { return s.showSequence(c, nil, nil) }))
	post("/sequences/:id", staff(s.saveSequenceForm))
	post("/leads/:id/sequences", s.leadForm("sequence", func(c *fiber.Ctx, key string) error {
		_, err := s.Service.Enrol(c.UserContext(), httpx.Caller(c), c.Params("id"), key, service.EnrolInput{SequenceID: c.FormValue("sequence_id")})
		return err
	}))
	post("/leads/:id/sequences/:enrolment/remove", s.leadForm("sequence-remove", func(c *fiber.Ctx, _ string) error {
		_, err := s.Service.Unenrol(c.UserContext(), httpx.Caller(c), c.Params("id"), c.Params("enrolment"))
		return err
	}))
}

// sequenceData is a sequences page's data: the templates named in its
// steps and the pools the reader may name.
func (s *Server) sequenceData(c *fiber.Ctx, form map[string]string, ticked []string) (*web.SequencesPage, []lead.Template, error) {
	ctx, me := c.UserContext(), httpx.Caller(c)
	d := &web.SequencesPage{Form: form, PoolIDs: map[string]bool{}, Errors: map[string]string{}, RequestID: uuid.NewString()}
	for _, id := range ticked {
		d.PoolIDs[id] = true
	}
	pools, err := s.Service.SequencePools(ctx, me)
	if err != nil {
		return d, nil, err
	}
	for _, p := range pools {
		d.Pools = append(d.Pools, web.Choice{Value: p.ID, Label: p.Name})
	}
	tpls, err := s.Service.Templates(ctx, me, "")
	return d, tpls, err
}

// showSequences renders the list and the new sequence form, with a
// refusal and what was typed.
func (s *Server) showSequences(c *fiber.Ctx, refusal error, form map[string]string) error {
	d, _, err := s.sequenceData(c, form, formList(c, "pool_ids"))
	if err != nil {
		return err
	}
	if d.Sequences, _, err = s.Service.Sequences(c.UserContext(), httpx.Caller(c), 100, ""); err != nil {
		return err
	}
	return showPage(c, "sequences", "sequences.title", "sequences", "", d, &d.Errors, refusal)
}

// showSequence renders one sequence's form and report.
func (s *Server) showSequence(c *fiber.Ctx, refusal error, form map[string]string) error {
	ctx, me := c.UserContext(), httpx.Caller(c)
	q, err := s.Service.Sequence(ctx, me, c.Params("id"))
	if err != nil {
		return s.consoleRefusal(c, err)
	}
	ticked := q.PoolIDs
	if form != nil {
		ticked = formList(c, "pool_ids")
	}
	d, tpls, err := s.sequenceData(c, form, ticked)
	if err != nil {
		return err
	}
	d.Sequence = &q
	if d.Form == nil {
		d.Form = map[string]string{"name": q.Name, "steps": formatSteps(q.Steps, tpls)}
	}
	for _, st := range q.Steps {
		d.Steps = append(d.Steps, describeStep(c, st, tpls))
	}
	f, err := s.Service.SequenceFunnel(ctx, me, q.ID)
	if err != nil {
		return err
	}
	for _, st := range []struct {
		label string
		n     int
	}{{"sent", f.Sent}, {"delivered", f.Delivered}, {"opened", f.Opened}, {"clicked", f.Clicked},
		{"unsubscribed", f.Unsubscribed}, {"registered", f.Registered}, {"claimed", f.Claimed}, {"converted", f.Converted}} {
		step := web.FunnelStep{Label: "sequences.report." + st.label, Count: st.n}
		if f.Sent > 0 {
			step.Percent = min(100, st.n*100/f.Sent)
		}
		d.Funnel = append(d.Funnel, step)
	}
	notice := ""
	if c.Query("done") != "" {
		notice = "sequences.saved"
	}
	return showPage(c, "sequence", q.Name, "sequences", notice, d, &d.Errors, refusal)
}

// saveSequenceForm makes a sequence (POST /sequences) or changes one
// (POST /sequences/{id}).
func (s *Server) saveSequenceForm(c *fiber.Ctx) error {
	ctx, me, id := c.UserContext(), httpx.Caller(c), c.Params("id")
	form := formValues(c, "name")
	form["steps"] = c.FormValue("steps")
	tpls, err := s.Service.Templates(ctx, me, "")
	if err != nil {
		return err
	}
	steps, err := parseSteps(form["steps"], tpls)
	if err == nil {
		name, pools := form["name"], formList(c, "pool_ids")
		in := service.SequenceInput{Name: &name, PoolIDs: &pools, Steps: &steps}
		var out lead.Sequence
		if id == "" {
			key := ""
			if rid := c.FormValue("request_id"); rid != "" && len(rid) <= 64 {
				key = "console:" + rid // a form sent twice makes one sequence
			}
			out, err = s.Service.CreateSequence(ctx, me, key, in)
		} else {
			out, err = s.Service.UpdateSequence(ctx, me, id, in)
		}
		if err == nil {
			return c.Redirect("/sequences/"+url.PathEscape(out.ID)+"?done=saved", fiber.StatusSeeOther)
		}
	}
	if webProblem(err) == nil {
		return err
	}
	if id == "" {
		return s.showSequences(c, err, form)
	}
	return s.showSequence(c, err, form)
}

// parseSteps reads the steps of the form, one a line: "send <template
// name or id>", "wait <duration>", "branch <step> <expression>".
func parseSteps(text string, tpls []lead.Template) ([]lead.Step, error) {
	var steps []lead.Step
	var bad lead.Fields
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		at := "steps[" + strconv.Itoa(len(steps)) + "]"
		verb, rest, _ := strings.Cut(line, " ")
		rest = strings.TrimSpace(rest)
		var st lead.Step
		switch strings.ToLower(verb) {
		case "send":
			st.Send = &lead.SendStep{TemplateID: rest}
			for _, t := range tpls {
				if t.Name == rest || t.ID == rest {
					st.Send.TemplateID, st.Send.Channel = t.ID, t.Channel
				}
			}
			if st.Send.Channel == "" {
				bad.Add(at+".send.template_id", "is not a template")
			}
		case "wait":
			st.Wait = rest
		case "branch":
			n, expr, _ := strings.Cut(rest, " ")
			to, err := strconv.Atoi(n)
			if err != nil {
				bad.Add(at+".branch.goto", "write branch, the step to go to, then the expression")
			}
			st.Branch = &lead.BranchStep{When: strings.TrimSpace(expr), Goto: to}
		default:
			bad.Add(at, "a step is one of send, wait and branch")
		}
		steps = append(steps, st)
	}
	return steps, bad.Err()
}

// formatSteps writes steps as parseSteps reads them.
func formatSteps(steps []lead.Step, tpls []lead.Template) string {
	lines := make([]string, len(steps))
	for i, st := range steps {
		switch {
		case st.Send != nil:
			lines[i] = "send " + templateName(st.Send.TemplateID, tpls)
		case st.Branch != nil:
			lines[i] = "branch " + strconv.Itoa(st.Branch.Goto) + " " + st.Branch.When
		default:
			lines[i] = "wait " + st.Wait
		}
	}
	return strings.Join(lines, "\n")
}

// templateName is template id's name (its id when it is gone).
func templateName(id string, tpls []lead.Template) string {
	for _, t := range tpls {
		if t.ID == id {
			return t.Name
		}
	}
	return id
}

// describeStep is step st in the reader's words.
func describeStep(c *fiber.Ctx, st lead.Step, tpls []lead.Template) string {
	switch {
	case st.Send != nil:
		return tr(c, "sequences.step.send", "Template", templateName(st.Send.TemplateID, tpls), "Channel", tr(c, "nurture.channel_"+st.Send.Channel))
	case st.Branch != nil:
		return tr(c, "sequences.step.branch", "When", st.Branch.When, "Goto", strconv.Itoa(st.Branch.Goto))
	}
	return tr(c, "sequences.step.wait", "Wait", st.Wait)
}

// fillSequences reads the lead page's Sequences panel.
func (s *Server) fillSequences(c *fiber.Ctx, d *web.LeadPage) error {
	ctx, me, id := c.UserContext(), httpx.Caller(c), d.Lead.ID
	var err error
	if d.Sequences.Enrolments, err = s.Service.LeadSequences(ctx, me, id); err != nil {
		return err
	}
	qs, err := s.Service.EnrolableSequences(ctx, me, id)
	for _, q := range qs {
		d.Sequences.Sequences = append(d.Sequences.Sequences, web.Choice{Value: q.ID, Label: q.Name})
	}
	d.Sequences.CanEnrol = d.Can[string(lead.ActEdit)]
	return err
}
