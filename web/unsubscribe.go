package web

import (
	"html/template"
	"io"

	"github.com/leadflow/leadflow/i18n"
	"github.com/leadflow/leadflow/lead"
)

// unsubscribePages are the public unsubscribe page in each language.
var unsubscribePages = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, lang := range i18n.Languages {
		t := func(id string, args ...any) string { return i18n.T(lang, id, args...) }
		out[lang] = template.Must(template.New("unsubscribe.html").Funcs(template.FuncMap{"t": t}).ParseFS(files, "templates/unsubscribe.html"))
	}
	return out
}()

// Unsubscribe is what the page of an unsubscribe link (/u/{token}) shows.
type Unsubscribe struct {
	Lang     string // a language of i18n.Languages
	Path     string // where the form posts: the page's path and language
	Channel  string // email, sms, messenger or whatsapp
	Address  string // the address, partly hidden (Masked)
	Done     bool   // the address is unsubscribed
	NotFound bool   // the link is not one leadflow signed
}

// RenderUnsubscribe writes the unsubscribe page in u.Lang.
func RenderUnsubscribe(w io.Writer, u Unsubscribe) error {
	u.Lang = i18n.Pick("", u.Lang)
	return unsubscribePages[u.Lang].ExecuteTemplate(w, "unsubscribe.html", u)
}

// Masked hides most of an address (lead.MaskContact).
func Masked(addr string) string { return lead.MaskContact(addr) }
