package lead

import "testing"

func TestMaskContact(t *testing.T) {
	for in, want := range map[string]string{
		"":                  "",
		"13800138000":       "138****8000",
		"+8613800138000":    "+861******8000",
		"+86 138 0013 8000": "+86 1** **** 8000",
		"5551234":           "***1234",
		"1234":              "1234",
		"zhao@example.com":  "zh***@example.com",
		"z@example.com":     "z***@example.com",
	} {
		if got := MaskContact(in); got != want {
			t.Errorf("MaskContact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMasksContactsOnlyRepsOfUnclaimedLeads(t *testing.T) {
	masking := &Policy{MaskContacts: true}
	rep := User{ID: "r", Role: RoleRep}
	l := Lead{Status: StatusPooled, Policy: masking, Contact: Contact{Phone: "13800138000"}}
	if !rep.MasksContacts(l) || Redact(rep, l).Phone != "138****8000" {
		t.Fatal("a rep reads a pooled lead of a masking pool unmasked")
	}
	for _, u := range []User{{ID: "m", Role: RoleManager}, {ID: "a", Role: RoleAdmin}} {
		if u.MasksContacts(l) {
			t.Fatalf("%s sees masked contacts", u.Role)
		}
	}
	own := l
	own.OwnerID, own.Status = "r", StatusAssigned
	if rep.MasksContacts(own) {
		t.Fatal("the rep's own lead is masked")
	}
	if open := (Lead{Status: StatusPooled, Policy: &Policy{}}); rep.MasksContacts(open) {
		t.Fatal("a pool without mask_contacts masks")
	}
	e := Event{Type: EventEdited, Data: map[string]any{"phone": map[string]any{"from": "13800138000", "to": "13900139000"}, "notes": map[string]any{"to": "13800138000"}}}
	got := RedactEvent(rep, l, e)
	if got.Data["phone"].(map[string]any)["to"] != "139****9000" || got.Data["notes"].(map[string]any)["to"] != "13800138000" {
		t.Fatalf("RedactEvent: %+v", got.Data)
	}
	if e.Data["phone"].(map[string]any)["to"] != "13900139000" {
		t.Fatal("RedactEvent changed the event it was given")
	}
}
