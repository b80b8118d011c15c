package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/web"
)

// This file renders a lead's page: its details, the forms of the actions
// the user may do now (decided by lead.Authorize, as the API decides), and
// its history with each decision's rule and explanation.

// pageActions are the actions the lead page has forms for.
var pageActions = []lead.Action{lead.ActClaim, lead.ActAccept, lead.ActDecline, lead.ActFollowUp, lead.ActConvert, lead.ActReturn, lead.ActEdit,
	lead.ActAssign, lead.ActTransfer, lead.ActReclaim, lead.ActClose}

// showLead renders the lead of the route's :id, with a notice, or with
// the refusal of the form named form.
func (s *Server) showLead(c *fiber.Ctx, notice string, refusal error, form string) error {
	ctx := c.UserContext()
	me := caller(c)
	l, err := s.leadFor(c, lead.ActRead)
	if err != nil {
		if refusal != nil {
			return s.consoleMessage(c, refusalStatus(refusal), webProblem(refusal).Title, strings.Join(webProblem(refusal).Reasons, "; "))
		}
		if lead.ErrorCode(err) == lead.CodeNotFound {
			return s.consoleMessage(c, fiber.StatusNotFound, "Lead not found", "It does not exist, or it is not yours to see.")
		}
		return err
	}
	rel, err := s.db.Relation(ctx, me, l)
	if err != nil {
		return err
	}
	d := web.LeadPage{Lead: redact(me, l), Can: map[string]bool{}, Errors: map[string]string{}, RequestID: uuid.NewString()}
	for _, act := range pageActions {
		if act == lead.ActConvert && l.Status == lead.StatusConverted {
			continue // converting again only answers the customer: nothing to offer
		}
		if lead.Authorize(act, rel, l.Status) == nil {
			d.Can[string(act)] = true
		}
	}
	for list, dst := range map[string]*[]string{lead.OptionFollowUpTypes: &d.FollowUpTypes, lead.OptionStages: &d.Stages,
		lead.OptionInvalidReasons: &d.InvalidReasons} {
		if *dst, err = s.db.Options(ctx, list); err != nil {
			return err
		}
	}
	var pool lead.Pool
	if l.PoolID != "" {
		if pool, err = s.db.Pool(ctx, l.PoolID); err == nil {
			d.PoolName = pool.Name
		}
	}
	if d.Can[string(lead.ActAssign)] || d.Can[string(lead.ActTransfer)] {
		if d.Reps, d.Pools, err = s.moveChoices(c, me, l, pool); err != nil {
			return err
		}
	}
	names := map[string]string{}
	name := func(id string) string {
		if id == "" {
			return ""
		}
		if n, ok := names[id]; ok {
			return n
		}
		if u, err := s.db.User(ctx, id); err == nil {
			names[id] = u.Name
		} else {
			names[id] = id
		}
		return names[id]
	}
	d.OwnerName = name(l.OwnerID)
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
	events, _, err := s.db.Events(ctx, l.ID, 500, "")
	if err != nil {
		return err
	}
	for i := len(events) - 1; i >= 0; i-- { // newest first
		e := events[i]
		item := web.HistoryItem{Event: e, Actor: name(e.ActorID), Detail: eventDetail(e), Trace: indentJSON(e.Trace)}
		if id, ok := e.Data["follow_up_id"].(string); ok {
			if f, err := s.db.FollowUp(ctx, id); err == nil {
				item.FollowUp = &f
			}
		}
		d.Events = append(d.Events, item)
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

// moveChoices are the reps staff may assign lead l to (the members of its
// pool; for an admin, every active rep) and the pools they may transfer it
// to (those they administer; for an admin, every pool). The workflow checks
// each choice again.
func (s *Server) moveChoices(c *fiber.Ctx, me lead.User, l lead.Lead, pool lead.Pool) (reps, pools []web.Choice, err error) {
	ctx := c.UserContext()
	if me.Role == lead.RoleAdmin {
		users, _, err := s.db.Users(ctx, 500, "")
		if err != nil {
			return nil, nil, err
		}
		for _, u := range users {
			if u.Active && u.Role == lead.RoleRep {
				reps = append(reps, web.Choice{Value: u.ID, Label: u.Name})
			}
		}
	} else {
		for _, id := range pool.MemberIDs {
			if u, err := s.db.User(ctx, id); err == nil && u.Active {
				reps = append(reps, web.Choice{Value: u.ID, Label: u.Name})
			}
		}
	}
	filter := store.PoolFilter{Limit: 200}
	if me.Role != lead.RoleAdmin {
		filter.VisibleTo = me.ID
	}
	all, _, err := s.db.Pools(ctx, filter)
	if err != nil {
		return nil, nil, err
	}
	for _, p := range all {
		if p.ID != l.PoolID && (me.Role == lead.RoleAdmin || lead.PoolAccessOf(me, p).Admin) {
			pools = append(pools, web.Choice{Value: p.ID, Label: p.Name})
		}
	}
	return reps, pools, nil
}
