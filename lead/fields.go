package lead

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Custom field definitions (DESIGN.md, "Settings": /api/v1/fields): admins
// define the custom fields of leads, customers and orders; values are kept
// in the entity's custom fields and checked against the definitions
// wherever they enter (create, registration, edit, import, conversion).
// A key without a definition is kept as it is.

// The entities that have custom fields.
const (
	EntityLead     = "lead"
	EntityCustomer = "customer"
	EntityOrder    = "order"
)

// The types of a custom field.
const (
	FieldText        = "text"
	FieldNumber      = "number"
	FieldDate        = "date" // YYYY-MM-DD
	FieldSelect      = "select"
	FieldMultiSelect = "multi_select"
)

// FieldEntities and FieldTypes list the allowed values.
var (
	FieldEntities = []string{EntityLead, EntityCustomer, EntityOrder}
	FieldTypes    = []string{FieldText, FieldNumber, FieldDate, FieldSelect, FieldMultiSelect}
)

// FieldDef defines one custom field of an entity.
type FieldDef struct {
	ID     string `json:"id"`
	Entity string `json:"entity"`
	Name   string `json:"name"` // the key in the entity's custom fields
	Label  string `json:"label"`
	Type   string `json:"type"`
	// Options are the choices of a select or multi_select; OptionList
	// names an option list (e.g. sources) to take them from instead.
	Options    []string  `json:"options"`
	OptionList string    `json:"option_list,omitempty"`
	Required   bool      `json:"required"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

var fieldName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// Clean trims a definition and checks it.
func (d *FieldDef) Clean() error {
	var bad Fields
	d.Name, d.Label, d.OptionList = strings.TrimSpace(d.Name), strings.TrimSpace(d.Label), strings.TrimSpace(d.OptionList)
	if !slices.Contains(FieldEntities, d.Entity) {
		bad.Add("entity", "must be one of: "+strings.Join(FieldEntities, ", "))
	}
	if !fieldName.MatchString(d.Name) {
		bad.Add("name", "must be 1 to 63 lower-case letters, digits or _, starting with a letter")
	}
	if d.Label == "" {
		d.Label = d.Name
	}
	if utf8.RuneCountInString(d.Label) > 100 {
		bad.Add("label", "is longer than 100 characters")
	}
	if !slices.Contains(FieldTypes, d.Type) {
		bad.Add("type", "must be one of: "+strings.Join(FieldTypes, ", "))
	}
	choice := d.Type == FieldSelect || d.Type == FieldMultiSelect
	switch {
	case !choice && (len(d.Options) > 0 || d.OptionList != ""):
		bad.Add("options", "only a select or multi_select field has options")
	case choice && d.OptionList != "" && len(d.Options) > 0:
		bad.Add("options", "give options or option_list, not both")
	case choice && d.OptionList != "" && !KnownOptionList(d.OptionList):
		bad.Add("option_list", "must be one of: "+strings.Join(OptionLists, ", "))
	case choice && d.OptionList == "":
		opts, err := CleanOptions(d.Options)
		if err != nil {
			bad.Add("options", "needs 1 to 200 distinct items of 1 to 100 characters")
		}
		d.Options = opts
	}
	if d.Options == nil {
		d.Options = []string{}
	}
	return bad.Err()
}

// CustomSchema is what custom values of one entity are checked against:
// its field definitions and the option lists they name.
type CustomSchema struct {
	Fields []FieldDef
	Lists  map[string][]string
}

// Check checks custom values against the schema and normalises them in
// place (numbers become numbers, a multi_select given as "a, b" a list).
// A partial check (an edit) checks only the keys given; otherwise
// required fields must have a value. Errors name the field custom.<name>.
func (s CustomSchema) Check(values map[string]any, partial bool) Fields {
	var bad Fields
	for _, d := range s.Fields {
		v, given := values[d.Name]
		if empty(v) {
			if d.Required && (given || !partial) {
				bad.AddCode("custom."+d.Name, ReasonRequired, "is required")
			}
			continue
		}
		nv, reason := s.value(d, v)
		if reason != "" {
			bad.Add("custom."+d.Name, reason)
			continue
		}
		values[d.Name] = nv
	}
	return bad
}

// CheckLead checks what a lead's input gives against the configuration:
// its custom values (see Check), its channel against the sources option
// list when that list is non-empty, its group against the groups list
// (both in any case, and respelled as the list spells them).
// Nil or empty channel and group are not checked. The schema must hold
// the lead fields and the sources and groups lists (store.CustomSchema).
func (s CustomSchema) CheckLead(custom map[string]any, channel, group *string, partial bool) Fields {
	var bad Fields
	if custom != nil || !partial {
		bad = s.Check(custom, partial)
	}
	if channel != nil && *channel != "" && len(s.Lists[OptionSources]) > 0 {
		*channel = spelledAs(s.Lists[OptionSources], *channel)
		if r := OptionReason(s.Lists[OptionSources], *channel); r != "" {
			bad.Add("channel", r)
		}
	}
	if group != nil && *group != "" {
		*group = spelledAs(s.Lists[OptionGroups], *group)
		if r := OptionReason(s.Lists[OptionGroups], *group); r != "" {
			bad.Add("group", r)
		}
	}
	return bad
}

// spelledAs returns the item of items that v names in any case (as
// channels are matched in any case), or v when none does.
func spelledAs(items []string, v string) string {
	for _, it := range items {
		if strings.EqualFold(it, v) {
			return it
		}
	}
	return v
}

// Choices are the choices of select field d (its options, or its option list's items).
func (s CustomSchema) Choices(d FieldDef) []string { return s.options(d) }

// options are the choices of a select field.
func (s CustomSchema) options(d FieldDef) []string {
	if d.OptionList != "" {
		return s.Lists[d.OptionList]
	}
	return d.Options
}

// value checks one value of field d and returns it normalised, or why it is wrong.
func (s CustomSchema) value(d FieldDef, v any) (any, string) {
	switch d.Type {
	case FieldNumber:
		switch n := v.(type) {
		case float64, int, int64:
			return n, ""
		case json.Number:
			if f, err := n.Float64(); err == nil {
				return f, ""
			}
		case string:
			if f, err := strconv.ParseFloat(strings.TrimSpace(n), 64); err == nil {
				return f, ""
			}
		}
		return nil, "must be a number"
	case FieldDate:
		str, ok := v.(string)
		if _, err := time.Parse(time.DateOnly, strings.TrimSpace(str)); !ok || err != nil {
			return nil, "must be a date (2026-01-31)"
		}
		return strings.TrimSpace(str), ""
	case FieldSelect:
		str, ok := v.(string)
		if !ok {
			str = fmt.Sprint(v)
		}
		str = strings.TrimSpace(str)
		if r := OptionReason(s.options(d), str); r != "" {
			return nil, r
		}
		return str, ""
	case FieldMultiSelect:
		return s.multi(d, v)
	default:
		str, ok := v.(string)
		if !ok {
			str = fmt.Sprint(v)
		}
		if utf8.RuneCountInString(str) > 1000 {
			return nil, "is longer than 1000 characters"
		}
		return str, ""
	}
}

// multi checks a multi_select value: a list of options, or the options
// separated by commas (a spreadsheet cell).
func (s CustomSchema) multi(d FieldDef, v any) (any, string) {
	var items []string
	switch x := v.(type) {
	case string:
		for _, it := range strings.Split(x, ",") {
			if it = strings.TrimSpace(it); it != "" {
				items = append(items, it)
			}
		}
	case []any:
		for _, it := range x {
			str, ok := it.(string)
			if !ok {
				return nil, "must be a list of options"
			}
			items = append(items, strings.TrimSpace(str))
		}
	case []string:
		items = x
	default:
		return nil, "must be a list of options"
	}
	for _, it := range items {
		if r := OptionReason(s.options(d), it); r != "" {
			return nil, "each " + r
		}
	}
	return items, ""
}

// empty reports whether a custom value is absent: nil, blank or an empty list.
func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	case []any:
		return len(x) == 0
	case []string:
		return len(x) == 0
	}
	return false
}
