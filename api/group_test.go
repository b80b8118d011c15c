package api_test

import (
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// TestReportLeadGroup: a lead's group (from the groups option list) is a
// filter of the lead list, a field of the rules, a column of imports and a
// grouping of the funnel report.
func TestReportLeadGroup(t *testing.T) {
	s := apptest.NewStack(t)
	sme := s.CreateLead(`{"company":"Group Trading Ltd","phone":"13800138021","country":"CN","group":"sme"}`)
	if sme.Group != "SME" {
		t.Fatalf("group %q, want the list's spelling SME", sme.Group)
	}
	s.CreateLead(`{"company":"Group Enterprise Ltd","phone":"13800138022","country":"CN","group":"Enterprise"}`)
	s.CreateLead(`{"company":"Group None Ltd","phone":"13800138023","country":"CN"}`)

	// The list filter, in any case.
	var page struct{ Items []lead.Lead }
	s.Expect(s.Do("GET", "/api/v1/leads?group=Sme", s.Admin, ""), 200).JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0].ID != sme.ID {
		t.Fatalf("group=Sme lists %+v", page.Items)
	}

	// The rules see lead.group.
	var out struct {
		Rejected bool     `json:"rejected"`
		Reasons  []string `json:"reasons"`
	}
	rule := `"rules":{"rules":[{"name":"no_resellers","when":"lead.group == \"Reseller\"","message":"no resellers"}]}`
	s.Expect(s.Do("POST", "/api/v1/rules/validation/test", s.Admin,
		`{"lead":{"company":"Acme Trading","phone":"13800138000","country":"CN","group":"Reseller"},`+rule+`}`), 200).JSON(t, &out)
	if !out.Rejected || len(out.Reasons) != 1 || out.Reasons[0] != "no resellers" {
		t.Fatalf("rule on lead.group: %+v", out)
	}
	out.Rejected, out.Reasons = false, nil
	s.Expect(s.Do("POST", "/api/v1/rules/validation/test", s.Admin,
		`{"lead":{"company":"Acme Trading","phone":"13800138000","country":"CN","group":"SME"},`+rule+`}`), 200).JSON(t, &out)
	if out.Rejected {
		t.Fatalf("rule on lead.group rejected an SME: %+v", out)
	}

	// An import column "分组" (group) fills it; a group not on the list refuses the row.
	csv := "company,phone,country,分组\nImported Group Works,13800138024,CN,reseller\nImported Bad Group,13800138025,CN,Giants\n"
	im := s.ImportFile("groups.csv", []byte(csv), time.Minute)
	if im.Mapping["分组"] != "group" || im.Created != 1 || im.Rejected != 1 {
		t.Fatalf("import %+v", im)
	}
	s.Expect(s.Do("GET", "/api/v1/leads?group=reseller", s.Admin, ""), 200).JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0].Company != "Imported Group Works" || page.Items[0].Group != "Reseller" {
		t.Fatalf("imported lead %+v", page.Items)
	}

	// The funnel by group.
	var rep struct {
		GroupBy string            `json:"group_by"`
		Items   []store.FunnelRow `json:"items"`
	}
	s.Expect(s.Do("GET", "/api/v1/reports/funnel?group_by=group", s.Admin, ""), 200).JSON(t, &rep)
	got := map[string]int64{}
	for _, r := range rep.Items {
		got[r.Key] = r.Registered
	}
	if rep.GroupBy != "group" || len(got) != 4 || got["SME"] != 1 || got["Enterprise"] != 1 || got["Reseller"] != 1 || got[""] != 1 {
		t.Fatalf("funnel by group %+v", rep)
	}
	if p := s.Expect(s.Do("GET", "/api/v1/reports/funnel?group_by=team", s.Admin, ""), 422).Problem(t); !strings.Contains(p.Errors[0].Reason, "group") {
		t.Fatalf("bad group_by: %+v", p)
	}
}
