package sheet

import (
	"encoding/json"
	"fmt"
	"strconv"
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

// ExportRow returns the values of the fields of one lead, as text.
func ExportRow(l lead.Lead, fields []string) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = exportValue(l, f)
	}
	return out
}

func exportValue(l lead.Lead, f string) string {
	ts := func(t *time.Time) string {
		if t == nil || t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	switch f {
	case "id":
		return l.ID
	case "status":
		return string(l.Status)
	case "stage":
		return l.Stage
	case "company":
		return l.Company
	case "name":
		return l.Name
	case "phone":
		return l.Phone
	case "phone_e164":
		return l.PhoneE164
	case "email":
		return l.Email
	case "country":
		return l.Country
	case "source":
		return l.Source
	case "channel":
		return l.Channel
	case "profession":
		return l.Profession
	case "address":
		return l.Address
	case "district":
		return l.District
	case "division":
		return l.Division
	case "tags":
		return strings.Join(l.Tags, ", ")
	case "notes":
		return l.Notes
	case "score":
		return strconv.Itoa(l.Score)
	case "pool_id":
		return l.PoolID
	case "owner_id":
		return l.OwnerID
	case "merged_into":
		return l.MergedInto
	case "reject_reasons":
		return strings.Join(l.RejectReasons, "; ")
	case "customer_id":
		return l.CustomerID
	case "custom":
		if len(l.Custom) == 0 {
			return ""
		}
		b, _ := json.Marshal(l.Custom) // custom fields are JSON values and always marshal
		return string(b)
	case "created_at":
		return ts(&l.CreatedAt)
	case "updated_at":
		return ts(&l.UpdatedAt)
	case "assigned_at":
		return ts(l.AssignedAt)
	case "last_follow_up_at":
		return ts(l.LastFollowUpAt)
	}
	if name, ok := strings.CutPrefix(f, CustomPrefix); ok {
		switch v := l.Custom[name].(type) {
		case nil:
			return ""
		case string:
			return v
		default:
			b, _ := json.Marshal(v)
			return string(b)
		}
	}
	return ""
}
