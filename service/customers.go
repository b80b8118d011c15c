package service

import (
	"context"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// The customers: a customer is visible to whoever may read the lead it
// came from (lead.Visible; store.Viewer for the list).

// Customers are a page of the customers me may see, newest first; f holds
// the filters (ParseCustomerFilter).
func (s *Service) Customers(ctx context.Context, me lead.User, f store.CustomerFilter, limit int, cursor string) ([]lead.Customer, string, error) {
	f.Viewer, f.Limit, f.Cursor = store.ViewerOf(me), limit, cursor
	return s.db.Customers(ctx, f)
}

// Customer is customer id with the lead it came from (redacted) and its
// orders, when me may see it.
func (s *Service) Customer(ctx context.Context, me lead.User, id string) (lead.CustomerDetail, error) {
	d, err := s.db.CustomerFor(ctx, id, me)
	if err != nil {
		return d, err
	}
	d.Lead = lead.Redact(me, d.Lead)
	return d, nil
}
