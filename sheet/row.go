package sheet

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/leadflow/leadflow/lead"
)

// Plan turns the rows of one file into lead inputs under a resolved mapping.
type Plan struct {
	headers []string
	targets []string // per column: a field name, CustomPrefix+name or Ignore
	column  map[string]string
}

// NewPlan checks a resolved mapping (see Resolve) against the headers.
func NewPlan(headers []string, m Mapping) (*Plan, error) {
	p := &Plan{headers: headers, targets: make([]string, len(headers)), column: map[string]string{}}
	for i, h := range headers {
		t, ok := m[h]
		if !ok {
			t = Ignore
		}
		t, err := cleanTarget(t)
		if err != nil {
			return nil, lead.Invalid(lead.FieldError{Field: "mapping." + h, Reason: err.Error()})
		}
		p.targets[i] = t
		if _, ok := fieldByName(t); ok {
			if prev, dup := p.column[t]; dup {
				p.column[t] = prev + ", " + h
			} else {
				p.column[t] = h
			}
		}
	}
	return p, nil
}

// Input maps the cells of a row to a cleaned lead.Input. Its error names
// each bad field with the column it came from: `email (column "邮箱"): is
// not a valid e-mail address`; see Reason.
func (p *Plan) Input(cells []string) (lead.Input, error) {
	var in lead.Input
	var notes []string
	for i, t := range p.targets {
		if i >= len(cells) {
			break
		}
		v := strings.TrimSpace(cells[i])
		if v == "" || t == Ignore {
			continue
		}
		switch t {
		case "company":
			in.Company = v
		case "name":
			in.Name = v
		case "phone":
			in.Phone = v
		case "email":
			in.Email = v
		case "country":
			in.Country = countryCode(v)
		case "channel":
			in.Channel = v
		case "group":
			in.Group = v
		case "profession":
			in.Profession = v
		case "address":
			in.Address = v
		case "district":
			in.District = v
		case "division":
			in.Division = v
		case "tags":
			in.Tags = append(in.Tags, splitTags(v)...)
		case "notes":
			notes = append(notes, v)
		default:
			if name, ok := strings.CutPrefix(t, CustomPrefix); ok {
				if in.Custom == nil {
					in.Custom = map[string]any{}
				}
				in.Custom[name] = v
			}
		}
	}
	in.Notes = strings.Join(notes, "\n")
	in.Phone = fixPhone(in.Phone, in.Country)
	if err := in.Clean(); err != nil {
		if e, ok := err.(*lead.Error); ok {
			for i, f := range e.Fields {
				if col := p.column[f.Field]; col != "" {
					e.Fields[i].Reason = fmt.Sprintf("%s (column %q)", f.Reason, col)
				}
			}
		}
		return in, err
	}
	return in, nil
}

// Reason renders an error of Input as one line for the errors file:
// "company: is required; email: is not a valid e-mail address (column "邮箱")".
func Reason(err error) string {
	e, ok := err.(*lead.Error)
	if !ok || len(e.Fields) == 0 {
		return err.Error()
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Reason
	}
	return strings.Join(parts, "; ")
}

// splitTags splits a tags cell on commas, semicolons, vertical bars and
// their CJK forms.
func splitTags(v string) []string {
	var out []string
	for _, t := range strings.FieldsFunc(v, func(r rune) bool {
		return r == ',' || r == ';' || r == '|' || r == '，' || r == '；' || r == '、' || r == '\n'
	}) {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

var (
	numericPhone   = regexp.MustCompile(`^[0-9]+$`)
	trailingZeroes = regexp.MustCompile(`^([0-9]+)\.0+$`)
)

// fixPhone repairs what spreadsheets do to phone numbers kept as numbers:
// "13800138000.0" loses its decimals, and "8613800138000" (a "+86..." the
// office suite read as a number) gets its plus back when that makes it a
// valid international number and it is not a valid number of the country.
func fixPhone(phone, country string) string {
	if m := trailingZeroes.FindStringSubmatch(phone); m != nil {
		phone = m[1]
	}
	if !numericPhone.MatchString(phone) || len(phone) < 10 {
		return phone
	}
	if country != "" && lead.ParsePhone(phone, country).Valid {
		return phone
	}
	if p := lead.ParsePhone("+"+phone, ""); p.Valid && (country == "" || strings.EqualFold(p.Region, country)) {
		return "+" + phone
	}
	return phone
}

// countries maps common country names (English and Chinese) and ISO
// alpha-3 codes to alpha-2 codes; anything else is left for Clean to judge.
var countries = map[string]string{
	"china": "CN", "中国": "CN", "中华人民共和国": "CN", "prc": "CN", "chn": "CN", "mainland china": "CN", "中国大陆": "CN",
	"united states": "US", "united states of america": "US", "usa": "US", "u.s.": "US", "u.s.a.": "US", "america": "US", "美国": "US",
	"united kingdom": "GB", "uk": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "gbr": "GB", "英国": "GB",
	"germany": "DE", "deu": "DE", "德国": "DE", "france": "FR", "fra": "FR", "法国": "FR", "italy": "IT", "ita": "IT", "意大利": "IT",
	"spain": "ES", "esp": "ES", "西班牙": "ES", "netherlands": "NL", "nld": "NL", "荷兰": "NL", "japan": "JP", "jpn": "JP", "日本": "JP",
	"south korea": "KR", "korea": "KR", "kor": "KR", "韩国": "KR", "india": "IN", "ind": "IN", "印度": "IN",
	"bangladesh": "BD", "bgd": "BD", "孟加拉国": "BD", "孟加拉": "BD", "pakistan": "PK", "pak": "PK", "巴基斯坦": "PK",
	"singapore": "SG", "sgp": "SG", "新加坡": "SG", "hong kong": "HK", "hkg": "HK", "香港": "HK", "中国香港": "HK",
	"taiwan": "TW", "twn": "TW", "台湾": "TW", "中国台湾": "TW", "macau": "MO", "macao": "MO", "澳门": "MO",
	"malaysia": "MY", "mys": "MY", "马来西亚": "MY", "indonesia": "ID", "idn": "ID", "印度尼西亚": "ID", "印尼": "ID",
	"thailand": "TH", "tha": "TH", "泰国": "TH", "vietnam": "VN", "viet nam": "VN", "vnm": "VN", "越南": "VN",
	"philippines": "PH", "phl": "PH", "菲律宾": "PH", "australia": "AU", "aus": "AU", "澳大利亚": "AU", "澳洲": "AU",
	"new zealand": "NZ", "nzl": "NZ", "新西兰": "NZ", "canada": "CA", "can": "CA", "加拿大": "CA", "mexico": "MX", "mex": "MX", "墨西哥": "MX",
	"brazil": "BR", "bra": "BR", "巴西": "BR", "russia": "RU", "russian federation": "RU", "rus": "RU", "俄罗斯": "RU",
	"united arab emirates": "AE", "uae": "AE", "are": "AE", "阿联酋": "AE", "saudi arabia": "SA", "sau": "SA", "沙特阿拉伯": "SA", "沙特": "SA",
	"turkey": "TR", "türkiye": "TR", "tur": "TR", "土耳其": "TR", "south africa": "ZA", "zaf": "ZA", "南非": "ZA",
	"nigeria": "NG", "nga": "NG", "尼日利亚": "NG", "egypt": "EG", "egy": "EG", "埃及": "EG", "switzerland": "CH", "che": "CH", "瑞士": "CH",
	"sweden": "SE", "swe": "SE", "瑞典": "SE", "poland": "PL", "pol": "PL", "波兰": "PL", "belgium": "BE", "bel": "BE", "比利时": "BE",
	"ireland": "IE", "irl": "IE", "爱尔兰": "IE", "portugal": "PT", "prt": "PT", "葡萄牙": "PT", "argentina": "AR", "arg": "AR", "阿根廷": "AR",
	"chile": "CL", "chl": "CL", "智利": "CL", "colombia": "CO", "col": "CO", "哥伦比亚": "CO", "israel": "IL", "isr": "IL", "以色列": "IL",
}

// countryCode reads a country cell: an alpha-2 code as it is, a known name
// or alpha-3 code as its alpha-2 code.
func countryCode(v string) string {
	if c, ok := countries[strings.ToLower(strings.TrimSpace(v))]; ok {
		return c
	}
	return v
}
