package sheet

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/leadflow/leadflow/lead"
)

// Field describes a lead field a column can be mapped to.
type Field struct {
	Name     string `json:"name"`
	Label    string `json:"label"`
	Required bool   `json:"required,omitempty"`
	// Multiple fields take several columns: tags are added up, notes joined.
	Multiple bool `json:"multiple,omitempty"`
}

// Fields are the lead fields an import can fill, in the sample sheet's order.
var Fields = []Field{
	{Name: "company", Label: "Company", Required: true},
	{Name: "name", Label: "Contact name"},
	{Name: "phone", Label: "Phone", Required: true},
	{Name: "email", Label: "E-mail"},
	{Name: "country", Label: "Country (ISO code such as CN or US)"},
	{Name: "channel", Label: "Channel (where the lead came from)"},
	{Name: "group", Label: "Group (one of the groups option list)"},
	{Name: "profession", Label: "Profession"},
	{Name: "address", Label: "Address"},
	{Name: "district", Label: "District"},
	{Name: "division", Label: "Division (state, province)"},
	{Name: "tags", Label: "Tags (separated by commas)", Multiple: true},
	{Name: "notes", Label: "Notes", Multiple: true},
}

// CustomPrefix starts a mapping target that is a custom field:
// "custom.Budget" stores the column under the custom field "Budget".
const CustomPrefix = "custom."

// Ignore is the mapping target of a column that is not imported.
const Ignore = "ignore"

// Mapping maps column headers to lead fields: a Fields name, CustomPrefix
// followed by a custom field name, or Ignore.
type Mapping map[string]string

func fieldByName(name string) (Field, bool) {
	for _, f := range Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// synonyms are the header spellings each field is recognised by, compared
// after normHeader. English, Chinese and a few common variants.
var synonyms = map[string][]string{
	"company": {"company", "companyname", "company name", "organization", "organisation", "org", "business", "businessname",
		"account", "accountname", "firm", "enterprise", "employer", "customer", "customername", "client", "clientname",
		"公司", "公司名称", "公司名", "企业", "企业名称", "单位", "单位名称", "客户", "客户名称", "客户公司", "机构", "机构名称", "组织"},
	"name": {"name", "contact", "contactname", "contactperson", "person", "fullname", "full name", "firstname", "leadname",
		"联系人", "姓名", "名字", "联系人姓名", "客户姓名", "称呼", "联络人"},
	"phone": {"phone", "phonenumber", "phoneno", "telephone", "tel", "mobile", "mobilephone", "mobilenumber", "mobileno", "cell",
		"cellphone", "cellnumber", "contactnumber", "whatsapp",
		"电话", "手机", "手机号", "手机号码", "电话号码", "联系电话", "联系方式", "移动电话", "座机", "手机/电话", "电话/手机"},
	"email": {"email", "e-mail", "mail", "emailaddress", "e-mailaddress", "mailaddress",
		"邮箱", "电子邮箱", "邮件", "电子邮件", "邮箱地址", "电子邮件地址", "email地址"},
	"country": {"country", "countrycode", "nation", "countryregion", "country/region",
		"国家", "国家/地区", "国家地区", "国别", "国家代码"},
	"channel": {"channel", "source", "leadsource", "sourcechannel", "origin", "medium",
		"渠道", "来源", "线索来源", "客户来源", "来源渠道", "获客渠道"},
	"profession": {"profession", "occupation", "job", "jobtitle", "title", "position", "role", "designation",
		"职业", "职位", "职务", "岗位", "头衔"},
	"address": {"address", "addr", "street", "streetaddress", "fulladdress", "postaladdress", "mailingaddress",
		"地址", "详细地址", "通讯地址", "公司地址", "联系地址", "住址"},
	"district": {"district", "county", "area", "city", "town", "subdistrict", "upazila",
		"区", "区县", "区/县", "县", "县区", "地区", "城市", "市", "所在城市"},
	"division": {"division", "state", "province", "region", "prefecture",
		"省", "省份", "州", "省/州", "省市", "所在省份", "大区"},
	"group": {"group", "groups", "leadgroup", "customergroup", "segment", "分组", "客户分组", "组别"},
	"tags":  {"tags", "tag", "labels", "label", "keywords", "标签", "客户标签", "关键词"},
	"notes": {"notes", "note", "remarks", "remark", "comment", "comments", "description", "memo",
		"备注", "说明", "描述", "备注信息", "附言"},
}

// synonymIndex is synonyms keyed by normalised header.
var synonymIndex = func() map[string]string {
	idx := map[string]string{}
	for field, names := range synonyms {
		for _, n := range names {
			idx[normHeader(n)] = field
		}
	}
	return idx
}()

// normHeader is the comparable form of a header: lower case, without
// spaces, punctuation and required-markers ("Company *", "phone_number",
// "E-Mail Address" and "手机号：" compare as "company", "phonenumber",
// "emailaddress" and "手机号"). Text in brackets is dropped ("Phone (mobile)").
func normHeader(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	var b strings.Builder
	depth := 0
	for _, r := range h {
		switch r {
		case '(', '（', '[', '【':
			depth++
			continue
		case ')', '）', ']', '】':
			if depth > 0 {
				depth--
			}
			continue
		}
		if depth > 0 {
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '/' {
			b.WriteRune(r)
		}
	}
	out := strings.Trim(b.String(), "/")
	if out == "" {
		return strings.ToLower(strings.TrimSpace(h))
	}
	return out
}

// SuggestField returns the lead field a header most likely holds, or ""
// when it is not recognised.
func SuggestField(header string) string {
	n := normHeader(header)
	if f, ok := synonymIndex[n]; ok {
		return f
	}
	// "Contact phone", "客户手机号", "Billing address": a known name at the
	// end of the header, the longest that fits; short English words must
	// not match inside others ("Hotel" is no phone).
	best, bestLen := "", 0
	for syn, f := range synonymIndex {
		l := utf8.RuneCountInString(syn)
		if l <= bestLen || l < 2 || (l < 5 && syn[0] < utf8.RuneSelf) || syn == "name" {
			continue
		}
		if strings.HasSuffix(n, syn) {
			best, bestLen = f, l
		}
	}
	return best
}

// Suggest proposes a mapping for every header: the recognised fields, each
// single-valued field to one column only (the first), and every other
// column to a custom field of the header's name.
func Suggest(headers []string) Mapping {
	m, _ := resolve(headers, nil)
	return m
}

// Resolve completes and checks a caller's mapping against the headers of a
// file. Columns the caller mapped keep their target; the others get the
// suggestion (a single-valued field the caller already took goes to a
// custom field instead). The result maps every header. Errors name the
// offending mapping key.
func Resolve(headers []string, user Mapping) (Mapping, error) {
	m, bad := resolve(headers, user)
	if err := bad.Err(); err != nil {
		return nil, err
	}
	return m, nil
}

// resolve is Resolve returning the mapping it reached with the errors.
func resolve(headers []string, user Mapping) (Mapping, lead.Fields) {
	var bad lead.Fields
	isHeader := map[string]bool{}
	for _, h := range headers {
		isHeader[h] = true
	}
	out := Mapping{}
	taken := map[string]string{} // single-valued field -> header
	keys := make([]string, 0, len(user))
	for k := range user {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, h := range keys {
		target, err := cleanTarget(user[h])
		switch {
		case !isHeader[h]:
			bad.Add("mapping."+h, "is not a column of the file; its columns are: "+strings.Join(headers, ", "))
			continue
		case err != nil:
			bad.Add("mapping."+h, err.Error())
			continue
		}
		if f, ok := fieldByName(target); ok && !f.Multiple {
			if other, dup := taken[target]; dup {
				bad.Add("mapping."+h, fmt.Sprintf("maps to %s like the column %q; a field takes one column", target, other))
				continue
			}
			taken[target] = h
		}
		out[h] = target
	}
	for _, h := range headers {
		if _, ok := user[h]; ok {
			continue
		}
		target := SuggestField(h)
		if _, ok := cutPrefixFold(h, CustomPrefix); ok {
			target = CustomTarget(h) // a column of an export
		}
		if f, ok := fieldByName(target); ok && !f.Multiple {
			if _, dup := taken[target]; dup {
				target = ""
			} else {
				taken[target] = h
			}
		}
		if target == "" {
			target = CustomTarget(h)
		}
		out[h] = target
	}
	for _, f := range Fields {
		if f.Required && taken[f.Name] == "" && len(bad) == 0 {
			bad.Add("mapping", fmt.Sprintf("no column maps to %s, which every lead needs; map one of the columns %s to it",
				f.Name, strings.Join(headers, ", ")))
		}
	}
	return out, bad
}

// CustomTarget is the custom field column h goes to when it is no lead
// field: the field an export's column names ("custom.Budget"), else one
// named as the column. A matching form offers it, so the form can show
// every target Suggest and Resolve choose.
func CustomTarget(h string) string {
	if name, ok := cutPrefixFold(h, CustomPrefix); ok && strings.TrimSpace(name) != "" {
		return CustomPrefix + strings.TrimSpace(name)
	}
	return CustomPrefix + h
}

// cleanTarget checks one mapping target and returns its canonical form.
func cleanTarget(t string) (string, error) {
	t = strings.TrimSpace(t)
	switch {
	case t == "" || t == "-" || strings.EqualFold(t, Ignore):
		return Ignore, nil
	case len(t) >= len(CustomPrefix) && strings.EqualFold(t[:len(CustomPrefix)], CustomPrefix):
		name := strings.TrimSpace(t[len(CustomPrefix):])
		if name == "" || utf8.RuneCountInString(name) > maxHeader {
			return "", fmt.Errorf("a custom field needs a name of 1 to %d characters after %q", maxHeader, CustomPrefix)
		}
		return CustomPrefix + name, nil
	}
	if _, ok := fieldByName(strings.ToLower(t)); ok {
		return strings.ToLower(t), nil
	}
	names := make([]string, len(Fields))
	for i, f := range Fields {
		names[i] = f.Name
	}
	return "", fmt.Errorf("must be one of %s, %s<name> or %s", strings.Join(names, ", "), CustomPrefix, Ignore)
}

// cutPrefixFold is strings.CutPrefix ignoring ASCII case.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}
