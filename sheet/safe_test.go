package sheet

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"testing"

	"github.com/xuri/excelize/v2"
)

// safeCases are values and what SafeCell makes of them.
var safeCases = []struct{ in, want string }{
	{"", ""},
	{"plain", "plain"},
	{"Acme = best", "Acme = best"},
	{"李雷", "李雷"},
	{"a@b.example", "a@b.example"},
	// Formulas, DDE and the like.
	{"=1+1", "'=1+1"},
	{`=HYPERLINK("http://evil.example","click")`, `'=HYPERLINK("http://evil.example","click")`},
	{`+1+HYPERLINK("http://evil.example")`, `'+1+HYPERLINK("http://evil.example")`},
	{"-1+cmd|' /C calc'!A0", "'-1+cmd|' /C calc'!A0"},
	{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
	{"@SUM(A1:A9)", "'@SUM(A1:A9)"},
	{"\t=1+1", "'\t=1+1"},
	{"\r=1+1", "'\r=1+1"},
	{"-", "'-"},
	{"+", "'+"},
	{"--", "'--"},
	{"-2+3+cmd", "'-2+3+cmd"},
	{"+86 138 0013 8000;=1", "'+86 138 0013 8000;=1"},
	{"+1 650\t253", "'+1 650\t253"},
	// Full-width forms.
	{"＝1+1", "'＝1+1"},
	{"＋1+HYPERLINK(\"x\")", "'＋1+HYPERLINK(\"x\")"},
	{"－1+cmd|' /C calc'!A0", "'－1+cmd|' /C calc'!A0"},
	{"＠SUM(A1)", "'＠SUM(A1)"},
	// Phone numbers and plain numbers stay.
	{"+86 138 0013 8000", "+86 138 0013 8000"},
	{"+8613800138000", "+8613800138000"},
	{"+1 (650) 253-0000", "+1 (650) 253-0000"},
	{"+44.20.7946.0958", "+44.20.7946.0958"},
	{"-5", "-5"},
	{"-0.25", "-0.25"},
	{"+()-", "'+()-"}, // no digit: not a phone
	{"+1", "'+1"},     // too short for a phone, not a plain number
	{"+12345678901234567890123456789012345678901", "'+12345678901234567890123456789012345678901"}, // too long
}

func TestSafeCell(t *testing.T) {
	for _, c := range safeCases {
		if got := SafeCell(c.in); got != c.want {
			t.Errorf("SafeCell(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// writeAll writes a sheet whose header and one column hold every case.
func writeAll(t *testing.T, f Format) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(f, &buf, "Leads", []string{"=evil()", "value"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range safeCases {
		if err := w.Write([]string{"x", c.in}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// checkColumn compares what a writer wrote, header first, with the cases.
func checkColumn(t *testing.T, f Format, header string, got []string) {
	t.Helper()
	if header != "'=evil()" {
		t.Errorf("%s header %q is not neutralised", f, header)
	}
	want := make([]string, len(safeCases))
	for i, c := range safeCases {
		want[i] = c.want
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s cells\n got %q\nwant %q", f, got, want)
	}
}

func TestCSVWriterNeutralisesFormulas(t *testing.T) {
	data := writeAll(t, CSV)
	if !bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
		t.Fatal("no byte order mark")
	}
	recs, err := csv.NewReader(bytes.NewReader(data[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs[1:] {
		got = append(got, r[1])
	}
	checkColumn(t, CSV, recs[0][0], got)
}

func TestXLSXWriterNeutralisesFormulas(t *testing.T) {
	data := writeAll(t, XLSX)
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Leads", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, r := range rows[1:] {
		v := ""
		if len(r) > 1 {
			v = r[1]
		}
		got = append(got, v)
		// No cell of the workbook is a formula.
		cell, _ := excelize.CoordinatesToCellName(2, i+2)
		if fx, err := f.GetCellFormula("Leads", cell); err != nil || fx != "" {
			t.Errorf("%s holds formula %q (%v)", cell, fx, err)
		}
	}
	checkColumn(t, XLSX, rows[0][0], got)
}
