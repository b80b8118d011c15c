package console

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/web"
)

// This file is a lead's convert form: the customer's fields as the
// conversion rules map them (service.DraftConversion), editable, its
// custom fields and an optional order; sent, it converts through the same
// service method as POST /api/v1/leads/{id}/convert (service.Convert),
// then shows the customer.

// customerInputs are the customer's columns on the convert form.
var customerInputs = []web.FormField{{Name: "customer.name", Label: "convert.customer_name", Required: true},
	{Name: "customer.contact", Label: "convert.contact"}, {Name: "customer.phone", Label: "convert.phone", Type: "tel"},
	{Name: "customer.email", Label: "convert.email", Type: "email"}, {Name: "customer.country", Label: "convert.country"}}

// orderInputs are the order's columns on the convert form; its date is
// kept with its custom fields (order.custom.date), unless a custom field
// of that name defines it.
var orderInputs = []web.FormField{{Name: "order.product", Label: "convert.product"},
	{Name: "order.amount", Label: "convert.amount", Type: "number"}, {Name: "order.currency", Label: "convert.currency"},
	{Name: "order.custom.date", Label: "convert.date", Type: "date"}}

// orderDate is the key of an order's date among its custom fields.
const orderDate = "date"

// convertFormMark is the hidden field that tells the convert form from the
// lead page's one-button convert form, which the lead page answers.
const convertFormMark = "convert-form"

func (s *Server) convertPage(c *fiber.Ctx) error { return s.showConvert(c, false, nil) }

// showConvert renders the convert form of the route's lead: prefilled by
// the conversion rules, or with what was posted (kept) and its refusal.
func (s *Server) showConvert(c *fiber.Ctx, kept bool, refusal error) error {
	d, err := s.Service.DraftConversion(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		if refusal != nil && webProblem(refusal) != nil {
			err = refusal
		}
		return s.consoleRefusal(c, err)
	}
	errs := map[string]string{}
	p := consolePage(c, "convert.title", "leads")
	if refusal != nil {
		errs = refuse(c, &p, refusal)
	}
	value := func(name string, prefilled any) string {
		if kept {
			return strings.TrimSpace(c.FormValue(name))
		}
		if prefilled == nil {
			return ""
		}
		return strings.TrimSpace(anyString(prefilled))
	}
	f := &web.ConvertForm{Lead: d.Lead, RequestID: uuid.NewString()}
	for _, in := range customerInputs {
		in.Value, in.Error = value(in.Name, d.Customer[strings.TrimPrefix(in.Name, "customer.")]), errs[in.Name]
		f.Customer = append(f.Customer, in)
	}
	customer, order := d.Customer, d.Order
	if kept {
		customer, order = customValues(c, d.CustomerFields, "customer.custom."), customValues(c, d.OrderFields, "order.custom.")
	}
	f.CustomerCustom = customInputs(d.CustomerFields, "customer.custom.", customer, errs)
	for _, in := range orderInputs {
		if name := strings.TrimPrefix(in.Name, "order.custom."); name != in.Name && defines(d.OrderFields, name) {
			continue
		}
		in.Value = value(in.Name, d.Order[strings.TrimPrefix(strings.TrimPrefix(in.Name, "order."), "custom.")])
		in.Error = errs[in.Name]
		f.WithOrder = f.WithOrder || in.Value != ""
		f.Order = append(f.Order, in)
	}
	f.OrderCustom = customInputs(d.OrderFields, "order.custom.", order, errs)
	p.Data = f
	return render(c, "convert", p)
}

// convertForm converts the lead with the form's values; the lead page's
// one-button form goes on to its own handler.
func (s *Server) convertForm(c *fiber.Ctx) error {
	if c.FormValue("form") != convertFormMark {
		return c.Next()
	}
	ctx, me := c.UserContext(), httpx.Caller(c)
	key, err := requestKey(c)
	if err != nil {
		return s.showConvert(c, true, err)
	}
	customerSchema, orderSchema, err := s.customerSchemas(c)
	if err != nil {
		return err
	}
	customer := customValues(c, customerSchema, "customer.custom.")
	for _, in := range customerInputs {
		if v := strings.TrimSpace(c.FormValue(in.Name)); v != "" {
			customer[strings.TrimPrefix(in.Name, "customer.")] = v
		}
	}
	order := customValues(c, orderSchema, "order.custom.")
	for _, in := range orderInputs {
		if v := strings.TrimSpace(c.FormValue(in.Name)); v != "" {
			order[strings.TrimPrefix(strings.TrimPrefix(in.Name, "order."), "custom.")] = v
		}
	}
	if len(order) == 0 {
		order = nil // no order: the conversion rules' mapping alone
	}
	out, err := s.Service.Convert(ctx, me, c.Params("id"), key, customer, order)
	if err != nil {
		if webProblem(err) == nil {
			return err
		}
		return s.showConvert(c, true, err)
	}
	return c.Redirect("/customers/"+url.PathEscape(out.Customer.ID)+"?done=converted", fiber.StatusSeeOther)
}

// defines reports whether schema has a field named name.
func defines(schema lead.CustomSchema, name string) bool {
	for _, d := range schema.Fields {
		if d.Name == name {
			return true
		}
	}
	return false
}
