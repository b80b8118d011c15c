package rules

import (
	"maps"

	"github.com/leadflow/leadflow/lead"
)

// Conversion maps lead l onto a customer and an order with a conversion
// outcome: the lead's custom fields keep their names (seed 002), the
// rules' mapping comes over them, and the caller's overrides win over
// both. The order is nil when neither the mapping nor the overrides give one.
func Conversion(l lead.Lead, out Outcome, customerOverrides, orderOverrides map[string]any) (customer, order map[string]any) {
	customer = map[string]any{}
	maps.Copy(customer, l.Custom)
	maps.Copy(customer, out.Customer)
	maps.Copy(customer, customerOverrides)
	order = maps.Clone(out.Order)
	if len(orderOverrides) > 0 {
		if order == nil {
			order = map[string]any{}
		}
		maps.Copy(order, orderOverrides)
	}
	return customer, order
}
