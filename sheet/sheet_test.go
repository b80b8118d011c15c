package sheet

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/leadflow/leadflow/lead"
)

var update = flag.Bool("update", false, "rewrite the committed sample sheets in testdata")

func TestSuggestField(t *testing.T) {
	for header, want := range map[string]string{
		// English, in the spellings sheets use.
		"Company": "company", "Company Name": "company", "company_name": "company", "COMPANY *": "company", "Organisation": "company",
		"Contact": "name", "Full name": "name", "Name": "name",
		"Phone": "phone", "Phone Number": "phone", "Mobile": "phone", "Tel.": "phone", "Contact phone": "phone", "WhatsApp": "phone",
		"E-mail": "email", "Email Address": "email", "Country": "country", "Lead source": "channel", "Job title": "profession",
		"Address": "address", "Billing address": "address", "District": "district", "State": "division", "Tags": "tags",
		"Remarks": "notes", "Notes": "notes", "Phone (mobile)": "phone",
		// Chinese.
		"公司": "company", "公司名称": "company", "客户名称": "company", "联系人": "name", "姓名": "name",
		"电话": "phone", "手机": "phone", "手机号": "phone", "手机号码": "phone", "联系电话": "phone", "联系人电话": "phone",
		"邮箱": "email", "电子邮箱": "email", "国家": "country", "国家/地区": "country", "地址": "address", "公司地址": "address",
		"标签": "tags", "备注": "notes", "职业": "profession", "职位": "profession", "区": "district", "区县": "district",
		"区/县": "district", "省份": "division", "来源": "channel", "手机号：": "phone", "邮箱（必填）": "email",
		// Not recognised: these become custom fields.
		"Budget": "", "Hotel": "", "Customer ID": "", "预算": "", "": "",
	} {
		if got := SuggestField(header); got != want {
			t.Errorf("SuggestField(%q) = %q, want %q", header, got, want)
		}
	}
}

func TestSuggestMapping(t *testing.T) {
	m := Suggest([]string{"公司名称", "联系人", "手机", "电话", "邮箱", "国家", "地址", "标签", "备注", "职业", "区县", "预算"})
	want := Mapping{"公司名称": "company", "联系人": "name", "手机": "phone", "电话": "custom.电话", "邮箱": "email",
		"国家": "country", "地址": "address", "标签": "tags", "备注": "notes", "职业": "profession", "区县": "district", "预算": "custom.预算"}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("suggestion:\n got %v\nwant %v", m, want)
	}
	// An export's column names map back.
	m = Suggest([]string{"id", "company", "phone", "tags", "custom.Budget"})
	if m["company"] != "company" || m["phone"] != "phone" || m["tags"] != "tags" || m["custom.Budget"] != "custom.Budget" || m["id"] != "custom.id" {
		t.Fatalf("export headers: %v", m)
	}
}

func TestResolve(t *testing.T) {
	headers := []string{"Firma", "Tel", "Mobil", "Kommentar"}
	// The caller's choices win; the rest is suggested.
	m, err := Resolve(headers, Mapping{"Firma": "company", "Mobil": "phone", "Kommentar": "-"})
	if err != nil {
		t.Fatal(err)
	}
	if want := (Mapping{"Firma": "company", "Tel": "custom.Tel", "Mobil": "phone", "Kommentar": Ignore}); !reflect.DeepEqual(m, want) {
		t.Fatalf("resolved %v, want %v", m, want)
	}
	// A column the user did not map whose suggestion the user took elsewhere goes to a custom field.
	m, err = Resolve([]string{"Company", "Phone", "Mobile"}, Mapping{"Mobile": "phone"})
	if err != nil || m["Phone"] != "custom.Phone" || m["Mobile"] != "phone" {
		t.Fatalf("resolved %v, %v", m, err)
	}
	for _, c := range []struct {
		user  Mapping
		field string
		frag  string
	}{
		{Mapping{"Nope": "company"}, "mapping.Nope", "not a column"},
		{Mapping{"Firma": "company", "Tel": "birthday"}, "mapping.Tel", "must be one of"},
		{Mapping{"Firma": "company", "Tel": "phone", "Mobil": "phone"}, "mapping.Tel", "a field takes one column"},
		{Mapping{"Firma": "custom."}, "mapping.Firma", "custom field needs a name"},
		{Mapping{"Tel": "phone"}, "mapping", "no column maps to company"},
	} {
		_, err := Resolve(headers, c.user)
		e, ok := err.(*lead.Error)
		if !ok || len(e.Fields) == 0 {
			t.Fatalf("%v: error %v", c.user, err)
		}
		found := false
		for _, f := range e.Fields {
			if f.Field == c.field && strings.Contains(f.Reason, c.frag) {
				found = true
			}
		}
		if !found {
			t.Errorf("%v: fields %+v, want %s ~ %q", c.user, e.Fields, c.field, c.frag)
		}
	}
}

func TestReadCSV(t *testing.T) {
	text := "\xEF\xBB\xBF公司名称;手机;备注;;Notes\n\n" +
		"Acme Trading;13800138000;\"multi\nline\";;x;extra\n" +
		" ; ;;\n" +
		"Beta;+1 650 253 0000\n"
	s, err := Read("leads.csv", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"公司名称", "手机", "备注", "Column D", "Notes"}; !reflect.DeepEqual(s.Headers, want) {
		t.Fatalf("headers %q, want %q", s.Headers, want)
	}
	want := []Row{
		{Num: 3, Cells: []string{"Acme Trading", "13800138000", "multi\nline", "", "x"}},
		{Num: 5, Cells: []string{"Beta", "+1 650 253 0000", "", "", ""}},
	}
	if s.Format != CSV || !reflect.DeepEqual(s.Rows, want) {
		t.Fatalf("rows %+v, want %+v", s.Rows, want)
	}

	// Excel on a Chinese system saves CSV in GBK.
	gbk, err := simplifiedchinese.GBK.NewEncoder().String("公司,联系人,电话\n华为技术,张三,13800138000\n")
	if err != nil {
		t.Fatal(err)
	}
	s, err = Read("gbk.csv", []byte(gbk))
	if err != nil {
		t.Fatal(err)
	}
	if s.Headers[0] != "公司" || s.Rows[0].Cells[1] != "张三" {
		t.Fatalf("GBK: %q %+v", s.Headers, s.Rows)
	}

	// Excel's "Unicode text": UTF-16 with a byte order mark, tab-separated.
	u16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String("公司\t手机\r\nAcme Trading\t13800138000\r\n")
	if err != nil {
		t.Fatal(err)
	}
	s, err = Read("unicode.txt", []byte(u16))
	if err != nil || !reflect.DeepEqual(s.Headers, []string{"公司", "手机"}) || s.Rows[0].Cells[1] != "13800138000" {
		t.Fatalf("UTF-16: %+v %v", s, err)
	}

	// Repeated headers stay distinguishable.
	s, err = Read("dup.csv", []byte("Phone,phone,Phone\n1,2,3\n"))
	if err != nil || !reflect.DeepEqual(s.Headers, []string{"Phone", "phone (2)", "Phone (3)"}) {
		t.Fatalf("headers %q, %v", s.Headers, err)
	}
}

func TestReadRefusals(t *testing.T) {
	big := strings.Repeat("x", MaxFileBytes+1)
	rows := "company,phone\n" + strings.Repeat("a,1\n", MaxRows+1)
	for name, c := range map[string]struct {
		file, data, frag string
		kind             ErrorKind
	}{
		"empty":      {"a.csv", "", "is empty", Malformed},
		"blank":      {"a.csv", "\n , \n", "no header row", Malformed},
		"xls":        {"a.xls", "\xD0\xCF\x11\xE0rest", "Excel 97-2003", Malformed},
		"fake xlsx":  {"a.xlsx", "company,phone\n", "not an XLSX", Malformed},
		"bad zip":    {"a.xlsx", "PK\x03\x04garbage", "not a readable XLSX", Malformed},
		"binary":     {"a.bin", "\x00\x01\x02", "not a CSV or XLSX", Malformed},
		"too large":  {"a.csv", big, "larger than 20 MB", TooLarge},
		"too long":   {"a.csv", rows, "more than 100000 rows", TooLarge},
		"ods":        {"a.ods", "text", ".ods files are not supported", Malformed},
		"wide sheet": {"a.csv", strings.Repeat("h,", MaxColumns) + "h\n", "201 columns", TooLarge},
		"wide row":   {"a.csv", "company,phone\na,1\n" + strings.Repeat("v,", MaxColumns) + "v\n", "row 3 has 201 columns", TooLarge},
	} {
		_, err := Read(c.file, []byte(c.data))
		var se *Error
		if !errors.As(err, &se) || se.Kind != c.kind || !strings.Contains(se.Reason, c.frag) {
			t.Errorf("%s: %v, want %s file: ...%s", name, err, c.kind, c.frag)
			continue
		}
		// Callers that know only lead errors see a refusal of the field file.
		var e *lead.Error
		if !errors.As(err, &e) || e.Code != lead.CodeInvalid || len(e.Fields) != 1 || e.Fields[0].Field != "file" || e.Fields[0].Reason != se.Reason {
			t.Errorf("%s: as a lead error %v", name, e)
		}
	}
}

func TestXLSXRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(XLSX, &buf, "Leads", []string{"Company", "手机", "Notes"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range [][]string{{"Acme", "+8613800138000", "=1+1"}, {"", "", ""}, {"Beta", "13900139000", ""}} {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := Read("x.xlsx", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want := []Row{{Num: 2, Cells: []string{"Acme", "+8613800138000", "'=1+1"}}, {Num: 4, Cells: []string{"Beta", "13900139000", ""}}}
	if s.Format != XLSX || !reflect.DeepEqual(s.Headers, []string{"Company", "手机", "Notes"}) || !reflect.DeepEqual(s.Rows, want) {
		t.Fatalf("read back %q %+v", s.Headers, s.Rows)
	}
}

func TestXLSXNumbersAndActiveSheet(t *testing.T) {
	// A workbook as an office suite saves it: phones as numbers, a second,
	// active sheet holding the data, a date.
	f := excelize.NewFile()
	if _, err := f.NewSheet("Leads"); err != nil {
		t.Fatal(err)
	}
	idx, _ := f.GetSheetIndex("Leads")
	f.SetActiveSheet(idx)
	for cell, v := range map[string]any{"A1": "公司", "B1": "手机", "C1": "国家", "A2": "Acme Trading", "B2": 13800138000, "C2": "中国",
		"A3": "Gamma Works", "B3": 8613900139000, "A4": "Delta Works", "B4": 13700137000.0, "C4": "CN"} {
		if err := f.SetCellValue("Leads", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	s, err := Read("book.xlsx", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPlan(s.Headers, Suggest(s.Headers))
	if err != nil {
		t.Fatal(err)
	}
	var phones []string
	for _, r := range s.Rows {
		in, err := p.Input(r.Cells)
		if err != nil {
			t.Fatalf("row %d: %v", r.Num, err)
		}
		phones = append(phones, in.Phone+"/"+in.Country)
	}
	if want := []string{"13800138000/CN", "+8613900139000/CN", "13700137000/CN"}; !reflect.DeepEqual(phones, want) {
		t.Fatalf("phones %q, want %q", phones, want)
	}
}

func TestPlanInput(t *testing.T) {
	headers := []string{"公司", "联系人", "手机", "邮箱", "国家", "标签", "备注", "Remarks", "预算", "Skip"}
	m, err := Resolve(headers, Mapping{"Skip": Ignore})
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPlan(headers, m)
	if err != nil {
		t.Fatal(err)
	}
	in, err := p.Input([]string{" Acme Trading ", "李雷", "138 0013 8000", "li@acme.cn", "中国", "展会，VIP; 老客户", "first", "second", "50万", "zzz"})
	if err != nil {
		t.Fatal(err)
	}
	want := lead.Input{Contact: lead.Contact{Company: "Acme Trading", Name: "李雷", Phone: "138 0013 8000", Email: "li@acme.cn", Country: "CN"},
		Tags: []string{"展会", "VIP", "老客户"}, Notes: "first\nsecond", Custom: map[string]any{"预算": "50万"}}
	if !reflect.DeepEqual(in, want) {
		t.Fatalf("input\n got %+v\nwant %+v", in, want)
	}

	_, err = p.Input([]string{"", "x", "", "not-an-email", "China!!"})
	if got := Reason(err); got != `company: is required (column "公司"); phone: is required (column "手机"); `+
		`email: is not a valid e-mail address (column "邮箱"); country: must be a two-letter ISO 3166-1 code such as CN or US (column "国家")` {
		t.Fatalf("reason %q", got)
	}
}

func TestCheckExportFields(t *testing.T) {
	if f, err := CheckExportFields(nil); err != nil || !reflect.DeepEqual(f, DefaultExportFields) {
		t.Fatalf("defaults %v %v", f, err)
	}
	if _, err := CheckExportFields([]string{"company", "custom.Budget"}); err != nil {
		t.Fatal(err)
	}
	_, err := CheckExportFields([]string{"company", "password", "company"})
	e, ok := err.(*lead.Error)
	if !ok || len(e.Fields) != 2 || e.Fields[0].Field != "fields[1]" || e.Fields[1].Field != "fields[2]" {
		t.Fatalf("error %v", err)
	}
}

// TestSampleSheets checks that the committed sample sheets are what
// Template writes (go test ./sheet -update rewrites them) and that they
// import as two valid leads.
func TestSampleSheets(t *testing.T) {
	for _, f := range []Format{CSV, XLSX} {
		data, err := Template(f)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", "leads-sample."+string(f))
		if *update {
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		committed, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./sheet -update)", err)
		}
		got, err := Read(path, committed)
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := Read(path, data)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, fresh) {
			t.Fatalf("%s differs from Template(%s); run go test ./sheet -update", path, f)
		}
		m := Suggest(got.Headers)
		for _, h := range got.Headers {
			if m[h] != h {
				t.Fatalf("sample column %q maps to %q", h, m[h])
			}
		}
		p, err := NewPlan(got.Headers, m)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Rows) != 2 {
			t.Fatalf("%s has %d rows", path, len(got.Rows))
		}
		for _, r := range got.Rows {
			in, err := p.Input(r.Cells)
			if err != nil {
				t.Fatalf("%s row %d: %v", path, r.Num, err)
			}
			if !lead.ParsePhone(in.Phone, in.Country).Valid {
				t.Fatalf("%s row %d: phone %s not valid for %s", path, r.Num, in.Phone, in.Country)
			}
		}
	}
}

func TestColumnName(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 27: "AB", 701: "ZZ", 702: "AAA"} {
		if got := ColumnName(i); got != want {
			t.Errorf("ColumnName(%d) = %s, want %s", i, got, want)
		}
	}
}

// TestSuggestionsAreOffered (issue 25, bug 5): every target Suggest chooses
// is one a matching form offers for its column (a lead field, the column's
// CustomTarget, or Ignore), so the form shows the matching that runs: an
// export's column "custom.Budget" goes to the custom field Budget, which
// the form offers as such.
func TestSuggestionsAreOffered(t *testing.T) {
	headers := []string{"Company", "Phone", "Tel", "custom.Budget", "Custom. Size ", "Remarks", "Notes (2)"}
	for h, target := range Suggest(headers) {
		offered := target == Ignore || target == CustomTarget(h)
		for _, f := range Fields {
			offered = offered || f.Name == target
		}
		if !offered {
			t.Errorf("column %q is matched to %q, which its form does not offer", h, target)
		}
	}
	if got := CustomTarget("custom.Budget"); got != "custom.Budget" {
		t.Errorf("an export's column goes to %q", got)
	}
}
