package lead

import (
	"reflect"
	"testing"
)

func TestFieldDefClean(t *testing.T) {
	ok := []FieldDef{
		{Entity: EntityLead, Name: "intent", Type: FieldSelect, Options: []string{"high", "low"}},
		{Entity: EntityCustomer, Name: "visit_date", Label: "Visit date", Type: FieldDate},
		{Entity: EntityOrder, Name: "model", Type: FieldSelect, OptionList: OptionSources},
	}
	for _, d := range ok {
		if err := d.Clean(); err != nil {
			t.Errorf("%+v: %v", d, err)
		}
	}
	bad := map[string]FieldDef{
		"entity":      {Entity: "deal", Name: "x", Type: FieldText},
		"name":        {Entity: EntityLead, Name: "Bad Name", Type: FieldText},
		"type":        {Entity: EntityLead, Name: "x", Type: "money"},
		"options":     {Entity: EntityLead, Name: "x", Type: FieldText, Options: []string{"a"}},
		"option_list": {Entity: EntityLead, Name: "x", Type: FieldSelect, OptionList: "colours"},
	}
	for field, d := range bad {
		f, _ := FieldsOf(d.Clean())
		if len(f) == 0 || f[0].Field != field {
			t.Errorf("%+v: %+v, want an error on %s", d, f, field)
		}
	}
	d := FieldDef{Entity: EntityLead, Name: "x", Type: FieldSelect}
	if f, _ := FieldsOf(d.Clean()); len(f) != 1 || f[0].Field != "options" {
		t.Errorf("a select without options: %+v", f)
	}
}

func TestCheckLead(t *testing.T) {
	s := CustomSchema{
		Fields: []FieldDef{
			{Name: "budget", Type: FieldNumber, Required: true},
			{Name: "visit", Type: FieldDate},
			{Name: "intent", Type: FieldSelect, Options: []string{"high", "low"}},
			{Name: "products", Type: FieldMultiSelect, OptionList: "products"},
			{Name: "note", Type: FieldText},
		},
		Lists: map[string][]string{OptionSources: {"Website"}, OptionGroups: {"SME"}, "products": {"A", "B"}},
	}
	values := map[string]any{"budget": "1200.5", "visit": "2026-03-01", "intent": "high", "products": "A, B", "free": 1}
	channel, group := "website", "SME"
	if bad := s.CheckLead(values, &channel, &group, false); len(bad) != 0 || channel != "Website" {
		t.Fatalf("valid values: %+v, channel %q", bad, channel)
	}
	if values["budget"] != 1200.5 || !reflect.DeepEqual(values["products"], []string{"A", "B"}) {
		t.Fatalf("not normalised: %+v", values)
	}
	bad := s.CheckLead(map[string]any{"visit": "March", "intent": "maybe", "products": []any{"C"}}, ptr("Fax"), ptr("Huge"), false)
	var got []string
	for _, f := range bad {
		got = append(got, f.Field)
	}
	want := []string{"custom.budget", "custom.visit", "custom.intent", "custom.products", "channel", "group"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("errors on %v, want %v: %+v", got, want, bad)
	}
	// An edit checks only what it gives, but cannot clear a required field.
	if bad := s.CheckLead(map[string]any{"note": "hi"}, nil, nil, true); len(bad) != 0 {
		t.Fatalf("partial: %+v", bad)
	}
	if bad := s.CheckLead(map[string]any{"budget": nil}, nil, nil, true); len(bad) != 1 || bad[0].Field != "custom.budget" {
		t.Fatalf("clearing a required field: %+v", bad)
	}
	// An empty sources list does not limit the channel.
	s.Lists[OptionSources] = nil
	if bad := s.CheckLead(map[string]any{"budget": 1.0}, ptr("Fax"), nil, false); len(bad) != 0 {
		t.Fatalf("channel with no sources: %+v", bad)
	}
}

func ptr(s string) *string { return &s }
