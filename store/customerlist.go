package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// This file reads customers: a customer is visible to whoever may read the
// lead it came from (lead.Visible, and its SQL twin for the list).

// CustomerFilter selects customers for the list endpoint. Empty fields do not filter.
type CustomerFilter struct {
	// Q matches the name, contact, phone or e-mail (a substring, any case).
	Q       string
	OwnerID string
	// CreatedFrom and CreatedTo bound the conversion time: [from, to).
	CreatedFrom, CreatedTo *time.Time
	// Viewer limits the list to the customers of leads one user may see.
	Viewer Viewer
	Limit  int
	Cursor string
}

// Customers lists customers newest first with keyset pagination.
func (db *DB) Customers(ctx context.Context, f CustomerFilter) ([]lead.Customer, string, error) {
	var q listQuery
	if f.OwnerID != "" {
		if !isUUID(f.OwnerID) {
			return nil, "", lead.Invalid(lead.FieldError{Field: "owner_id", Reason: "is not an id"})
		}
		q.and("c.owner_id = " + q.arg(f.OwnerID) + "::uuid")
	}
	if f.Q != "" {
		p := q.arg(likePattern(f.Q))
		q.and("(c.name ILIKE " + p + " OR c.contact ILIKE " + p + " OR c.phone ILIKE " + p + " OR c.email ILIKE " + p + ")")
	}
	if f.CreatedFrom != nil {
		q.and("c.created_at >= " + q.arg(*f.CreatedFrom))
	}
	if f.CreatedTo != nil {
		q.and("c.created_at < " + q.arg(*f.CreatedTo))
	}
	if cond := f.Viewer.condition(q.arg); cond != "" {
		q.and(cond)
	}
	if err := q.keyset("c.created_at", "c.id", true, f.Cursor); err != nil {
		return nil, "", err
	}
	// The customer's lead l and its pool p, which the viewer's condition reads.
	return queryPage(ctx, db, customerColumns+` FROM customers c JOIN `+leadFrom+` ON l.id = c.lead_id`, &q, f.Limit, scanCustomer,
		func(c lead.Customer) (time.Time, string) { return c.CreatedAt, c.ID })
}

// CustomerFor returns a customer with its lead and orders when user u may
// read the lead it came from; otherwise the customer is not found.
func (db *DB) CustomerFor(ctx context.Context, id string, u lead.User) (lead.CustomerDetail, error) {
	c, err := db.Customer(ctx, id)
	if err != nil {
		return lead.CustomerDetail{}, err
	}
	l, err := db.LeadFor(ctx, c.LeadID, u, lead.ActRead)
	var le *lead.Error
	if errors.As(err, &le) && (le.Code == lead.CodeNotFound || le.Code == lead.CodeForbidden) {
		return lead.CustomerDetail{}, lead.Errorf(lead.CodeNotFound, "customer not found")
	}
	if err != nil {
		return lead.CustomerDetail{}, err
	}
	orders, err := db.Orders(ctx, c.ID)
	return lead.CustomerDetail{Customer: c, Lead: l, Orders: orders}, err
}

// Orders returns a customer's orders, oldest first.
func (db *DB) Orders(ctx context.Context, customerID string) ([]lead.Order, error) {
	rows, err := db.pool.Query(ctx, `SELECT id::text, customer_id::text, lead_id::text, coalesce(amount::text, ''), currency, product,
		data, created_at FROM orders WHERE customer_id = $1 ORDER BY created_at, id`, customerID)
	if err != nil {
		return nil, err
	}
	orders, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (lead.Order, error) {
		var o lead.Order
		var amount string
		var data []byte
		if err := r.Scan(&o.ID, &o.CustomerID, &o.LeadID, &amount, &o.Currency, &o.Product, &data, &o.CreatedAt); err != nil {
			return o, err
		}
		o.Amount = json.Number(amount)
		if len(data) > 0 && string(data) != "{}" {
			if err := json.Unmarshal(data, &o.Custom); err != nil {
				return o, err
			}
		}
		return o, nil
	})
	if orders == nil {
		orders = []lead.Order{}
	}
	return orders, err
}
