package sheet

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/leadflow/leadflow/lead"
)

// ExportFields are the lead fields an export can contain, in their default
// order. A custom field is CustomPrefix followed by its name.
var ExportFields = []string{
	"id", "status", "stage", "company", "name", "phone", "phone_e164", "email", "country", "source", "channel",
	"profession", "address", "district", "division", "tags", "notes", "score", "pool_id", "owner_id",
	"merged_into", "reject_reasons", "customer_id", "custom", "created_at", "updated_at", "assigned_at", "last_follow_up_at",
	ConsentField,
}

// ConsentField is the export column of a lead's consent on each channel
// it has an address on (ConsentText).
const ConsentField = "consent"

// ConsentText is the consent column's cell: "email: ok; sms: unsubscribed
// 2026-12-01T08:00:00Z", the channels without an address left out.
func ConsentText(cs []lead.Consent) string {
	var parts []string
	for _, c := range cs {
		switch {
		case c.Address == "":
		case c.Suppressed && c.SuppressedAt != nil:
			parts = append(parts, c.Channel+": "+c.Reason+" "+c.SuppressedAt.UTC().Format(time.RFC3339))
		case c.Suppressed:
			parts = append(parts, c.Channel+": "+c.Reason)
		default:
			parts = append(parts, c.Channel+": ok")
		}
	}
	return strings.Join(parts, "; ")
}

// DefaultExportFields are exported when the caller names none. Their
// headers are the import's field names, so an export can be imported again.
var DefaultExportFields = []string{
	"id", "status", "stage", "company", "name", "phone", "email", "country", "channel", "profession",
	"address", "district", "division", "tags", "notes", "pool_id", "owner_id", "created_at",
}

// MaxExportFields bounds the columns of an export.
const MaxExportFields = 100

// CheckExportFields validates the chosen fields (each once) and returns
// them, or the defaults when none were chosen.
func CheckExportFields(fields []string) ([]string, error) {
	if len(fields) == 0 {
		return DefaultExportFields, nil
	}
	var bad lead.Fields
	if len(fields) > MaxExportFields {
		bad.Add("fields", fmt.Sprintf("has more than %d fields", MaxExportFields))
	}
	known := map[string]bool{}
	for _, f := range ExportFields {
		known[f] = true
	}
	seen := map[string]bool{}
	out := make([]string, 0, len(fields))
	for i, f := range fields {
		f = strings.TrimSpace(f)
		name, custom := strings.CutPrefix(f, CustomPrefix)
		switch {
		case custom && name == "":
			bad.Add(fmt.Sprintf("fields[%d]", i), "a custom field needs a name after "+CustomPrefix)
		case !custom && !known[f]:
			bad.Add(fmt.Sprintf("fields[%d]", i), fmt.Sprintf("%q is not a lead field; use one of %s, or %s<name>",
				f, strings.Join(ExportFields, ", "), CustomPrefix))
		case seen[f]:
			bad.Add(fmt.Sprintf("fields[%d]", i), fmt.Sprintf("%q is chosen twice", f))
		}
		seen[f] = true
		out = append(out, f)
	}
	if err := bad.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// ExportRow returns the values of the fields of one lead, as text: each
// field is the lead's JSON field of that name (see lead.Lead), times in
// UTC to the second, lists joined, custom fields under CustomPrefix.
func ExportRow(l lead.Lead, fields []string) []string {
	var m map[string]any
	b, _ := json.Marshal(l) // a lead is plain data and always marshals
	_ = json.Unmarshal(b, &m)
	out := make([]string, len(fields))
	for i, f := range fields {
		if name, ok := strings.CutPrefix(f, CustomPrefix); ok {
			out[i] = exportText(l.Custom[name], "")
			continue
		}
		out[i] = exportText(m[f], listSeparators[f])
		if t, err := time.Parse(time.RFC3339Nano, out[i]); err == nil && strings.HasSuffix(f, "_at") {
			out[i] = ""
			if !t.IsZero() {
				out[i] = t.UTC().Format(time.RFC3339)
			}
		}
	}
	return out
}

// listSeparators join the lists of an export's cells ("" : JSON).
var listSeparators = map[string]string{"tags": ", ", "reject_reasons": "; "}

// exportText is a JSON value as a cell: a string as it is, a number in
// JSON, a list joined by sep, anything else as JSON; "" for
// none (and for an empty custom object).
func exportText(v any, sep string) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []any:
		if sep != "" {
			parts := make([]string, len(x))
			for i, p := range x {
				parts[i] = exportText(p, "")
			}
			return strings.Join(parts, sep)
		}
	case map[string]any:
		if len(x) == 0 {
			return ""
		}
	}
	b, _ := json.Marshal(v) // a decoded JSON value always marshals
	return string(b)
}
