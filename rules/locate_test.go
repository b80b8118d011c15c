package rules

import (
	"strings"
	"testing"
)

// TestLocate places compile errors in the document an editor shows: an
// expression's error at its character inside the JSON string (escapes
// and multi-line expressions included), another field's at its value, a
// syntax error where the decoder stopped.
func TestLocate(t *testing.T) {
	doc := `{
  "rules": [
    {
      "name": "ok",
      "when": "lead.country == \"CN\"",
      "message": "m"
    },
    {
      "name": "bad",
      "when": "lead.country == \"CN\" &&\n  lead.nope",
      "message": "m"
    },
    {
      "name": "ünï",
      "when": "len(\"日本\") > lead.missing",
      "message": "m"
    }
  ]
}`
	_, err := Compile(KindValidation, 0, []byte(doc))
	ce, ok := err.(CompileErrors)
	if !ok || len(ce) != 2 {
		t.Fatalf("compile errors: %v", err)
	}
	cases := []struct {
		e         CompileError
		line, col int
	}{
		// rules[1].when: "nope" is on the expression's line 2, column 8.
		{ce[0], 10, strings.Index(`      "when": "lead.country == \"CN\" &&\n  lead.nope",`, "nope") + 1},
		// rules[2].when: "missing", after two escaped quotes and two CJK characters (3 bytes each).
		{ce[1], 15, strings.Index(`      "when": "len(\"日本\") > lead.missing",`, "missing") - 4 + 1},
		{CompileError{Field: "rules[1].name", Line: 1, Column: 1}, 9, 16},
		{CompileError{Field: "rules[0].pool_id", Line: 1, Column: 1}, 3, 5}, // absent: its rule
		{CompileError{Field: "default_pool_id", Line: 1, Column: 1}, 1, 1},  // absent: the document
		{CompileError{Field: "body", Line: 4, Column: 2}, 4, 2},
	}
	for i, c := range cases {
		line, col, _ := Locate([]byte(doc), c.e)
		if line != c.line || col != c.col {
			t.Errorf("case %d (%s %d:%d %s): at %d:%d, want %d:%d", i, c.e.Field, c.e.Line, c.e.Column, c.e.Message, line, col, c.line, c.col)
		}
	}
	if ce[0].Line != 2 || ce[0].Column != 8 {
		t.Errorf("the expression's own position: %d:%d", ce[0].Line, ce[0].Column)
	}
}

func TestBodyErrorPositions(t *testing.T) {
	for _, c := range []struct {
		doc       string
		line, col int
		want      string
	}{
		{"{\n  \"rules\": [\n    {\"name\": \"a\",, }\n  ]\n}", 3, 18, "invalid character"},
		{"{\n  \"rules\": [\n    {\"name\": \"a\", \"points\": \"ten\"}\n  ]\n}", 3, 33, "cannot unmarshal"},
		{"{\n  \"rules\": [],\n  \"pools\": 1\n}", 3, 3, `unknown field "pools"`},
		{"{\n  \"rules\": [\n", 2, 13, "unexpected EOF"},
	} {
		_, err := Compile(KindScoring, 0, []byte(c.doc))
		ce, ok := err.(CompileErrors)
		if !ok || len(ce) != 1 || ce[0].Field != "body" || !strings.Contains(ce[0].Message, c.want) {
			t.Errorf("%q: %v", c.doc, err)
			continue
		}
		if ce[0].Line != c.line || ce[0].Column != c.col {
			t.Errorf("%q: at %d:%d, want %d:%d (%s)", c.doc, ce[0].Line, ce[0].Column, c.line, c.col, ce[0].Message)
		}
	}
}
