package web

import (
	"github.com/leadflow/leadflow/i18n"
)

// This file holds the public registration page's languages: its words are
// the catalogues' register.* ids (i18n/locales/register.*.json), as are
// the registration endpoints' answers (httpx.Localize with the prefix
// "register.", the acceptance's register.received).

// Language picks the registration page's language: the query's choice
// (lang=en, lang=zh or lang=zh-CN) first, else the first of
// Accept-Language's that leadflow speaks, else English.
func Language(query, acceptLanguage string) string { return i18n.Pick(acceptLanguage, query) }

// other is the language the registration page's switch offers.
func other(lang string) string {
	if lang == i18n.ZH {
		return i18n.EN
	}
	return i18n.ZH
}
