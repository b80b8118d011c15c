package store

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// Convert turns an assigned lead into a customer (and an order when the
// conversion maps one). Converting a converted lead again returns the
// same customer.
func (db *DB) Convert(ctx context.Context, c lead.Conversion) (lead.Converted, error) {
	actorID, requestID, customerID := c.ActorID, c.RequestID, c.CustomerID
	m := lead.Move{LeadID: c.LeadID, ActorID: c.ActorID, RequestID: c.RequestID}
	l, err := db.transition(ctx, lead.ActConvert, m, func(tx pgx.Tx, l lead.Lead) error {
		if l.Status == lead.StatusConverted {
			return nil
		}
		// The mapped fields; the named columns default to the lead's own values.
		fields := map[string]any{}
		maps.Copy(fields, c.Customer)
		take := func(k, def string) string {
			v := fields[k]
			delete(fields, k)
			if v == nil || v == "" {
				return def
			}
			return fmt.Sprint(v)
		}
		def := func(k string) (string, string) { return k, lead.CustomerDefault(l, k) }
		name, contact := take(def("name")), take(def("contact"))
		phone, email, country := take(def("phone")), take(def("email")), take(def("country"))
		data, err := json.Marshal(fields)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO customers (id, lead_id, name, contact, phone, email, country, owner_id, data)
			VALUES ($1, $2, $3, $4, $5, $6, $7, nullif($8, '')::uuid, $9)`,
			customerID, l.ID, name, contact, phone, email, country, l.OwnerID, data); err != nil {
			return err
		}
		ev := lead.Event{}
		if c.Decision != nil {
			ev = *c.Decision
		}
		ev.LeadID, ev.Type, ev.ActorID = l.ID, lead.EventConverted, actorID
		ev.Data = map[string]any{"customer_id": customerID}
		if len(c.Order) > 0 {
			o, err := lead.SplitOrder(c.Order)
			if err != nil {
				return err
			}
			custom, err := json.Marshal(o.Custom)
			if err != nil {
				return err
			}
			// The order's id is the customer's: one order per conversion.
			if _, err := tx.Exec(ctx, `INSERT INTO orders (id, customer_id, lead_id, amount, currency, product, data)
				VALUES ($1, $1, $2, nullif($3, '')::numeric, $4, $5, $6)`,
				customerID, l.ID, o.Amount.String(), o.Currency, o.Product, custom); err != nil {
				return err
			}
			ev.Data["order_id"] = customerID
		}
		if _, err := tx.Exec(ctx, `UPDATE leads SET status = 'converted', customer_id = $2, updated_at = now() WHERE id = $1`,
			l.ID, customerID); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev, requestID)
	})
	if err != nil {
		return lead.Converted{}, err
	}
	cust, err := db.Customer(ctx, l.CustomerID)
	return lead.Converted{Lead: l, Customer: cust}, err
}

const customerColumns = `c.id::text, c.lead_id::text, c.name, c.contact, c.phone, c.email, c.country,
	coalesce(c.owner_id::text, ''), c.data, c.created_at`

func scanCustomer(row pgx.Row) (lead.Customer, error) {
	var c lead.Customer
	var data []byte
	if err := row.Scan(&c.ID, &c.LeadID, &c.Name, &c.Contact, &c.Phone, &c.Email, &c.Country, &c.OwnerID, &data, &c.CreatedAt); err != nil {
		return c, err
	}
	if len(data) > 0 && string(data) != "{}" {
		if err := json.Unmarshal(data, &c.Data); err != nil {
			return c, fmt.Errorf("store: customer %s custom fields: %w", c.ID, err)
		}
	}
	return c, nil
}

// Customer returns one customer.
func (db *DB) Customer(ctx context.Context, id string) (lead.Customer, error) {
	if !isUUID(id) {
		return lead.Customer{}, lead.Errorf(lead.CodeNotFound, "customer not found")
	}
	c, err := scanCustomer(db.pool.QueryRow(ctx, `SELECT `+customerColumns+` FROM customers c WHERE c.id = $1`, id))
	return c, notFound(err, "customer")
}
