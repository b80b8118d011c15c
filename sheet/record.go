package sheet

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/leadflow/leadflow/lead"
)

// Records are what an inbound source pushes (a JSON body, Facebook's
// field_data): named values, mapped to a lead like the columns of a file.
// A record's names are field paths: "email", "contact.phone", "answers.0".

// CheckTargets checks a mapping before it meets any record (an inbound
// source's): each target a Fields name, custom.<name> or ignore, a
// single-valued field at most once. Its errors name "mapping.<key>"; the
// result has the targets in their canonical form.
func CheckTargets(m Mapping) (Mapping, error) {
	out, bad := resolve(slices.Sorted(maps.Keys(m)), m)
	var kept lead.Fields
	for _, f := range bad {
		if f.Field != "mapping" { // the required fields: a record may carry them under their own names
			kept = append(kept, f)
		}
	}
	return out, kept.Err()
}

// RecordInput maps a record to a cleaned lead.Input: a name the mapping
// has goes to its target; any other name goes to the field it is
// recognised as (SuggestField, as an import's column header) unless a
// mapped name took that field; the rest is ignored, not stored.
func RecordInput(record map[string]string, m Mapping) (lead.Input, error) {
	names := slices.Sorted(maps.Keys(record))
	taken := map[string]bool{}
	for _, t := range m {
		taken[t] = true
	}
	full := Mapping{}
	for _, n := range names {
		if t, ok := m[n]; ok {
			full[n] = t
			continue
		}
		full[n] = Ignore
		if f, ok := fieldByName(SuggestField(n)); ok && !taken[f.Name] {
			taken[f.Name] = !f.Multiple
			full[n] = f.Name
		}
	}
	plan, err := NewPlan(names, full)
	if err != nil {
		return lead.Input{}, err
	}
	cells := make([]string, len(names))
	for i, n := range names {
		cells[i] = record[n]
	}
	return plan.Input(cells)
}

// FlattenJSON reads a JSON object as a record: nested objects give dotted
// paths ("contact.email"), arrays of values one value joined with ", ",
// other arrays indexed paths ("items.0.name"); nulls are left out.
func FlattenJSON(body []byte) (map[string]string, error) {
	var v map[string]any
	d := json.NewDecoder(strings.NewReader(string(body)))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	out := map[string]string{}
	flatten(out, "", v)
	return out, nil
}

func flatten(out map[string]string, path string, v any) {
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			flatten(out, join(k), e)
		}
	case []any:
		var vals []string
		for i, e := range t {
			switch e.(type) {
			case map[string]any, []any:
				flatten(out, join(strconv.Itoa(i)), e)
			case nil:
			default:
				vals = append(vals, scalar(e))
			}
		}
		if len(vals) > 0 && path != "" {
			out[path] = strings.Join(vals, ", ")
		}
	case nil:
	default:
		if path != "" {
			out[path] = scalar(t)
		}
	}
}

// scalar is a JSON string, number or boolean as text.
func scalar(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case json.Number:
		return t.String()
	case bool:
		return strconv.FormatBool(t)
	}
	return ""
}
