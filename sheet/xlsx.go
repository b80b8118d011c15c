package sheet

import (
	"bytes"
	"errors"
	"strings"

	"github.com/xuri/excelize/v2"
)

// xlsxOptions are excelize's own bounds: what the parts may unpack to
// by their declared sizes, and the largest part kept in memory (a larger
// worksheet is unpacked to a temporary file and streamed). checkZip has
// checked the sizes before, declared and real.
func xlsxOptions() excelize.Options {
	return excelize.Options{UnzipSizeLimit: limits.unzipBytes, UnzipXMLSizeLimit: min(xlsxXMLInMemory, limits.unzipBytes)}
}

// xlsxRecords returns an iterator over the rows of the workbook's active
// sheet (or of its first sheet with data when the active one is empty),
// with the cell values as the spreadsheet displays them: a phone number
// stored as a number reads "13800138000", not "1.38E+10". The workbook is
// checked against the limits (checkZip) before excelize opens it.
func xlsxRecords(data []byte) (func(func(int, []string) error) error, error) {
	if err := checkZip(data); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), xlsxOptions())
	if err != nil {
		switch {
		case errors.Is(err, excelize.ErrWorkbookFileFormat):
			return nil, invalidFile("is not a readable XLSX workbook")
		case errors.Is(err, excelize.ErrWorkbookPassword):
			return nil, invalidFile("is a password-protected workbook; remove the password and upload it again")
		case strings.HasPrefix(err.Error(), "unzip size exceeds"):
			return nil, tooLarge("unpacks to more than %s", mb(limits.unzipBytes))
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
