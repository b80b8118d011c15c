package api

import (
	"encoding/json"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
)

// This file reads customers and their orders, and checks the body of a
// conversion. A customer is visible to whoever may read the lead it came
// from (lead.Visible; store.Viewer for the list).

func (s *Server) routeCustomers(v1 fiber.Router) {
	v1.Get("/customers", s.listCustomers)
	v1.Get("/customers/:id", s.getCustomer)
}

// listCustomers lists the customers the caller may see, newest first.
func (s *Server) listCustomers(c *fiber.Ctx) error {
	limit, err := httpx.PageLimit(c)
	if err != nil {
		return err
	}
	f, err := service.ParseCustomerFilter(httpx.Query(c))
	if err != nil {
		return err
	}
	items, next, err := s.svc.Customers(c.UserContext(), httpx.Caller(c), f, limit, c.Query("cursor"))
	if err != nil {
		return err
	}
	return c.JSON(httpx.Page(items, next))
}

// getCustomer answers a customer with the lead it came from and its orders.
func (s *Server) getCustomer(c *fiber.Ctx) error {
	d, err := s.svc.Customer(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(d)
}

// convertBody is the optional body of POST /leads/{id}/convert: the
// caller's values win over the conversion rules' mapping.
type convertBody struct {
	// Customer holds customer columns (name, contact, phone, email,
	// country) and custom fields.
	Customer map[string]any `json:"customer"`
	Order    *orderBody     `json:"order"`
}

type orderBody struct {
	Amount   *json.Number   `json:"amount"`
	Currency *string        `json:"currency"`
	Product  *string        `json:"product"`
	Custom   map[string]any `json:"custom"`
}

// values returns the body's customer and order overrides as the maps a
// conversion takes (lead.Conversion); the service checks their values
// (service.CheckConversion), this only what is the body's own: an order
// column given as a custom field.
func (in convertBody) values() (customer, order map[string]any, err error) {
	var bad lead.Fields
	if in.Order != nil {
		order = map[string]any{}
		for k, v := range in.Order.Custom {
			order[k] = v
		}
		if in.Order.Amount != nil {
			order["amount"] = in.Order.Amount.String()
		}
		if in.Order.Currency != nil {
			order["currency"] = *in.Order.Currency
		}
		if in.Order.Product != nil {
			order["product"] = *in.Order.Product
		}
		for _, k := range lead.OrderColumns {
			if _, ok := in.Order.Custom[k]; ok {
				bad.Add("order.custom."+k, fmt.Sprintf("is a column of the order: give order.%s", k))
			}
		}
	}
	return in.Customer, order, bad.Err()
}
