// Package i18n holds leadflow's message catalogues (locales/<area>.en.json
// and locales/<area>.zh-CN.json, go-i18n's JSON format: an id to its text,
// with {{.Name}} placeholders) and picks a reader's language.
// Pages, e-mails, the digest and problem answers take their words from
// here by message id; it holds no page, template or HTTP code.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// The languages leadflow speaks.
const (
	EN = "en"
	ZH = "zh-CN"
)

// Languages are the supported languages, the default first.
var Languages = []string{EN, ZH}

// Names name each language in itself, for a language switch.
var Names = map[string]string{EN: "English", ZH: "中文"}

//go:embed locales/*.json
var files embed.FS

var (
	bundle     *goi18n.Bundle
	localizers = map[string]*goi18n.Localizer{}
	ids        = map[string]map[string]bool{}
)

func init() {
	bundle = goi18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	names, err := fs.Glob(files, "locales/*.json")
	if err != nil {
		panic(err)
	}
	for _, n := range names {
		b, err := files.ReadFile(n)
		if err != nil {
			panic(err)
		}
		mf, err := bundle.ParseMessageFileBytes(b, path.Base(n))
		if err != nil {
			panic(fmt.Sprintf("i18n: %s: %v", n, err))
		}
		lang := mf.Tag.String()
		if ids[lang] == nil {
			ids[lang] = map[string]bool{}
		}
		for _, m := range mf.Messages {
			if ids[lang][m.ID] {
				panic(fmt.Sprintf("i18n: %s: message %q is in two files", n, m.ID))
			}
			ids[lang][m.ID] = true
		}
	}
	for _, l := range Languages {
		localizers[l] = goi18n.NewLocalizer(bundle, l)
	}
}

// Has reports whether lang's catalogue holds the message id.
func Has(lang, id string) bool { return ids[lang][id] }

// IDs lists the message ids of lang's catalogue, sorted.
func IDs(lang string) []string {
	out := make([]string, 0, len(ids[lang]))
	for id := range ids[lang] {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// T is the message id in lang (English when lang is not supported), with
// args as name, value pairs for its {{.Name}} placeholders; a "Count" pair
// also picks the plural form. An id no catalogue holds comes back as
// itself (a test fails on every such id a template or e-mail uses).
func T(lang, id string, args ...any) string {
	l, ok := localizers[lang]
	if !ok {
		l = localizers[EN]
	}
	cfg := &goi18n.LocalizeConfig{MessageID: id}
	if len(args) > 0 {
		data := map[string]any{}
		for i := 0; i+1 < len(args); i += 2 {
			k := fmt.Sprint(args[i])
			data[k] = args[i+1]
			if k == "Count" {
				cfg.PluralCount = args[i+1]
			}
		}
		cfg.TemplateData = data
	}
	s, err := l.Localize(cfg)
	if err != nil && s == "" {
		return id
	}
	return s
}

// Match is the supported language a tag names ("zh", "zh-Hans-CN",
// "en-GB", "zh_CN"), or "" for none.
func Match(tag string) string {
	t := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(tag), "_", "-"))
	switch {
	case t == "":
		return ""
	case t == "zh" || strings.HasPrefix(t, "zh-"):
		return ZH // the only Chinese leadflow has
	case t == "en" || strings.HasPrefix(t, "en-"):
		return EN
	}
	return ""
}

// Pick is the reader's language: the first of choices (an explicit
// choice, the user's setting) that names a supported language, else the
// first of Accept-Language's tags (in order of quality) that does, else
// English.
func Pick(acceptLanguage string, choices ...string) string {
	for _, c := range choices {
		if l := Match(c); l != "" {
			return l
		}
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err == nil {
		for _, t := range tags {
			if l := Match(t.String()); l != "" {
				return l
			}
		}
	}
	return EN
}
