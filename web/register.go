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
		"busy_title": "Too many unknown registration links were opened from your network",
		"busy_text":  "Please try again in %d min.",
	},
	"zh": {
		"title": "企业登记", "contact": "您的联系人", "company": "公司名称", "name": "您的姓名",
		"phone": "电话", "email": "电子邮箱", "country": "国家（两个字母，如 CN、US）", "submit": "提交登记",
		"done":     "谢谢！我们已收到您的登记，会尽快与您联系。",
		"required": "请填写此项。", "invalid": "请检查此项的格式。",
		"failed":     "登记未能完成。",
		"gone_title": "此登记链接已失效",
		"gone_text":  "它可能已被新的链接取代。请向您的联系人索取新链接。",
		"busy_title": "您所在网络打开的无效登记链接过多",
		"busy_text":  "请在 %d 分钟后再试。",
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

// answerText says, in the page's languages other than English, what the
// registration endpoints answer: field reasons by their code (a built-in
// check's, lead.Reason*), problem titles and details by the problem's code,
// and the message of an accepted registration. A reason without a code (a
// validation rule's message, written by an admin) is not translated.
var answerText = map[string]map[string]string{
	"zh": {
		"reason.required":        "请填写此项。",
		"reason.too_long":        "内容过长，请缩短。",
		"reason.invalid_email":   "电子邮箱地址无效。",
		"reason.invalid_country": "请填写两个字母的国家代码，如 CN、US。",
		"reason.unknown_field":   "登记表中没有此项。",
		"reason.wrong_type":      "此项的格式不正确。",
		"reason.malformed":       "提交的内容格式不正确。",

		"title.invalid":                "请检查标出的各项。",
		"title.bad_request":            "提交的内容格式不正确。",
		"title.registration_refused":   "您的登记未能被接受。",
		"detail.registration_refused":  "请通过电话或电子邮件与我们联系。",
		"title.rate_limited":           "您所在网络的请求过多。",
		"detail.rate_limited":          "请稍后再试。",
		"title.too_large":              "提交的内容过大。",
		"title.unsupported_media_type": "提交的内容格式不受支持。",
		"title.not_found":              "此登记链接已失效。",
		"title.unavailable":            "服务繁忙，请稍后再试。",
		"title.internal":               "登记未能完成，请稍后再试。",

		"received": "谢谢！我们已收到您的登记，会尽快与您联系。",
	},
}

// Answer returns the text of key (see answerText) in lang, or def when
// lang has none: English, or a key without a translation.
func Answer(lang, key, def string) string {
	if t, ok := answerText[lang][key]; ok {
		return t
	}
	return def
}
