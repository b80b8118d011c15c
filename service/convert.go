package service

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/rules"
)

// What a conversion's caller gives (the API's body, the console's form)
// is checked here, and the convert form is prefilled with what the
// conversion rules would map.

// CheckConversion checks a conversion's overrides: the customer's columns
// are texts of at most 200 characters (the e-mail an address), the order's
// columns those of lead.SplitOrder. Custom fields are checked against
// their definitions when the conversion runs (customer.custom.<name>,
// order.custom.<name>).
func CheckConversion(customer, order map[string]any) error {
	var bad lead.Fields
	for _, k := range lead.CustomerColumns {
		v, ok := customer[k]
		if !ok {
			continue
		}
		str, isStr := v.(string)
		if !isStr || utf8.RuneCountInString(str) > 200 {
			bad.Add("customer."+k, "must be a text of at most 200 characters")
		} else if k == "email" && str != "" && !lead.ValidEmail(str) {
			bad.AddCode("customer.email", lead.ReasonInvalidEmail, "is not a valid e-mail address")
		}
	}
	if order != nil {
		if _, err := lead.SplitOrder(order); err != nil {
			f, _ := lead.FieldsOf(err)
			bad = append(bad, f...)
		}
	}
	return bad.Err()
}

// ConversionDraft is what converting a lead would make of it, for the
// convert form: the lead, and the customer's and the order's values as
// the active conversion rules map them (the customer's columns default to
// the lead's own, as the conversion does).
type ConversionDraft struct {
	Lead            lead.Lead
	Customer, Order map[string]any
	// CustomerFields and OrderFields are the custom field definitions, with
	// the option lists their selects take their choices from.
	CustomerFields, OrderFields lead.CustomSchema
}

// DraftConversion maps lead id for me's convert form, when me may convert it.
func (s *Service) DraftConversion(ctx context.Context, me lead.User, id string) (ConversionDraft, error) {
	var d ConversionDraft
	l, err := s.LeadFor(ctx, me, id, lead.ActConvert)
	if err != nil {
		return d, err
	}
	if l.Status == lead.StatusConverted {
		return d, lead.Conflict("the lead is converted already", "wrong status: the lead is converted")
	}
	stored, err := s.db.ActiveRuleSet(ctx, string(rules.KindConversion))
	if err != nil {
		return d, err
	}
	set, err := rules.Compile(rules.KindConversion, stored.Version, stored.Body)
	if err != nil {
		return d, fmt.Errorf("the active conversion rules: %w", err)
	}
	out := set.Evaluate(rules.NewEnv(rules.NewLeadEnv(l), rules.Facts{}, time.Now()))
	d.Lead = lead.Redact(me, l)
	d.Customer, d.Order = rules.Conversion(l, out, nil, nil)
	for _, k := range lead.CustomerColumns {
		if v := d.Customer[k]; v == nil || v == "" {
			d.Customer[k] = lead.CustomerDefault(l, k)
		}
	}
	if d.CustomerFields, err = s.db.CustomSchema(ctx, lead.EntityCustomer); err != nil {
		return d, err
	}
	d.OrderFields, err = s.db.CustomSchema(ctx, lead.EntityOrder)
	return d, err
}

// FieldSchema is the custom fields of entity with the option lists their
// selects take their choices from, for a form.
func (s *Service) FieldSchema(ctx context.Context, entity string) (lead.CustomSchema, error) {
	return s.db.CustomSchema(ctx, entity)
}
