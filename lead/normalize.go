package lead

import (
	"slices"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// Phone is a phone number as leadflow understands it.
type Phone struct {
	E164    string // "+8613800138000"; empty when the number could not be parsed
	Region  string // ISO 3166-1 alpha-2 region the number belongs to
	Valid   bool   // a valid number for Region (libphonenumber's metadata)
	Country string // the country it was checked against (the lead's, or Region)
}

// ParsePhone parses raw for country (ISO alpha-2, may be empty when raw
// starts with "+") and reports whether it is a valid number for that
// country. It never fails: a number it cannot read is simply not Valid.
func ParsePhone(raw, country string) Phone {
	country = strings.ToUpper(strings.TrimSpace(country))
	p := Phone{Country: country}
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return p
	}
	num, err := phonenumbers.Parse(raw, country)
	if err != nil {
		return p
	}
	p.Region = phonenumbers.GetRegionCodeForNumber(num)
	p.E164 = phonenumbers.Format(num, phonenumbers.E164)
	if p.Country == "" {
		p.Country = p.Region
	}
	p.Valid = phonenumbers.IsValidNumberForRegion(num, p.Country)
	return p
}

// legalSuffixes are company-form words dropped by NormalizeCompany, compared
// after lower-casing and removing punctuation.
var legalSuffixes = []string{
	"incorporated", "corporation", "limited", "company", "gmbh", "co", "corp", "inc", "llc", "ltd", "plc",
	"pte", "pty", "sa", "sarl", "srl", "bv", "ag", "oy", "ab", "kk", "llp", "lp",
}

var cjkSuffixes = []string{"股份有限公司", "有限责任公司", "有限公司", "集团", "公司"}

// NormalizeCompany returns the comparable form of a company name: lower
// case, punctuation and extra spaces removed, trailing legal forms such as
// "Ltd", "Co.", "Inc" or "有限公司" dropped (all of them, in any order and
// whatever punctuation surrounds them, so that the result is its own normal
// form: NormalizeCompany(NormalizeCompany(s)) == NormalizeCompany(s)).
func NormalizeCompany(name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	var b strings.Builder
	for _, r := range name {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		case r == '&':
			b.WriteString(" and ")
		default:
			b.WriteRune(' ')
		}
	}
	words := strings.Fields(b.String())
	for len(words) > 0 {
		last := words[len(words)-1]
		if len(words) > 1 && (isLegalSuffix(last) || slices.Contains(cjkSuffixes, last)) {
			words = words[:len(words)-1]
			continue
		}
		if trimmed := trimCJKSuffix(last); trimmed != last {
			words[len(words)-1] = trimmed
			continue
		}
		break
	}
	return strings.Join(words, " ")
}

// trimCJKSuffix drops a CJK legal form from the end of w, unless that is
// all of w.
func trimCJKSuffix(w string) string {
	for _, s := range cjkSuffixes {
		if strings.HasSuffix(w, s) && len(w) > len(s) {
			return strings.TrimSuffix(w, s)
		}
	}
	return w
}

func isLegalSuffix(w string) bool {
	for _, s := range legalSuffixes {
		if w == s {
			return true
		}
	}
	return false
}

// DedupKey is the identity of a lead for de-duplication: normalised company
// name, phone in E.164 and country. It is empty when the phone could not be
// parsed, so unreadable numbers never merge.
func DedupKey(company, phoneE164, country string) string {
	c := NormalizeCompany(company)
	if c == "" || phoneE164 == "" {
		return ""
	}
	return c + "|" + phoneE164 + "|" + strings.ToUpper(country)
}

// CompanyLength counts the characters of a company name that matter for the
// "name too short" rule: letters and digits, ignoring spaces and punctuation.
func CompanyLength(name string) int {
	n := 0
	for _, r := range name {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
	}
	return n
}
