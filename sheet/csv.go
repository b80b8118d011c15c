package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// hasUTF16BOM reports a UTF-16 byte order mark, which Excel writes for
// "Unicode text" files.
func hasUTF16BOM(b []byte) bool {
	return bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF})
}

// decodeText returns the text of a CSV file as UTF-8. It understands a
// UTF-8 or UTF-16 byte order mark; text that is not valid UTF-8 is read as
// GB18030 (what Excel writes for CSV on a Chinese system, a superset of GBK).
func decodeText(data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")):
		return data[3:], nil
	case hasUTF16BOM(data):
		out, _, err := transform.Bytes(unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder(), data)
		if err != nil {
			return nil, invalidFile("is not valid UTF-16 text")
		}
		return out, nil
	case utf8.Valid(data):
		return data, nil
	}
	out, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), data)
	if err != nil {
		return nil, invalidFile("is neither UTF-8 nor GB18030 text; save it as CSV UTF-8")
	}
	return out, nil
}

// sniffDelimiter picks the delimiter of the first line: comma, semicolon
// (Excel in many European locales), tab or pipe, whichever is most frequent
// outside quotes.
func sniffDelimiter(text []byte) rune {
	counts := map[rune]int{}
	inQuotes := false
	for _, r := range string(text[:min(len(text), 64<<10)]) {
		if r == '"' {
			inQuotes = !inQuotes
			continue
		}
		if inQuotes {
			continue
		}
		if r == '\n' {
			break
		}
		counts[r]++
	}
	best, n := ',', 0
	for _, d := range []rune{',', ';', '\t', '|'} {
		if counts[d] > n {
			best, n = d, counts[d]
		}
	}
	return best
}

// csvRecords returns an iterator over the records of a CSV file. Record
// numbers count records, so a record with a line break inside quotes is
// still one row.
func csvRecords(data []byte) (func(func(int, []string) error) error, error) {
	text, err := decodeText(data)
	if err != nil {
		return nil, err
	}
	return func(yield func(int, []string) error) error {
		r := csv.NewReader(bytes.NewReader(text))
		r.Comma = sniffDelimiter(text)
		r.FieldsPerRecord = -1
		r.LazyQuotes = true
		r.ReuseRecord = false
		// Rows are numbered as a spreadsheet shows the file: blank lines
		// count, a quoted value spanning lines does not.
		num, line, off := 0, 1, int64(0)
		for {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					return invalidFile("is not valid CSV at line %d: %v", pe.StartLine, pe.Err)
				}
				return invalidFile("cannot be read as CSV: %v", err)
			}
			start, _ := r.FieldPos(0)
			num += 1 + max(start-line, 0)
			next := r.InputOffset()
			line += bytes.Count(text[off:next], []byte{'\n'})
			off = next
			if err := yield(num, rec); err != nil {
				return err
			}
		}
	}, nil
}
