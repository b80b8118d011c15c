package console

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/i18n"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/web"
)

// This file renders a lead's page (service.ReadLeadPage): its details and
// custom fields, its timers, the forms of the actions the user may do now
// (decided by lead.Authorize, as the API decides), its follow-ups, and its
// history with names for ids and each decision's rule and explanation.
// The edit form is in leadedit.go.

// pageActions are the actions the lead page has forms for.
var pageActions = []lead.Action{lead.ActClaim, lead.ActAccept, lead.ActDecline, lead.ActFollowUp, lead.ActConvert, lead.ActReturn, lead.ActEdit,
	lead.ActAssign, lead.ActTransfer, lead.ActReclaim, lead.ActClose, lead.ActReopen, lead.ActReadmit, lead.ActReview}

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
	lang := localeOf(c).Lang
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
	if d.Can[string(lead.ActConvert)] {
		d.ConvertURL = "/leads/" + url.PathEscape(l.ID) + "/convert"
	}
	for list, dst := range map[string]*[]string{lead.OptionFollowUpTypes: &d.FollowUpTypes, lead.OptionStages: &d.Stages,
		lead.OptionInvalidReasons: &d.InvalidReasons} {
		if *dst, err = s.Service.Options(ctx, httpx.Caller(c), list); err != nil {
			return err
		}
	}
	for _, u := range lp.Reps {
		label := u.Name
		if u.Role != lead.RoleRep {
			label += " (" + tr(c, "role."+string(u.Role)) + ")"
		}
		d.Reps = append(d.Reps, web.Choice{Value: u.ID, Label: label})
	}
	for _, p := range lp.Pools {
		d.Pools = append(d.Pools, web.Choice{Value: p.ID, Label: p.Name})
	}
	for _, p := range lp.ReturnPools {
		d.ReturnPools = append(d.ReturnPools, web.Choice{Value: p.ID, Label: p.Name})
	}
	d.Phones, d.Emails = contacts(l.Phone, l.Phones), contacts(l.Email, l.Emails)
	d.Details = leadDetails(c, lp)
	for _, dl := range lp.Deadlines {
		d.Deadlines = append(d.Deadlines, web.DeadlineOf(lang, dl, l.Policy))
	}
	d.FollowUps = lp.FollowUps
	if err := s.fillMessages(c, &d, lp.Can[lead.ActFollowUp]); err != nil {
		return err
	}
	if err := s.fillSequences(c, &d); err != nil {
		return err
	}
	if d.Can[string(lead.ActEdit)] {
		d.EditFields = editFields(c, lp, d.Stages)
		d.EditPhones, d.EditEmails = append(d.Phones, web.Contact{}), append(d.Emails, web.Contact{})
	}
	for _, h := range lp.History {
		item := web.HistoryItem{Event: h.Event, Actor: h.Actor, Details: eventDetails(c, h.Event, lp.Names),
			Trace: indentJSON(h.Event.Trace), FollowUp: h.FollowUp}
		if h.RuleLink {
			item.RuleURL = "/rules/" + url.PathEscape(h.Event.RuleKind) + "/versions/" + strconv.Itoa(h.Event.RuleVersion)
		}
		d.Events = append(d.Events, item)
	}
	p := consolePage(c, l.Company, "leads")
	p.Notice, p.Data = notice, &d
	if refusal != nil {
		p.Problem = webProblem(refusal)
		for f, r := range p.Problem.Fields {
			if form == "message" {
				r, _ = templateProblem(c, r) // a compile error in the reader's words
				p.Problem.Fields[f] = r
			}
			d.Errors[form+"."+f] = r
		}
		c.Status(refusalStatus(refusal))
	}
	return render(c, "lead", p)
}

// contacts are a lead's main value and its further ones, the main first.
func contacts(main string, more []string) []web.Contact {
	var out []web.Contact
	if main != "" {
		out = append(out, web.Contact{Value: main, Main: true})
	}
	for _, v := range more {
		out = append(out, web.Contact{Value: v})
	}
	return out
}

// leadDetails are the lead's fields as its page lists them (besides the
// phones and e-mails), then its custom fields; empty ones left out.
func leadDetails(c *fiber.Ctx, lp service.LeadPage) []web.Detail {
	l := lp.Lead
	var out []web.Detail
	add := func(id, value, link string, elem ...string) {
		if value != "" {
			out = append(out, web.Detail{Label: tr(c, id), Value: value, URL: link, ID: strings.Join(elem, "")})
		}
	}
	leadLink := func(id string) string { return "/leads/" + url.PathEscape(id) }
	add("lead.field.name", l.Name, "")
	add("lead.field.country", l.Country, "")
	add("lead.field.stage", l.Stage, "", "lead-stage")
	add("lead.field.pool", lp.PoolName, "")
	add("lead.field.owner", lp.OwnerName, "")
	source := l.Source
	if id := "lead.source." + source; i18n.Has(localeOf(c).Lang, id) {
		source = tr(c, id)
	}
	add("lead.field.source", source, "")
	add("lead.field.channel", l.Channel, "")
	add("lead.field.group", l.Group, "")
	add("lead.field.profession", l.Profession, "")
	add("lead.field.address", l.Address, "")
	add("lead.field.district", l.District, "")
	add("lead.field.division", l.Division, "")
	add("lead.field.tags", strings.Join(l.Tags, ", "), "")
	add("lead.field.notes", l.Notes, "")
	add("lead.field.score", strconv.Itoa(l.Score), "")
	when := localeOf(c).When
	add("lead.field.created", when(l.CreatedAt), "")
	add("lead.field.assigned", when(l.AssignedAt), "")
	add("lead.field.last_follow_up", when(l.LastFollowUpAt), "")
	add("lead.field.expected_follow_up", when(l.ExpectedFollowUpAt), "")
	add("lead.field.invalid_reason", l.InvalidReason, "")
	add("lead.field.reject_reasons", strings.Join(l.RejectReasons, "; "), "")
	add("lead.field.review_reasons", strings.Join(l.ReviewReasons, "; "), "")
	if l.MergedInto != "" {
		add("lead.field.merged_into", tr(c, "lead.open_lead"), leadLink(l.MergedInto))
	}
	if l.DuplicateOf != "" {
		add("lead.field.duplicate_of", tr(c, "lead.open_lead"), leadLink(l.DuplicateOf))
	}
	if l.CustomerID != "" {
		add("lead.field.customer", l.CustomerID, "/customers/"+url.PathEscape(l.CustomerID), "customer")
	}
	for _, f := range lp.Schema.Fields {
		if v := customText(l.Custom[f.Name]); v != "" {
			out = append(out, web.Detail{Label: f.Label, Value: v})
		}
	}
	return out
}

// customText is a custom value as text: a number without trailing zeros,
// a multi_select's items joined.
func customText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		parts := make([]string, 0, len(x))
		for _, it := range x {
			parts = append(parts, customText(it))
		}
		return strings.Join(parts, ", ")
	case map[string]any: // the custom fields of an edit
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, k+": "+customText(x[k]))
		}
		return strings.Join(parts, "; ")
	}
	return fmt.Sprint(v)
}

// eventDetails are an event's data, each key named in the reader's words
// and each id by its user's or pool's name (a lead's links to it).
func eventDetails(c *fiber.Ctx, e lead.Event, names map[string]string) []web.Detail {
	keys := make([]string, 0, len(e.Data))
	for k := range e.Data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	lang := localeOf(c).Lang
	var out []web.Detail
	for _, k := range keys {
		if k == "follow_up_id" {
			continue // the page shows the follow-up itself
		}
		v := e.Data[k]
		if v == nil || v == "" {
			continue
		}
		label := k
		for _, id := range []string{"lead.data." + k, "lead.field." + k} {
			if i18n.Has(lang, id) {
				label = i18n.T(lang, id)
				break
			}
		}
		d := web.Detail{Label: label}
		if s, ok := v.(string); ok {
			d.Value = s
			if n, ok := names[s]; ok {
				d.Value = n
			} else if at, err := time.Parse(time.RFC3339, s); err == nil {
				d.Value = localeOf(c).When(at) // a time, in the reader's zone
			}
			switch k {
			case "merged_into", "lead_id", "duplicate_of", "refused_lead_id":
				d.Value, d.URL = tr(c, "lead.open_lead"), "/leads/"+url.PathEscape(s)
			}
		} else if ch, ok := v.(map[string]any); ok && len(ch) == 2 && ch["from"] != nil && ch["to"] != nil {
			d.Value = cmp.Or(customText(ch["from"]), "—") + " → " + cmp.Or(customText(ch["to"]), "—") // an edit
		} else {
			b, _ := json.Marshal(v)
			d.Value = string(b)
		}
		out = append(out, d)
	}
	return out
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

// done are the notices after a form succeeded.
var done = map[string]string{"claim": "lead.done.claim", "follow-up": "lead.done.follow_up", "convert": "lead.done.convert",
	"edit": "lead.done.edit", "accept": "lead.done.accept", "decline": "lead.done.decline", "return": "lead.done.return",
	"assign": "lead.done.assign", "transfer": "lead.done.transfer", "reclaim": "lead.done.reclaim", "close": "lead.done.close",
	"reopen": "lead.done.reopen", "readmit": "lead.done.readmit", "message": "lead.done.message",
	"review/keep": "lead.done.review_keep", "review/reject": "lead.done.review_reject",
	"sequence": "sequences.enrolled", "sequence-remove": "sequences.removed"}

func (s *Server) leadPage(c *fiber.Ctx) error { return s.showLead(c, done[c.Query("done")], nil, "") }
