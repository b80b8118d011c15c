package console

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/web"
)

// This file is the customers' pages: the list with the filters of GET
// /api/v1/customers (service.ParseCustomerFilter) and a customer with its
// custom fields, orders and the lead it came from (service.Customer).
// Whoever is signed in sees the customers of the leads they may see.

// customerFilters are the customer list's filters; the owner's is for
// admins and managers (a rep sees their own customers).
var customerFilters = []web.Field{{Name: "q", Label: "customers.search"},
	{Name: "created_from", Label: "customers.from", Type: "date"}, {Name: "created_to", Label: "customers.to", Type: "date"}}

func (s *Server) customersPage(c *fiber.Ctx) error {
	ctx, me := c.UserContext(), httpx.Caller(c)
	people, err := s.people(c)
	if err != nil {
		return err
	}
	d := &web.CustomerList{OwnerID: c.Query("owner_id")}
	if me.Role != lead.RoleRep {
		for _, u := range sortedPeople(people) {
			d.Owners = append(d.Owners, web.Choice{Value: u.ID, Label: u.Name})
		}
	}
	d.Filtered = d.OwnerID != ""
	for _, f := range customerFilters {
		f.Value = c.Query(f.Name)
		d.Filtered = d.Filtered || f.Value != ""
		d.Fields = append(d.Fields, f)
	}
	p := consolePage(c, "customers.title", "customers")
	p.Data = d
	f, err := service.ParseCustomerFilter(inZone(c, "created_from", "created_to"))
	if err == nil {
		var items []lead.Customer
		var next string
		items, next, err = s.Service.Customers(ctx, me, f, 50, c.Query("cursor"))
		for _, it := range items {
			d.Customers = append(d.Customers, web.CustomerRow{Customer: it, OwnerName: people[it.OwnerID].Name})
		}
		if next != "" {
			q, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
			q.Set("cursor", next)
			d.Next = "/customers?" + q.Encode()
		}
	}
	if err != nil {
		if webProblem(err) == nil {
			return err
		}
		refuse(c, &p, err)
	}
	return render(c, "customers", p)
}

func (s *Server) customerPage(c *fiber.Ctx) error {
	ctx, me := c.UserContext(), httpx.Caller(c)
	cd, err := s.Service.Customer(ctx, me, c.Params("id"))
	if err != nil {
		if lead.ErrorCode(err) == lead.CodeNotFound {
			return s.consoleMessage(c, fiber.StatusNotFound, "customers.not_found", "page.not_yours")
		}
		return s.consoleRefusal(c, err)
	}
	d := &web.CustomerPage{CustomerDetail: cd}
	if cd.OwnerID != "" {
		d.OwnerName = s.Service.UserName(ctx, cd.OwnerID)
	}
	customerSchema, orderSchema, err := s.customerSchemas(c)
	if err != nil {
		return err
	}
	leadSchema, err := s.Service.FieldSchema(ctx, lead.EntityLead)
	if err != nil {
		return err
	}
	d.Custom = customRows(cd.Data, []lead.CustomSchema{customerSchema, leadSchema})
	for _, o := range cd.Orders {
		v := web.OrderView{Order: o}
		var skip []string
		if date, ok := o.Custom[orderDate]; ok && !defines(orderSchema, orderDate) {
			// The order's date, kept with its custom fields (see orderInputs).
			v.Date, skip = anyString(date), []string{orderDate}
		}
		v.Custom = customRows(o.Custom, []lead.CustomSchema{orderSchema}, skip...)
		d.Orders = append(d.Orders, v)
	}
	p := consolePage(c, cd.Name, "customers")
	if c.Query("done") == "converted" {
		p.Notice = "convert.done"
	}
	p.Data = d
	return render(c, "customer", p)
}
