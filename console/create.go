package console

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/web"
)

// This file is the new-lead page: a form named as the API's LeadInput,
// saved through the same service method as POST /api/v1/leads
// (service.CreateLead, whose intake applies the source's duplicate
// policy), and the hint it shows while company and phone are typed
// (service.CheckDuplicate, the decision behind the API's warnings).

// createRoutes registers the new-lead page, the convert form and the
// customer pages. Registered before /leads/:id, which would take "new".
func (s *Server) createRoutes(get, post func(path string, h fiber.Handler)) {
	get("/leads/new", s.newLeadPage)
	post("/leads/new", s.createLeadForm)
	get("/leads/new/check", s.duplicateHint)
	get("/leads/:id/convert", s.convertPage)
	post("/leads/:id/convert", s.convertForm)
	get("/customers", s.customersPage)
	get("/customers/:id", s.customerPage)
}

// leadInputs are the new-lead form's own fields, in order, by their
// LeadInput names; channel and group are selects of their option lists.
var leadInputs = []web.FormField{
	{Name: "company", Label: "create.company", Required: true}, {Name: "name", Label: "create.name"},
	{Name: "phone", Label: "create.phone", Type: "tel", Required: true}, {Name: "email", Label: "create.email", Type: "email"},
	{Name: "country", Label: "create.country"}, {Name: "channel", Label: "create.channel"}, {Name: "group", Label: "create.group"},
	{Name: "tags", Label: "create.tags"}, {Name: "profession", Label: "create.profession"}, {Name: "address", Label: "create.address"},
	{Name: "district", Label: "create.district"}, {Name: "division", Label: "create.division"},
	{Name: "notes", Label: "create.notes", Type: "textarea"},
}

func (s *Server) newLeadPage(c *fiber.Ctx) error {
	d, err := s.newLeadData(c, false, nil)
	if err != nil {
		return err
	}
	return s.renderNewLead(c, d, nil)
}

// newLeadData is the new-lead form, empty or with what was posted
// (kept), and errs by field name.
func (s *Server) newLeadData(c *fiber.Ctx, kept bool, errs map[string]string) (*web.LeadNew, error) {
	ctx, me := c.UserContext(), httpx.Caller(c)
	schema, err := s.Service.FieldSchema(ctx, lead.EntityLead)
	if err != nil {
		return nil, err
	}
	pools, err := s.Service.CreatePools(ctx, me)
	if err != nil {
		return nil, err
	}
	value := func(string) string { return "" }
	d := &web.LeadNew{RequestID: uuid.NewString(), Phones: []string{""}, Emails: []string{""}}
	if kept {
		value = func(n string) string { return strings.TrimSpace(c.FormValue(n)) }
		d.Phones, d.Emails = append(filled(formList(c, "phones")), ""), append(filled(formList(c, "emails")), "")
		d.PoolID = c.FormValue("pool_id")
	}
	lists := map[string][]string{"channel": schema.Lists[lead.OptionSources], "group": schema.Lists[lead.OptionGroups]}
	for _, f := range leadInputs {
		f.Value, f.Error = value(f.Name), errs[f.Name]
		if items := lists[f.Name]; len(items) > 0 {
			f.Type, f.Options = "select", items
		} else if f.Name == "group" {
			continue // no groups to choose from
		}
		d.Fields = append(d.Fields, f)
	}
	d.PhonesError, d.EmailsError, d.PoolError = errs["phones"], errs["emails"], errs["pool_id"]
	var posted map[string]any
	if kept {
		posted = customValues(c, schema, "custom.")
	}
	d.Custom = customInputs(schema, "custom.", posted, errs)
	for _, p := range pools {
		d.Pools = append(d.Pools, web.Choice{Value: p.ID, Label: p.Name})
	}
	return d, nil
}

func (s *Server) renderNewLead(c *fiber.Ctx, d *web.LeadNew, refusal error) error {
	p := consolePage(c, "create.title", "leads")
	p.Data = d
	if refusal != nil {
		refuse(c, &p, refusal)
	}
	return render(c, "leadnew", p)
}

// createLeadForm saves the form with service.CreateLead and says what the
// intake did: created, created with a warning about the lead it
// duplicates, merged into it, rejected by the rules, or refused.
func (s *Server) createLeadForm(c *fiber.Ctx) error {
	ctx, me := c.UserContext(), httpx.Caller(c)
	key, err := requestKey(c)
	if err != nil {
		return s.refusedLead(c, err)
	}
	schema, err := s.Service.FieldSchema(ctx, lead.EntityLead)
	if err != nil {
		return err
	}
	v := formValues(c, "company", "name", "phone", "email", "country", "channel", "group", "profession", "address",
		"district", "division", "notes", "tags", "pool_id")
	in := lead.Input{Contact: lead.Contact{Company: v["company"], Name: v["name"], Phone: v["phone"], Email: v["email"],
		Country: v["country"], Channel: v["channel"], Group: v["group"], Profession: v["profession"], Address: v["address"],
		District: v["district"], Division: v["division"]},
		Phones: formList(c, "phones"), Emails: formList(c, "emails"), Notes: v["notes"], Tags: splitTags(v["tags"]),
		Custom: customValues(c, schema, "custom."), PoolID: v["pool_id"]}
	out, err := s.Service.CreateLead(ctx, me, key, in)
	if err != nil {
		return s.refusedLead(c, err)
	}
	done := &web.Created{Kind: "created"}
	keep := false
	switch {
	case out.Merged:
		done.Kind, done.Into = "merged", s.visibleLead(c, out.Lead.MergedInto)
	case out.Lead.Status == lead.StatusRejected:
		done.Kind, done.Reasons, keep = "rejected", out.Lead.RejectReasons, true
	case len(out.Warnings) > 0:
		done.Kind, done.Into = "warned", s.visibleLead(c, out.Lead.DuplicateOf)
	}
	if !keep {
		done.Lead = s.visibleLead(c, out.Lead.ID)
	}
	d, err := s.newLeadData(c, keep, nil)
	if err != nil {
		return err
	}
	d.Done = done
	return s.renderNewLead(c, d, nil)
}

// refusedLead shows the form again with what was posted and the refusal;
// a duplicate refused by its policy names the lead when the user may see it.
func (s *Server) refusedLead(c *fiber.Ctx, refusal error) error {
	if webProblem(refusal) == nil {
		return refusal
	}
	errs := map[string]string{}
	for f, r := range webProblem(refusal).Fields {
		errs[f] = r
	}
	d, err := s.newLeadData(c, true, errs)
	if err != nil {
		return err
	}
	if lead.ErrorCode(refusal) == lead.CodeConflict {
		chk, err := s.Service.CheckDuplicate(c.UserContext(), httpx.Caller(c), c.FormValue("company"), c.FormValue("phone"), c.FormValue("country"), "")
		if err != nil {
			return err
		}
		// The outcome says it in the reader's language, naming the lead when visible.
		d.Done = &web.Created{Kind: "refused", Into: s.visibleLead(c, chk.LeadID)}
		c.Status(refusalStatus(refusal))
		return s.renderNewLead(c, d, nil)
	}
	return s.renderNewLead(c, d, refusal)
}

// duplicateHint answers the new-lead form's hint (an HTML fragment): the
// live lead a lead of this company, phone and country would duplicate.
func (s *Server) duplicateHint(c *fiber.Ctx) error {
	chk, err := s.Service.CheckDuplicate(c.UserContext(), httpx.Caller(c), c.Query("company"), c.Query("phone"), c.Query("country"), "")
	if err != nil {
		return err
	}
	h := web.DuplicateHint{Found: chk.Found, Policy: string(chk.Policy), Lead: s.visibleLead(c, chk.LeadID)}
	c.Type("html", "utf-8")
	return web.RenderPart(c, localeOf(c), "leadnew", "duphint", h)
}

// visibleLead is lead id when the user may read it, else nil.
func (s *Server) visibleLead(c *fiber.Ctx, id string) *lead.Lead {
	if id == "" {
		return nil
	}
	l, err := s.Service.Lead(c.UserContext(), httpx.Caller(c), id)
	if err != nil {
		return nil
	}
	return &l
}

// requestKey is the idempotency key of a form's request id (as the lead
// page's forms send it): a form sent twice is applied once.
func requestKey(c *fiber.Ctx) (string, error) {
	id := c.FormValue("request_id")
	if id == "" {
		return "", nil
	}
	if len(id) > 64 {
		return "", lead.Invalid(lead.FieldError{Field: "request_id", Reason: "is longer than 64 characters"})
	}
	return "console:" + id, nil
}

// splitTags reads a comma-separated list of tags.
func splitTags(v string) []string {
	var tags []string
	for _, t := range strings.Split(v, ",") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	return tags
}
