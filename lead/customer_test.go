package lead

import "testing"

func TestSplitOrder(t *testing.T) {
	o, err := SplitOrder(map[string]any{"amount": "99.90", "currency": "cny", "product": " Pro ", "seats": 3.0})
	if err != nil || o.Amount != "99.90" || o.Currency != "CNY" || o.Product != "Pro" || o.Custom["seats"] != 3.0 {
		t.Fatalf("%+v %v", o, err)
	}
	_, err = SplitOrder(map[string]any{"amount": "-1", "currency": "yuan"})
	if f, _ := FieldsOf(err); len(f) != 2 {
		t.Fatalf("bad order: %v", err)
	}
}
