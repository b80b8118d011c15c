package lead

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Order is what a customer bought, recorded at conversion.
type Order struct {
	ID         string `json:"id"`
	CustomerID string `json:"customer_id"`
	LeadID     string `json:"lead_id"`
	// Amount is a decimal number (numeric in the store), absent when unknown.
	Amount    json.Number    `json:"amount,omitempty"`
	Currency  string         `json:"currency,omitempty"`
	Product   string         `json:"product,omitempty"`
	Custom    map[string]any `json:"custom,omitempty"`
	CreatedAt time.Time      `json:"created_at"`
}

// CustomerDetail is a customer with the lead it came from and its orders.
type CustomerDetail struct {
	Customer
	Lead   Lead    `json:"lead"`
	Orders []Order `json:"orders"`
}

// OrderColumns are the keys of a conversion's order map that are columns
// of the order rather than custom fields.
var OrderColumns = []string{"amount", "currency", "product"}

// SplitOrder splits a conversion's order map into its columns and its
// custom fields, checking the columns: amount a number of at least 0,
// currency three letters (upper-cased), product at most 200 characters.
func SplitOrder(m map[string]any) (Order, error) {
	o := Order{Custom: map[string]any{}}
	var bad Fields
	for k, v := range m {
		switch k {
		case "amount":
			s := strings.TrimSpace(fmt.Sprint(v))
			if v == nil || s == "" {
				continue
			}
			f, err := strconv.ParseFloat(s, 64)
			if err != nil || f < 0 {
				bad.Add("order.amount", "must be a number of at least 0")
				continue
			}
			o.Amount = json.Number(s)
		case "currency":
			s := strings.ToUpper(strings.TrimSpace(fmt.Sprint(v)))
			if v == nil || s == "" {
				continue
			}
			if len(s) != 3 || strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
				bad.Add("order.currency", "must be a three-letter currency code (ISO 4217), e.g. CNY")
				continue
			}
			o.Currency = s
		case "product":
			if v == nil {
				continue
			}
			o.Product = strings.TrimSpace(fmt.Sprint(v))
			if utf8.RuneCountInString(o.Product) > maxText {
				bad.Add("order.product", "is longer than 200 characters")
			}
		default:
			o.Custom[k] = v
		}
	}
	return o, bad.Err()
}

// CustomerColumns are the keys of a conversion's customer map that are
// columns of the customer rather than custom fields.
var CustomerColumns = []string{"name", "contact", "phone", "email", "country"}

// CustomerDefault is the value a customer column takes from lead l when
// the conversion maps none: the company, the contact's name, the main
// phone (E.164 when known), the e-mail and the country.
func CustomerDefault(l Lead, column string) string {
	switch column {
	case "name":
		return l.Company
	case "contact":
		return l.Name
	case "phone":
		if l.PhoneE164 != "" {
			return l.PhoneE164
		}
		return l.Phone
	case "email":
		return l.Email
	case "country":
		return l.Country
	}
	return ""
}
