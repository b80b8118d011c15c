package sheet

import (
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/lead"
)

func TestExportRow(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 890, time.FixedZone("CST", 8*3600))
	l := lead.Lead{ID: "L1", Status: lead.StatusAssigned, Stage: "New", Contact: lead.Contact{Company: "Acme", Name: "Li", Phone: "138",
		Country: "CN", Channel: "fair", Profession: "buyer", Address: "1 Road", District: "Pudong", Division: "East"},
		Source: "api", Notes: "n", Tags: []string{"a", "b"}, Score: 7, PoolID: "P", OwnerID: "O", RejectReasons: []string{"x", "y"},
		Custom: map[string]any{"size": 12.5, "tier": "gold", "ok": true}, CreatedAt: at, AssignedAt: &at}
	fields := append(append([]string{}, ExportFields...), CustomPrefix+"size", CustomPrefix+"tier", CustomPrefix+"ok", CustomPrefix+"none")
	got := map[string]string{}
	for i, v := range ExportRow(l, fields) {
		got[fields[i]] = v
	}
	for f, want := range map[string]string{
		"id": "L1", "status": "assigned", "company": "Acme", "division": "East", "tags": "a, b", "score": "7",
		"reject_reasons": "x; y", "created_at": "2026-03-03T21:06:07Z", "assigned_at": "2026-03-03T21:06:07Z",
		"updated_at": "", "last_follow_up_at": "", "merged_into": "", "email": "",
		CustomPrefix + "size": "12.5", CustomPrefix + "tier": "gold", CustomPrefix + "ok": "true", CustomPrefix + "none": "",
	} {
		if got[f] != want {
			t.Errorf("%s = %q, want %q", f, got[f], want)
		}
	}
	if !strings.Contains(got["custom"], `"tier":"gold"`) {
		t.Errorf("custom = %q", got["custom"])
	}
}
