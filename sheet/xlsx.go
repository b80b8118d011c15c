package sheet

import (
	"bytes"
	"errors"
	"strings"

	"github.com/xuri/excelize/v2"
)

// xlsxLimits bound what a workbook may unpack to (a zip bomb is refused).
var xlsxLimits = excelize.Options{UnzipSizeLimit: 512 << 20, UnzipXMLSizeLimit: 64 << 20}

// xlsxRecords returns an iterator over the rows of the workbook's active
// sheet (or of its first sheet with data when the active one is empty),
// with the cell values as the spreadsheet displays them: a phone number
// stored as a number reads "13800138000", not "1.38E+10".
func xlsxRecords(data []byte) (func(func(int, []string) error) error, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), xlsxLimits)
	if err != nil {
		switch {
		case errors.Is(err, excelize.ErrWorkbookFileFormat):
			return nil, invalidFile("is not a readable XLSX workbook")
		case errors.Is(err, excelize.ErrWorkbookPassword):
			return nil, invalidFile("is a password-protected workbook; remove the password and upload it again")
		case strings.HasPrefix(err.Error(), "unzip size exceeds"):
			return nil, invalidFile("unpacks to more than %d MB", xlsxLimits.UnzipSizeLimit>>20)
		}
		return nil, invalidFile("is not a readable XLSX workbook: %v", err)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		_ = f.Close()
		return nil, invalidFile("has no worksheet")
	}
	order := sheets
	if i := f.GetActiveSheetIndex(); i > 0 && i < len(sheets) {
		order = append([]string{sheets[i]}, append(append([]string{}, sheets[:i]...), sheets[i+1:]...)...)
	}
	return func(yield func(int, []string) error) error {
		defer f.Close()
		for _, name := range order {
			found, err := sheetRecords(f, name, yield)
			if err != nil || found {
				return err
			}
		}
		return nil
	}, nil
}

// sheetRecords yields the rows of one sheet and reports whether it had any
// non-empty row.
func sheetRecords(f *excelize.File, sheet string, yield func(int, []string) error) (bool, error) {
	rows, err := f.Rows(sheet)
	if err != nil {
		return false, invalidFile("sheet %q cannot be read: %v", sheet, err)
	}
	defer rows.Close()
	found := false
	for num := 1; rows.Next(); num++ {
		cells, err := rows.Columns()
		if err != nil {
			return found, invalidFile("sheet %q row %d cannot be read: %v", sheet, num, err)
		}
		if len(trimCells(cells)) == 0 {
			continue
		}
		found = true
		if err := yield(num, cells); err != nil {
			return found, err
		}
	}
	if err := rows.Error(); err != nil {
		return found, invalidFile("sheet %q cannot be read: %v", sheet, err)
	}
	return found, nil
}
