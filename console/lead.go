package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/web"
)

// This file renders a lead's page (service.ReadLeadPage): its details, the
// forms of the actions the user may do now (decided by lead.Authorize, as
// the API decides), and its history with each decision's rule and
// explanation.

// pageActions are the actions the lead page has forms for.
var pageActions = []lead.Action{lead.ActClaim, lead.ActAccept, lead.ActDecline, lead.ActFollowUp, lead.ActConvert, lead.ActReturn, lead.ActEdit,
	lead.ActAssign, lead.ActTransfer, lead.ActReclaim, lead.ActClose}

// showLead renders the lead of the route's :id, with a notice, or with
// the refusal of the form named form.
func (s *Server) showLead(c *fiber.Ctx, notice string, refusal error, form string) error {
	ctx := c.UserContext()
	lp, err := s.Service.ReadLeadPage(ctx, httpx.Caller(c), c.Params("id"), pageActions)
	if err != nil {
		if refusal != nil {
			return s.consoleMessage(c, refusalStatus(refusal), webProblem(refusal).Title, strings.Join(webProblem(refusal).Reasons, "; "))
		}
		if lead.ErrorCode(err) == lead.CodeNotFound {
			return s.consoleMessage(c, fiber.StatusNotFound, "lead.not_found", "page.not_yours")
		}
		return err
	}
	l := lp.Lead
	d := web.LeadPage{Lead: l, Can: map[string]bool{}, Errors: map[string]string{}, RequestID: uuid.NewString(),
		PoolName: lp.PoolName, OwnerName: lp.OwnerName}
	for _, act := range pageActions {
		if act == lead.ActConvert && l.Status == lead.StatusConverted {
			continue // converting again only answers the customer: nothing to offer
		}
		if lp.Can[act] {
			d.Can[string(act)] = true
		}
	}
	for list, dst := range map[string]*[]string{lead.OptionFollowUpTypes: &d.FollowUpTypes, lead.OptionStages: &d.Stages,
		lead.OptionInvalidReasons: &d.InvalidReasons} {
		if *dst, err = s.Store.Options(ctx, list); err != nil {
			return err
		}
	}
	for _, u := range lp.Reps {
		d.Reps = append(d.Reps, web.Choice{Value: u.ID, Label: u.Name})
	}
	for _, p := range lp.Pools {
		d.Pools = append(d.Pools, web.Choice{Value: p.ID, Label: p.Name})
	}
	for _, f := range editFields {
		switch f.Name {
		case "company":
			f.Value = l.Company
		case "name":
			f.Value = l.Name
		case "phone":
			f.Value = l.Phone
		case "email":
			f.Value = l.Email
		case "country":
			f.Value = l.Country
		case "tags":
			f.Value = strings.Join(l.Tags, ", ")
		case "notes":
			f.Value = l.Notes
		case "stage":
			f.Value, f.Options = l.Stage, d.Stages
		}
		d.EditFields = append(d.EditFields, f)
	}
	for _, h := range lp.History {
		d.Events = append(d.Events, web.HistoryItem{Event: h.Event, Actor: h.Actor, Detail: eventDetail(h.Event),
			Trace: indentJSON(h.Event.Trace), FollowUp: h.FollowUp})
	}
	p := consolePage(c, l.Company, "leads")
	p.Notice, p.Data = notice, &d
	if refusal != nil {
		p.Problem = webProblem(refusal)
		for f, r := range p.Problem.Fields {
			d.Errors[form+"."+f] = r
		}
		c.Status(refusalStatus(refusal))
	}
	return render(c, "lead", p)
}

// eventDetail is an event's data in words, its keys in order.
func eventDetail(e lead.Event) string {
	keys := make([]string, 0, len(e.Data))
	for k := range e.Data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		if k == "follow_up_id" {
			continue // the page shows the follow-up itself
		}
		v := e.Data[k]
		if v == nil || v == "" {
			continue
		}
		if s, ok := v.(string); ok {
			parts = append(parts, k+": "+s)
			continue
		}
		b, _ := json.Marshal(v)
		parts = append(parts, fmt.Sprintf("%s: %s", k, b))
	}
	return strings.Join(parts, " · ")
}

// indentJSON indents a trace for reading; "" for none.
func indentJSON(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	return b.String()
}
