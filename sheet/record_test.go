package sheet

import (
	"testing"

	"github.com/leadflow/leadflow/lead"
)

func TestFlattenJSONAndRecordInput(t *testing.T) {
	rec, err := FlattenJSON([]byte(`{"contact":{"org":"Acme","phones":["13800138000","13900139000"]},"Email":"a@acme.example",
		"age":42,"vip":true,"none":null,"items":[{"sku":"x"}],"phone_number":"ignored: phone is mapped"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"contact.org": "Acme", "contact.phones": "13800138000, 13900139000", "Email": "a@acme.example",
		"age": "42", "vip": "true", "items.0.sku": "x", "phone_number": "ignored: phone is mapped"}
	if len(rec) != len(want) {
		t.Fatalf("flattened %v", rec)
	}
	for k, v := range want {
		if rec[k] != v {
			t.Errorf("%s = %q, want %q", k, rec[k], v)
		}
	}
	rec["contact.phones"] = "13800138000"
	in, err := RecordInput(rec, Mapping{"contact.org": "company", "contact.phones": "phone", "age": "custom.age"})
	if err != nil {
		t.Fatal(err)
	}
	if in.Company != "Acme" || in.Phone != "13800138000" || in.Email != "a@acme.example" || in.Custom["age"] != "42" || in.Notes != "" {
		t.Fatalf("mapped %+v", in)
	}
	if _, err := RecordInput(map[string]string{"org": "Acme"}, Mapping{"org": "company"}); lead.ErrorCode(err) != lead.CodeInvalid {
		t.Fatalf("a record without a phone: %v", err)
	}
	if _, err := CheckTargets(Mapping{"a": "company", "b": "company", "c": "nope"}); err == nil {
		t.Fatal("CheckTargets took a field twice and an unknown one")
	} else if f, _ := lead.FieldsOf(err); len(f) != 2 {
		t.Fatalf("CheckTargets: %v", err)
	}
	if m, err := CheckTargets(Mapping{}); err != nil || len(m) != 0 {
		t.Fatalf("an empty mapping: %v %v", m, err)
	}
}
