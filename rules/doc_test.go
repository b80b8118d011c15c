package rules

import (
	"reflect"
	"strings"
	"testing"
)

// TestEnvironmentIsDocumented keeps Environment in step with Env: every
// name a rule can use is documented, and every documented name exists.
func TestEnvironmentIsDocumented(t *testing.T) {
	documented := map[string]bool{}
	for _, s := range Environment {
		name, _, _ := strings.Cut(s.Name, "(")
		documented[name] = true
	}
	var names []string
	var walk func(prefix string, typ reflect.Type)
	walk = func(prefix string, typ reflect.Type) {
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			if f.Anonymous { // embedded: its fields are promoted
				walk(prefix, f.Type)
				continue
			}
			tag := f.Tag.Get("expr")
			if tag == "" {
				continue
			}
			if f.Type.Kind() == reflect.Struct && f.Type.Name() != "Time" && prefix == "" && tag != "facts" {
				walk(tag+".", f.Type)
				continue
			}
			if tag == "facts" {
				names = append(names, "facts.ip_companies")
				continue
			}
			names = append(names, prefix+tag)
		}
	}
	walk("", reflect.TypeOf(Env{}))
	for _, n := range names {
		if !documented[n] {
			t.Errorf("%s is usable in rules but not documented in Environment", n)
		}
		delete(documented, n)
	}
	for n := range documented {
		t.Errorf("%s is documented but not in Env", n)
	}
}
