package console

import (
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/web"
)

// This file is a lead's edit form: every field of the API's LeadInput
// (the phones and e-mails as rows with the main one marked, in the page's
// template), the stage, and every custom field of the lead entity, typed;
// it sends what changed to service.Edit, as PATCH /api/v1/leads/{id} does.

// editFields are the edit form's inputs for lead lp.Lead, prefilled.
func editFields(c *fiber.Ctx, lp service.LeadPage, stages []string) []web.Field {
	l, lists := lp.Lead, lp.Schema.Lists
	text := func(name, value string) web.Field {
		return web.Field{Name: name, Label: tr(c, "lead.field."+name), Value: value}
	}
	choice := func(name, value string, options []string) web.Field {
		f := text(name, value)
		if len(options) > 0 {
			f.Type, f.Options = "select", withValue(options, value)
		}
		return f
	}
	company, country := text("company", l.Company), text("country", l.Country)
	company.Required = true
	tags := text("tags", strings.Join(l.Tags, ", "))
	tags.Label = tr(c, "lead.field.tags_comma")
	notes := text("notes", l.Notes)
	notes.Type = "textarea"
	stage := choice("stage", l.Stage, stages)
	stage.Required = true
	out := []web.Field{company, text("name", l.Name), country, tags, choice("channel", l.Channel, lists[lead.OptionSources]),
		choice("group", l.Group, lists[lead.OptionGroups]), text("profession", l.Profession), text("address", l.Address),
		text("district", l.District), text("division", l.Division), stage, notes}
	for _, d := range lp.Schema.Fields {
		f := web.Field{Name: "custom." + d.Name, Label: d.Label, Required: d.Required, Value: customText(l.Custom[d.Name])}
		switch d.Type {
		case lead.FieldNumber:
			f.Type = "number"
		case lead.FieldDate:
			f.Type = "date"
		case lead.FieldSelect, lead.FieldMultiSelect:
			f.Type, f.Options = "select", lp.Schema.Choices(d)
			if d.Type == lead.FieldMultiSelect {
				f.Multiple, f.Value = true, ""
				f.Values = multiValues(l.Custom[d.Name])
			} else {
				f.Options = withValue(f.Options, f.Value)
			}
		}
		out = append(out, f)
	}
	return out
}

// multiValues are a multi_select's items.
func multiValues(v any) []string {
	var out []string
	switch x := v.(type) {
	case []any:
		for _, it := range x {
			out = append(out, customText(it))
		}
	case []string:
		out = x
	case string:
		for _, it := range strings.Split(x, ",") {
			if it = strings.TrimSpace(it); it != "" {
				out = append(out, it)
			}
		}
	}
	return out
}

// withValue are a select's options with its current value among them (a
// value set before the list changed stays choosable).
func withValue(options []string, value string) []string {
	if value == "" || slices.Contains(options, value) {
		return options
	}
	return append([]string{value}, options...)
}

// editForm sends the fields the user changed, and every custom field (the
// required ones must keep a value).
func (s *Server) editForm(c *fiber.Ctx, key string) error {
	ctx, me := c.UserContext(), httpx.Caller(c)
	l, err := s.Service.LeadFor(ctx, me, c.Params("id"), lead.ActEdit)
	if err != nil {
		return err
	}
	var in lead.EditFields
	changed := func(name, old string) *string {
		v := strings.TrimSpace(c.FormValue(name))
		if v == old {
			return nil
		}
		return &v
	}
	in.Company, in.Name, in.Country, in.Notes = changed("company", l.Company), changed("name", l.Name), changed("country", l.Country), changed("notes", l.Notes)
	in.Stage, in.Channel, in.Group = changed("stage", l.Stage), changed("channel", l.Channel), changed("group", l.Group)
	in.Profession, in.Address = changed("profession", l.Profession), changed("address", l.Address)
	in.District, in.Division = changed("district", l.District), changed("division", l.Division)
	if t := changed("tags", strings.Join(l.Tags, ", ")); t != nil {
		tags := []string{}
		for _, tag := range strings.Split(*t, ",") {
			if tag = strings.TrimSpace(tag); tag != "" {
				tags = append(tags, tag)
			}
		}
		in.Tags = &tags
	}
	if main, more, ok := contactRows(c, "phones", "phone_main"); ok {
		if main != l.Phone {
			in.Phone = &main
		}
		if !slices.Equal(more, l.Phones) {
			in.Phones = &more
		}
	}
	if main, more, ok := contactRows(c, "emails", "email_main"); ok {
		if main != l.Email {
			in.Email = &main
		}
		if !slices.Equal(more, l.Emails) {
			in.Emails = &more
		}
	}
	schema, err := s.Service.FieldSchema(ctx, lead.EntityLead)
	if err != nil {
		return err
	}
	if len(schema.Fields) > 0 {
		custom := customValues(c, schema, "custom.")
		for _, d := range schema.Fields {
			if _, ok := custom[d.Name]; !ok {
				custom[d.Name] = nil // emptied: cleared (refused for a required field)
			}
		}
		in.Custom = &custom
	}
	_, err = s.Service.Edit(ctx, me, c.Params("id"), key, in)
	return err
}

// contactRows reads the rows of the phones or e-mails: the one marked
// main (by its index in the radio named mainField), and the others that
// are not empty; a main row left empty takes the first other. ok is false
// when the form has no such rows.
func contactRows(c *fiber.Ctx, field, mainField string) (main string, more []string, ok bool) {
	rows := formList(c, field)
	if len(rows) == 0 {
		return "", nil, false
	}
	pick := 0
	for i := range rows {
		if c.FormValue(mainField) == strconv.Itoa(i) {
			pick = i
		}
	}
	more = []string{}
	for i, r := range rows {
		r = strings.TrimSpace(r)
		switch {
		case i == pick:
			main = r
		case r != "":
			more = append(more, r)
		}
	}
	if main == "" && len(more) > 0 {
		main, more = more[0], more[1:]
	}
	return main, more, true
}
