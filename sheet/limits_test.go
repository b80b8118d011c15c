package sheet

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// segment is data repeated times in a part.
type segment struct {
	data  string
	times int
}

// bombPart returns the raw deflate stream, the CRC-32 and the size of the
// part made of the segments, without ever holding the part: each segment
// is compressed once up to a byte boundary (a sync flush, so a copy never
// refers to the bytes before it) and the copies are concatenated, then an
// empty final block ends the stream. 1 MB of repeated text compresses to
// about 1 KB, so 400 MB of shared strings fit in a 400 KB workbook.
func bombPart(t *testing.T, segs ...segment) (raw []byte, crc uint32, size uint64) {
	t.Helper()
	var out bytes.Buffer
	for _, s := range segs {
		var one bytes.Buffer
		w, err := flate.NewWriter(&one, flate.BestCompression)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, s.data); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		for range s.times {
			out.Write(one.Bytes())
			crc = crc32.Update(crc, crc32.IEEETable, []byte(s.data))
		}
		size += uint64(len(s.data) * s.times)
	}
	w, err := flate.NewWriter(&out, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), crc, size
}

// sharedStrings returns the segments of a sharedStrings.xml of n items
// made of item.
func sharedStrings(item string, n int) []segment {
	return []segment{
		{`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
			`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`, 1},
		{item, n},
		{`</sst>`, 1},
	}
}

// workbook returns a real workbook whose sheet holds a header and a row,
// written with shared strings.
func workbook(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for cell, v := range map[string]string{"A1": "company", "B1": "phone", "A2": "Acme Trading", "B2": "13800138000"} {
		if err := f.SetCellStr("Sheet1", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withPart returns the workbook with the part name replaced by a raw
// deflate stream declared to unpack to declared bytes.
func withPart(t *testing.T, book []byte, name string, raw []byte, crc uint32, declared uint64) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(book), int64(len(book)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if f.Name != name {
			if err := zw.Copy(f); err != nil {
				t.Fatal(err)
			}
		}
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(len(raw)), UncompressedSize64: declared})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// allocated returns how many bytes of heap fn allocates: an upper bound of
// how much the heap can grow while it runs, whatever the collector does.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// setLimits lowers the limits for one test.
func setLimits(t *testing.T, set func()) {
	old := limits
	t.Cleanup(func() { limits = old })
	set()
}

// wantRefusal checks that reading data fails with an *Error of the kind
// whose reason says frag.
func wantRefusal(t *testing.T, name string, data []byte, kind ErrorKind, frag string) {
	t.Helper()
	_, err := Read("bomb.xlsx", data)
	var se *Error
	if !errors.As(err, &se) || se.Kind != kind || !strings.Contains(se.Reason, frag) {
		t.Errorf("%s: %v, want %s ...%s", name, err, kind, frag)
	}
}

func TestWorkbookWithinLimitsReads(t *testing.T) {
	book := workbook(t)
	if err := checkZip(book); err != nil {
		t.Fatal(err)
	}
	s, err := Read("ok.xlsx", book)
	if err != nil || len(s.Rows) != 1 || s.Rows[0].Cells[0] != "Acme Trading" || s.Rows[0].Cells[1] != "13800138000" {
		t.Fatalf("%+v %v", s, err)
	}
}

// TestXLSXBombRefused: a workbook of 400 KB whose shared strings unpack to
// 400 MB is refused, whether the zip declares the true size or lies about
// it, and refusing it allocates a few megabytes, not hundreds.
func TestXLSXBombRefused(t *testing.T) {
	item := "<si><t>" + strings.Repeat("A", 1<<20-len("<si><t></t></si>")) + "</t></si>"
	raw, crc, size := bombPart(t, sharedStrings(item, 400)...)
	book := workbook(t)
	honest := withPart(t, book, "xl/sharedStrings.xml", raw, crc, size)
	lying := withPart(t, book, "xl/sharedStrings.xml", raw, crc, 1000)
	if len(honest) > 1<<20 || size < 400<<20 {
		t.Fatalf("the bomb is %d bytes unpacking to %d", len(honest), size)
	}
	for _, c := range []struct {
		name string
		data []byte
		kind ErrorKind
		frag string
	}{
		{"declared size", honest, TooLarge, "unpacks to more than 128 MB"},
		{"lying size", lying, Malformed, "damaged XLSX"},
	} {
		n := allocated(func() { wantRefusal(t, c.name, c.data, c.kind, c.frag) })
		t.Logf("%s: refusing a %d KB workbook unpacking to %d MB allocated %d KB", c.name, len(c.data)>>10, size>>20, n>>10)
		if n > 8<<20 {
			t.Errorf("%s: refusing the bomb allocated %d MB", c.name, n>>20)
		}
	}
}

func TestXLSXSharedStringLimits(t *testing.T) {
	book := workbook(t)
	setLimits(t, func() { limits.sharedStrings, limits.sharedStringBytes = 1000, 64<<10 })
	part := func(item string, n int) []byte {
		raw, crc, size := bombPart(t, sharedStrings(item, n)...)
		return withPart(t, book, "xl/sharedStrings.xml", raw, crc, size)
	}
	// Exactly at the limit, the workbook reads (the sheet uses the first
	// two strings only).
	if _, err := Read("ok.xlsx", part("<si><t>company</t></si><si><t>phone</t></si>", 500)); err != nil {
		t.Fatalf("1000 strings: %v", err)
	}
	wantRefusal(t, "count", part("<si><t>a</t></si>", 1001), TooLarge, "more than 1000 distinct strings")
	wantRefusal(t, "count, empty items", part("<si/>", 1001), TooLarge, "more than 1000 distinct strings")
	wantRefusal(t, "bytes", part("<si><t>"+strings.Repeat("b", 100)+"</t></si>", 600), TooLarge, "shared strings of more than 64 KB")
}

func TestXLSXUnzipLimits(t *testing.T) {
	book := workbook(t)
	setLimits(t, func() { limits.unzipBytes = 1 << 20 })
	raw, crc, size := bombPart(t, segment{"<!-- padding -->", 1 << 17})
	wantRefusal(t, "a large part", withPart(t, book, "xl/padding.xml", raw, crc, size), TooLarge, "unpacks to more than 1 MB")
	raw, crc, size = bombPart(t, segment{"<!-- padding -->", 1 << 15})
	two := withPart(t, withPart(t, book, "xl/a.xml", raw, crc, size), "xl/b.xml", raw, crc, size)
	if _, err := Read("ok.xlsx", withPart(t, book, "xl/a.xml", raw, crc, size)); err != nil {
		t.Fatalf("one 512 KB part: %v", err)
	}
	wantRefusal(t, "parts together", two, TooLarge, "unpacks to more than 1 MB")

	setLimits(t, func() { limits.zipEntries = 3 })
	wantRefusal(t, "parts", book, TooLarge, "at most 3 are allowed")
}

func TestLimitedReader(t *testing.T) {
	tooMuch := errors.New("too much")
	for _, c := range []struct {
		in   string
		left int64
		err  error
	}{{"12345", 5, nil}, {"123456", 5, tooMuch}, {"", 0, nil}, {"1", 0, tooMuch}} {
		l := &limitedReader{r: strings.NewReader(c.in), left: c.left, err: tooMuch}
		b, err := io.ReadAll(l)
		if err != c.err || err == nil && string(b) != c.in || len(b) > int(c.left)+1 {
			t.Errorf("%q through %d: %q %v", c.in, c.left, b, err)
		}
	}
}
