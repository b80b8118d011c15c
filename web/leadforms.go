package web

import (
	"strings"

	"github.com/leadflow/leadflow/lead"
)

// This file holds the data of the new-lead page, the convert form and the
// customer pages.

// FormField is one input of a form: Name is the form field's name (the
// API's, "custom.<name>" for a custom field), Label a message id or a
// custom field's own label, Type an input type (text, number, date,
// email, tel, textarea, select, multi_select), Error the field's refusal
// (a message id or the service's words).
type FormField struct {
	Name, Label, Type, Value string
	Values                   []string // the chosen items of a multi_select
	Options                  []string // a select's choices
	Required                 bool
	Error                    string
}

// ID is the field's name as an element id: its dots become dashes.
func (f FormField) ID() string { return strings.ReplaceAll(f.Name, ".", "-") }

// Chosen reports whether v is one of a multi_select's chosen items.
func (f FormField) Chosen(v string) bool {
	for _, x := range f.Values {
		if x == v {
			return true
		}
	}
	return false
}

// LeadNew is the data of the new-lead page: the form (its fields, the
// further phones and e-mails, the custom fields, the pools a manager or
// admin chooses from) and, after a save, what happened.
type LeadNew struct {
	RequestID string
	Fields    []FormField
	// Phones and Emails are the further numbers and addresses typed so far
	// (at least one empty row each).
	Phones, Emails []string
	PhonesError    string
	EmailsError    string
	PoolError      string
	Custom         []FormField
	// Pools are where a manager or admin may put the lead; none for a rep,
	// whose lead is one of their own.
	Pools  []Choice
	PoolID string
	Done   *Created
}

// Created says what saving the new-lead form did: Kind is created,
// warned (created, though it duplicates a live lead), merged (into an
// existing lead) or rejected (by the validation rules, with Reasons).
type Created struct {
	Kind    string
	Lead    *lead.Lead // the new lead, when the user may open it
	Into    *lead.Lead // the lead it was merged into or duplicates, when the user may see it
	Reasons []string
}

// DuplicateHint is what the new-lead form shows while company and phone
// are typed: a live lead with the same company, phone and country (named
// only to a user who may see it), and what saving would do (Policy).
type DuplicateHint struct {
	Found  bool
	Lead   *lead.Lead
	Policy string
}

// ConvertForm is the data of a lead's convert form: the customer's fields
// prefilled by the conversion rules, its custom fields, and the optional
// order with its custom fields.
type ConvertForm struct {
	Lead           lead.Lead
	RequestID      string
	Customer       []FormField
	CustomerCustom []FormField
	WithOrder      bool
	Order          []FormField
	OrderCustom    []FormField
}

// CustomerList is the data of the customers page.
type CustomerList struct {
	Fields []Field
	// Owners are the owner filter's choices (admins and managers), OwnerID its value.
	Owners    []Choice
	OwnerID   string
	Filtered  bool
	Customers []CustomerRow
	Next      string
}

// CustomerRow is a customer of a list, with its owner's name.
type CustomerRow struct {
	lead.Customer
	OwnerName string
}

// CustomerPage is the data of a customer's page.
type CustomerPage struct {
	lead.CustomerDetail
	OwnerName string
	// Custom are the customer's custom fields by label, then the keys
	// without a definition.
	Custom []JobRow
	Orders []OrderView
}

// OrderView is an order as the customer's page shows it.
type OrderView struct {
	lead.Order
	Date   string // the order's date (order.custom.date), "" when none
	Custom []JobRow
}
