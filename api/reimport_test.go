package api_test

import (
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestReimportWithAnotherMatching (issue 25, bug 5): the stored matching is
// the one sent, and importing the same file again with another matching
// takes in the rows the first import got rejected (their ids derive from
// the matching too), while a row it created is not imported twice.
func TestReimportWithAnotherMatching(t *testing.T) {
	s := apptest.NewStack(t)
	file := []byte("company,phone,country,mobile\n" +
		"Wrong Column Trading,123,CN,13800138701\n" + // row 2: the phone column is wrong
		"Second Wrong Co,456,CN,13800138702\n" + // row 3
		"Right Both Ways Co,13800138703,CN,13800138703\n") // row 4: valid either way
	wrong := `{"company":"company","phone":"phone","country":"country","mobile":"ignore"}`
	first := s.ImportFile("leads.csv", file, time.Minute, "mapping", wrong)
	if first.Created != 1 || first.Rejected != 2 || first.Mapping["mobile"] != "ignore" || first.Mapping["phone"] != "phone" {
		t.Fatalf("first import: %+v", first)
	}
	// The same file and matching again: nothing new.
	again := s.ImportFile("leads.csv", file, time.Minute, "mapping", wrong)
	if again.AlreadyImported != 3 || again.Created != 0 {
		t.Fatalf("the same import again: %+v", again)
	}
	right := `{"company":"company","phone":"ignore","country":"country","mobile":"phone"}`
	second := s.ImportFile("leads.csv", file, time.Minute, "mapping", right)
	if second.Mapping["mobile"] != "phone" || second.Mapping["phone"] != "ignore" {
		t.Fatalf("stored matching %v, want the one sent", second.Mapping)
	}
	if second.Created != 2 || second.AlreadyImported != 1 || second.Rejected != 0 || second.Failed != 0 {
		t.Fatalf("re-import with the right matching: %+v", second)
	}
	var page struct {
		Items []lead.Lead `json:"items"`
	}
	s.Expect(s.Do("GET", "/api/v1/leads?company=Right+Both+Ways&limit=10", s.Admin, ""), 200).JSON(t, &page)
	if len(page.Items) != 1 {
		t.Fatalf("the row created first is imported twice: %+v", page.Items)
	}
	s.Expect(s.Do("GET", "/api/v1/leads?company=Wrong+Column&status=pooled&limit=10", s.Admin, ""), 200).JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0].PhoneE164 != "+8613800138701" {
		t.Fatalf("the row rejected first, re-imported: %+v", page.Items)
	}
}
