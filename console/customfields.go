package console

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/web"
)

// The custom fields of a form (the new lead's, the customer's and the
// order's on the convert form): one typed input per definition, named
// prefix+name as the API's field errors name them (custom.<name>,
// customer.custom.<name>, order.custom.<name>).

// customInputs are the inputs of schema's fields, with values (the
// posted or prefilled ones) and the refusals errs names.
func customInputs(schema lead.CustomSchema, prefix string, values map[string]any, errs map[string]string) []web.FormField {
	var out []web.FormField
	for _, d := range schema.Fields {
		f := web.FormField{Name: prefix + d.Name, Label: d.Label, Type: d.Type, Required: d.Required, Error: errs[prefix+d.Name]}
		switch d.Type {
		case lead.FieldSelect, lead.FieldMultiSelect:
			f.Options = schema.Choices(d)
		case lead.FieldText:
			f.Type = "text"
		}
		switch v := values[d.Name].(type) {
		case nil:
		case []string:
			f.Values = v
		case []any:
			for _, x := range v {
				f.Values = append(f.Values, fmt.Sprint(x))
			}
		default:
			f.Value = anyString(v)
		}
		out = append(out, f)
	}
	return out
}

// customValues reads the posted values of schema's fields (prefix+name);
// an empty field is left out, so that a required one is refused.
func customValues(c *fiber.Ctx, schema lead.CustomSchema, prefix string) map[string]any {
	out := map[string]any{}
	for _, d := range schema.Fields {
		if d.Type == lead.FieldMultiSelect {
			if items := filled(formList(c, prefix+d.Name)); len(items) > 0 {
				out[d.Name] = items
			}
			continue
		}
		if v := strings.TrimSpace(c.FormValue(prefix + d.Name)); v != "" {
			out[d.Name] = v
		}
	}
	return out
}

// customRows are custom values by their fields' labels (the first
// schema that defines a key names it: the entity's own, then the lead's
// whose values a customer inherits), in the schemas' order, then the keys
// no schema defines (sorted), skipping skip's.
func customRows(values map[string]any, schemas []lead.CustomSchema, skip ...string) []web.JobRow {
	var out []web.JobRow
	seen := map[string]bool{}
	for _, k := range skip {
		seen[k] = true
	}
	show := func(label string, v any) {
		if x, ok := v.([]any); ok {
			parts := make([]string, len(x))
			for i, it := range x {
				parts[i] = anyString(it)
			}
			out = append(out, row(label, strings.Join(parts, ", ")))
			return
		}
		out = append(out, row(label, anyString(v)))
	}
	for _, schema := range schemas {
		for _, d := range schema.Fields {
			if v, ok := values[d.Name]; ok && !seen[d.Name] {
				seen[d.Name] = true
				show(d.Label, v)
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(values)) {
		if !seen[k] {
			show(k, values[k])
		}
	}
	return out
}

// filled are vs without the blank ones.
func filled(vs []string) []string {
	out := []string{}
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// anyString is a custom value in words: a number without an exponent.
func anyString(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// customerSchemas are the custom fields of customers and of orders.
func (s *Server) customerSchemas(c *fiber.Ctx) (customer, order lead.CustomSchema, err error) {
	if customer, err = s.Service.FieldSchema(c.UserContext(), lead.EntityCustomer); err != nil {
		return customer, order, err
	}
	order, err = s.Service.FieldSchema(c.UserContext(), lead.EntityOrder)
	return customer, order, err
}
