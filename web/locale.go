package web

import (
	"fmt"
	"html/template"
	"sync"
	"time"

	"github.com/leadflow/leadflow/i18n"
	"github.com/leadflow/leadflow/lead"
)

// This file binds the console's templates to a reader: their language
// (the words of {{t "id"}}) and time zone (every {{when}}).

// Locale is whom a page is written for: a language of i18n.Languages and
// a time zone (UTC when nil).
type Locale struct {
	Lang string
	Zone *time.Location
}

// ZoneName is the zone's IANA name, "UTC" when none.
func (l Locale) ZoneName() string {
	if l.Zone == nil {
		return "UTC"
	}
	return l.Zone.String()
}

// T is the message id in the locale's language (see i18n.T).
func (l Locale) T(id string, args ...any) string { return i18n.T(l.Lang, id, args...) }

// When formats a time in the locale's zone (see When).
func (l Locale) When(v any) string { return When(l.Zone, v) }

type localeKey struct{ lang, zone string }

// bound caches, per locale, every page's templates with the locale's
// functions. consolePages themselves are never executed, so they can be
// cloned for a new locale at any time.
var bound sync.Map // localeKey → *sync.Map (page name → *template.Template)

func (l Locale) page(name string) (*template.Template, error) {
	master, ok := consolePages()[name]
	if !ok {
		return nil, fmt.Errorf("web: no page %q", name)
	}
	if l.Lang = i18n.Match(l.Lang); l.Lang == "" {
		l.Lang = i18n.EN
	}
	k := localeKey{l.Lang, l.ZoneName()}
	m, _ := bound.LoadOrStore(k, &sync.Map{})
	pages := m.(*sync.Map)
	if t, ok := pages.Load(name); ok {
		return t.(*template.Template), nil
	}
	t, err := master.Clone()
	if err != nil {
		return nil, err
	}
	t.Funcs(template.FuncMap{
		"t":       l.T,
		"when":    l.When,
		"reclaim": func(x lead.Lead) *Reclaim { return ReclaimOf(l.Lang, x) },
		"lang":    func() string { return l.Lang },
		"zone":    l.ZoneName,
	})
	actual, _ := pages.LoadOrStore(name, t)
	return actual.(*template.Template), nil
}
