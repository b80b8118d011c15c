package sheet

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/leadflow/leadflow/lead"
)

// Limits on an uploaded sheet. A file over one of them is refused with an
// *Error of kind TooLarge, before it costs more than a bounded amount of
// memory and CPU: an XLSX is a zip of XML files, and a small one can
// unpack to gigabytes (a zip bomb).
const (
	MaxFileBytes = 20 << 20 // the largest file accepted
	MaxRows      = 100_000  // the most data rows accepted
	MaxColumns   = 200      // the most columns accepted, in the header and in any row

	// MaxUnzipBytes bounds what all the parts of an XLSX unpack to,
	// by their declared sizes and by the bytes actually unpacked.
	MaxUnzipBytes = 128 << 20
	// MaxSharedStrings bounds the distinct strings of an XLSX (the
	// <si> items of xl/sharedStrings.xml, which is read whole).
	MaxSharedStrings = 1_000_000
	// MaxSharedStringBytes bounds the size of xl/sharedStrings.xml
	// unpacked, and so the text of its strings.
	MaxSharedStringBytes = 32 << 20
	// MaxZipEntries bounds the parts of an XLSX (a workbook has a few
	// dozen at most).
	MaxZipEntries = 1000

	maxHeader = 100 // characters of a header kept
	// xlsxXMLInMemory is the largest part excelize keeps in memory; a
	// larger worksheet is unpacked to a temporary file and streamed.
	xlsxXMLInMemory = 16 << 20
)

// limits are the limits in force; tests lower them.
var limits = struct {
	unzipBytes, sharedStrings, sharedStringBytes, zipEntries int64
}{MaxUnzipBytes, MaxSharedStrings, MaxSharedStringBytes, MaxZipEntries}

// ErrorKind tells why a file cannot be read.
type ErrorKind string

// The kinds of Error.
const (
	TooLarge  ErrorKind = "too_large" // over a limit: size, unpacked size, strings, rows or columns
	Malformed ErrorKind = "malformed" // not a readable CSV or XLSX file
)

// Error is why an uploaded file cannot be read. Reason completes the
// sentence "file ...". It unwraps to a lead.Invalid error naming the field
// file, so a caller that does not tell the kinds apart answers 422.
type Error struct {
	Kind   ErrorKind
	Reason string
}

func (e *Error) Error() string { return "file " + e.Reason }

// Unwrap returns the error as a lead.Invalid error for the field file.
func (e *Error) Unwrap() error {
	return lead.Invalid(lead.FieldError{Field: "file", Reason: e.Reason})
}

// invalidFile is the error of a file that is not a readable sheet.
func invalidFile(format string, args ...any) error {
	return &Error{Kind: Malformed, Reason: fmt.Sprintf(format, args...)}
}

// tooLarge is the error of a file over a limit.
func tooLarge(format string, args ...any) error {
	return &Error{Kind: TooLarge, Reason: fmt.Sprintf(format, args...)}
}

// mb writes a size limit in megabytes (in kilobytes below 1 MB).
func mb(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d MB", n>>20)
}

// checkZip inspects an XLSX before excelize opens it: the number of
// parts, their declared sizes, then the bytes each part really unpacks to,
// read through a limited reader (declared sizes can lie), and the count
// and size of the shared strings. Unpacked bytes are counted and thrown
// away, so the check holds little memory whatever the file unpacks to.
func checkZip(data []byte) error {
	if n, ok := zipEntries(data); ok && n > limits.zipEntries {
		return tooLarge("is a workbook of %d parts; at most %d are allowed", n, limits.zipEntries)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return invalidFile("is not a readable XLSX workbook")
	}
	if int64(len(zr.File)) > limits.zipEntries {
		return tooLarge("is a workbook of %d parts; at most %d are allowed", len(zr.File), limits.zipEntries)
	}
	var declared uint64
	for _, f := range zr.File {
		declared += f.UncompressedSize64
		if f.UncompressedSize64 > uint64(limits.unzipBytes) || declared > uint64(limits.unzipBytes) {
			return tooLarge("unpacks to more than %s", mb(limits.unzipBytes))
		}
		if isSharedStrings(f.Name) && f.UncompressedSize64 > uint64(limits.sharedStringBytes) {
			return tooLarge("has shared strings of more than %s", mb(limits.sharedStringBytes))
		}
	}
	budget := limits.unzipBytes
	for _, f := range zr.File {
		n, err := unpackedSize(f, budget)
		if err != nil {
			return err
		}
		budget -= n
	}
	return nil
}

// unpackedSize unpacks one part, counting its bytes, and refuses it when
// it unpacks to more than budget or, for the shared strings, when they are
// too many or too large.
func unpackedSize(f *zip.File, budget int64) (int64, error) {
	if f.FileInfo().IsDir() {
		return 0, nil
	}
	rc, err := f.Open()
	if err != nil {
		return 0, invalidFile("is a damaged XLSX workbook: part %s cannot be unpacked", f.Name)
	}
	defer rc.Close()
	errBudget := tooLarge("unpacks to more than %s", mb(limits.unzipBytes))
	if isSharedStrings(f.Name) && limits.sharedStringBytes < budget {
		budget = limits.sharedStringBytes
		errBudget = tooLarge("has shared strings of more than %s", mb(limits.sharedStringBytes))
	}
	lr := &limitedReader{r: rc, left: budget, err: errBudget}
	if isSharedStrings(f.Name) {
		err = countSharedStrings(lr)
	} else {
		_, err = io.Copy(io.Discard, lr)
	}
	var se *Error
	switch {
	case errors.As(err, &se):
		return 0, err
	case err != nil:
		return 0, invalidFile("is a damaged XLSX workbook: part %s cannot be read", f.Name)
	}
	return budget - lr.left, nil
}

// countSharedStrings reads xl/sharedStrings.xml as a stream of tokens and
// refuses more than the allowed number of strings. It is lenient (unknown
// entities, any declared charset): it counts, excelize reads.
func countSharedStrings(r io.Reader) error {
	d := xml.NewDecoder(r)
	d.Strict = false
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	var n int64
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if el, ok := tok.(xml.StartElement); ok && el.Name.Local == "si" {
			if n++; n > limits.sharedStrings {
				return tooLarge("has more than %d distinct strings", limits.sharedStrings)
			}
		}
	}
}

func isSharedStrings(name string) bool {
	return strings.EqualFold(strings.ReplaceAll(name, "\\", "/"), "xl/sharedStrings.xml")
}

// limitedReader reads at most left bytes from r and fails with err when
// there are more.
type limitedReader struct {
	r    io.Reader
	left int64
	err  error
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, l.err
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n, l.err
	}
	return n, err
}

// zipEntries reads the number of parts from the end of central directory
// record, before the zip reader allocates one record per part.
func zipEntries(data []byte) (int64, bool) {
	const eocdLen = 22
	from := max(0, len(data)-eocdLen-0xFFFF)
	i := bytes.LastIndex(data[from:], []byte("PK\x05\x06"))
	if i < 0 || from+i+eocdLen > len(data) {
		return 0, false
	}
	n := binary.LittleEndian.Uint16(data[from+i+10:])
	if n == 0xFFFF { // ZIP64: the count is elsewhere; the zip reader's count is checked
		return 0, false
	}
	return int64(n), true
}
