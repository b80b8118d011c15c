package sheet

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Writer writes rows of text to a CSV or XLSX file.
type Writer interface {
	// Write adds a row.
	Write(cells []string) error
	// Close finishes the file; nothing is complete before it.
	Close() error
}

// NewWriter returns a writer of the format whose first row is header.
// Every cell, header included, is written through SafeCell.
// CSV gets a UTF-8 byte order mark so that Excel shows non-ASCII text
// correctly; XLSX gets one sheet with a bold, frozen header row.
func NewWriter(f Format, w io.Writer, sheet string, header []string) (Writer, error) {
	switch f {
	case CSV:
		if _, err := io.WriteString(w, "\xEF\xBB\xBF"); err != nil {
			return nil, err
		}
		cw := &csvWriter{w: csv.NewWriter(w)}
		return cw, cw.Write(header)
	case XLSX:
		return newXLSXWriter(w, sheet, header)
	}
	return nil, fmt.Errorf("sheet: unknown format %q", f)
}

type csvWriter struct{ w *csv.Writer }

func (c *csvWriter) Write(cells []string) error { return c.w.Write(safeCells(cells)) }

func (c *csvWriter) Close() error {
	c.w.Flush()
	return c.w.Error()
}

type xlsxWriter struct {
	out  io.Writer
	f    *excelize.File
	sw   *excelize.StreamWriter
	next int
	row  []any
}

func newXLSXWriter(out io.Writer, sheet string, header []string) (*xlsxWriter, error) {
	f := excelize.NewFile()
	if sheet == "" {
		sheet = "Sheet1"
	}
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	for i, h := range header {
		if err := sw.SetColWidth(i+1, i+1, float64(min(max(len(h)+4, 12), 40))); err != nil {
			return nil, err
		}
	}
	x := &xlsxWriter{out: out, f: f, sw: sw, next: 1}
	cells := make([]any, len(header))
	for i, h := range header {
		cells[i] = excelize.Cell{StyleID: bold, Value: SafeCell(h)}
	}
	return x, x.setRow(cells)
}

func (x *xlsxWriter) setRow(cells []any) error {
	addr, err := excelize.CoordinatesToCellName(1, x.next)
	if err != nil {
		return err
	}
	x.next++
	return x.sw.SetRow(addr, cells)
}

// Write stores every cell as text, so that a phone number or an id is
// never turned into a number; SafeCell keeps a formula-like value from
// becoming a formula when the sheet is edited or saved as CSV.
func (x *xlsxWriter) Write(cells []string) error {
	if cap(x.row) < len(cells) {
		x.row = make([]any, len(cells))
	}
	row := x.row[:len(cells)]
	for i, v := range cells {
		row[i] = SafeCell(v)
	}
	return x.setRow(row)
}

func (x *xlsxWriter) Close() error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	return x.f.Write(x.out)
}

// templateRows are the example rows of the sample sheet, by field name.
var templateRows = []map[string]string{
	{"company": "Acme Trading Co., Ltd.", "name": "Li Lei", "phone": "+86 138 0013 8000", "email": "li.lei@acme.example",
		"country": "CN", "channel": "Website", "group": "SME", "profession": "Purchasing manager", "address": "88 Century Avenue, Pudong",
		"district": "Pudong", "division": "Shanghai", "tags": "expo, vip", "notes": "Met at the Canton Fair; wants a quote"},
	{"company": "Bright Star Imports", "name": "Jane Doe", "phone": "+1 650 253 0000", "email": "jane@brightstar.example",
		"country": "US", "channel": "Referral", "group": "Reseller", "profession": "Owner", "address": "1600 Amphitheatre Parkway",
		"district": "Santa Clara", "division": "California", "tags": "distributor", "notes": ""},
}

// Template returns the sample sheet in the format: one column per field of
// Fields, headed by its name, with two example rows. Imported unchanged it
// creates those two leads.
func Template(f Format) ([]byte, error) {
	header := make([]string, len(Fields))
	for i, fd := range Fields {
		header[i] = fd.Name
	}
	var buf bytes.Buffer
	w, err := NewWriter(f, &buf, "Leads", header)
	if err != nil {
		return nil, err
	}
	for _, r := range templateRows {
		row := make([]string, len(header))
		for i, h := range header {
			row[i] = r[h]
		}
		if err := w.Write(row); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// FileName is the name a download of the format gets: base plus extension.
func FileName(base string, f Format) string {
	return strings.TrimSuffix(base, "."+string(f)) + "." + string(f)
}
