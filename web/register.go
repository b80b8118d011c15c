package web

import "strings"

// This file holds the public registration page's two languages.

// registerText is the registration page's wording by language.
var registerText = map[string]map[string]string{
	"en": {
		"title": "Register your company", "contact": "Your contact", "company": "Company name", "name": "Your name",
		"phone": "Phone", "email": "E-mail", "country": "Country (two letters, e.g. CN, US)", "submit": "Register",
		"done":     "Thank you! Your registration was received; we will contact you soon.",
		"required": "Please fill in this field.", "invalid": "Please check this value.",
		"failed":     "The registration could not be completed.",
		"gone_title": "This registration link does not work",
		"gone_text":  "It may have been replaced by a newer one. Ask your contact for a new link.",
	},
	"zh": {
		"title": "企业登记", "contact": "您的联系人", "company": "公司名称", "name": "您的姓名",
		"phone": "电话", "email": "电子邮箱", "country": "国家（两个字母，如 CN、US）", "submit": "提交登记",
		"done":     "谢谢！我们已收到您的登记，会尽快与您联系。",
		"required": "请填写此项。", "invalid": "请检查此项的格式。",
		"failed":     "登记未能完成。",
		"gone_title": "此登记链接已失效",
		"gone_text":  "它可能已被新的链接取代。请向您的联系人索取新链接。",
	},
}

// languageNames name each language in itself, for the switch.
var languageNames = map[string]string{"en": "English", "zh": "中文"}

// Language picks the registration page's language: the query's choice
// (lang=en or lang=zh) first, else the first of Accept-Language's that
// the page has, else English.
func Language(query, acceptLanguage string) string {
	if _, ok := registerText[query]; ok {
		return query
	}
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "zh"):
			return "zh"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return "en"
}
