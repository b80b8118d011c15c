// Package sheet reads and writes the spreadsheets of imports and exports:
// it reads lead sheets (CSV and XLSX) within bounded size and memory,
// suggests which column holds which lead field (English and Chinese
// headers), turns rows into lead.Input, and writes the sample sheet, the
// export files and the errors files with formula injection neutralised. It
// is pure: it reads and writes only the bytes and writers it is given.
package sheet

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// Format is a spreadsheet file format.
type Format string

// The formats leadflow reads and writes.
const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// ParseFormat reads a format name; the empty name is CSV.
func ParseFormat(s string) (Format, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "csv":
		return CSV, true
	case "xlsx":
		return XLSX, true
	}
	return "", false
}

// ContentType is the MIME type of files of the format.
func (f Format) ContentType() string {
	if f == XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Row is one data row of a sheet: its number as a spreadsheet shows it
// (the header is row 1 when it is the first line) and its cells, one per
// header (missing cells are empty).
type Row struct {
	Num   int      `json:"row"`
	Cells []string `json:"cells"`
}

// Table is a read spreadsheet: the header row and the data rows, without
// the rows that are entirely empty.
type Table struct {
	Format  Format
	Headers []string
	Rows    []Row
}

// DetectFormat tells the format of an uploaded file from its first bytes,
// then its name. Old binary .xls workbooks are refused with advice.
func DetectFormat(name string, data []byte) (Format, error) {
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case len(data) == 0:
		return "", invalidFile("is empty")
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return XLSX, nil
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return "", invalidFile("is an old Excel 97-2003 (.xls) workbook or an encrypted workbook; save it as .xlsx or CSV and upload it again")
	case ext == ".xlsx" || ext == ".xlsm":
		return "", invalidFile("is named %s but is not an XLSX workbook", ext)
	case ext == ".xls" || ext == ".ods" || ext == ".numbers" || ext == ".pdf" || ext == ".docx":
		return "", invalidFile("%s files are not supported; upload CSV or XLSX", ext)
	}
	if bytes.IndexByte(data[:min(len(data), 8192)], 0) >= 0 && !hasUTF16BOM(data) {
		return "", invalidFile("is not a CSV or XLSX file")
	}
	return CSV, nil
}

// Read reads an uploaded CSV or XLSX file.
func Read(name string, data []byte) (*Table, error) {
	if len(data) > MaxFileBytes {
		return nil, tooLarge("is larger than %d MB", MaxFileBytes>>20)
	}
	f, err := DetectFormat(name, data)
	if err != nil {
		return nil, err
	}
	var records func(yield func(num int, cells []string) error) error
	switch f {
	case XLSX:
		records, err = xlsxRecords(data)
	default:
		records, err = csvRecords(data)
	}
	if err != nil {
		return nil, err
	}
	s := &Table{Format: f}
	err = records(func(num int, cells []string) error {
		cells = trimCells(cells)
		if len(cells) == 0 {
			return nil // an empty row
		}
		if s.Headers == nil {
			if len(cells) > MaxColumns {
				return tooLarge("has %d columns; at most %d are allowed", len(cells), MaxColumns)
			}
			s.Headers = headers(cells)
			return nil
		}
		if len(s.Rows) == MaxRows {
			return tooLarge("has more than %d rows; split it into several files", MaxRows)
		}
		if len(cells) > MaxColumns {
			return tooLarge("row %d has %d columns; at most %d are allowed", num, len(cells), MaxColumns)
		}
		row := make([]string, len(s.Headers))
		copy(row, cells) // cells beyond the last header are ignored
		s.Rows = append(s.Rows, Row{Num: num, Cells: row})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if s.Headers == nil {
		return nil, invalidFile("has no header row: the first row must name the columns")
	}
	return s, nil
}

// trimCells trims every cell and drops the empty cells at the end.
func trimCells(cells []string) []string {
	for i, c := range cells {
		cells[i] = strings.TrimSpace(strings.ToValidUTF8(c, "\uFFFD"))
	}
	for len(cells) > 0 && cells[len(cells)-1] == "" {
		cells = cells[:len(cells)-1]
	}
	return cells
}

// headers makes the header row usable as mapping keys: every header named
// (an empty one is "Column C") and unique (a repeated one gets " (2)").
func headers(cells []string) []string {
	out := make([]string, len(cells))
	seen := map[string]bool{}
	for i, c := range cells {
		c = strings.Join(strings.Fields(c), " ")
		if utf8.RuneCountInString(c) > maxHeader {
			c = string([]rune(c)[:maxHeader])
		}
		if c == "" {
			c = "Column " + ColumnName(i)
		}
		base := c
		for n := 2; seen[strings.ToLower(c)]; n++ {
			c = fmt.Sprintf("%s (%d)", base, n)
		}
		seen[strings.ToLower(c)] = true
		out[i] = c
	}
	return out
}

// ColumnName is the spreadsheet name of the i-th column (0 → A, 26 → AA).
func ColumnName(i int) string {
	name := ""
	for i++; i > 0; i = (i - 1) / 26 {
		name = string(rune('A'+(i-1)%26)) + name
	}
	return name
}
