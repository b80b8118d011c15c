// Package web is leadflow's server-rendered console (html/template with
// embedded assets). The api package serves it.
package web

import (
	"embed"

	"github.com/leadflow/leadflow/i18n"
	"html/template"
	"io"
)

//go:embed templates/*.html
var files embed.FS

var pages = template.Must(template.ParseFS(files, "templates/home.html"))

// registerPage is the registration page; RenderRegister binds its t to the
// page's language.
var registerPage = template.Must(template.New("register.html").Funcs(template.FuncMap{"t": func(string, ...any) string { return "" }}).
	ParseFS(files, "templates/register.html"))

// Home is what the start page shows.
type Home struct {
	PublicURL string
}

// RenderHome writes the start page.
func RenderHome(w io.Writer, h Home) error {
	return pages.ExecuteTemplate(w, "home.html", h)
}

// Register is what the public registration page shows.
type Register struct {
	RepName  string // the inviting rep's name, for an invite link
	Action   string // the API path the form posts to
	NotFound bool   // the invite link is unknown or rotated
	Lang     string // a language of i18n.Languages (see Language)
	Path     string // the page's path, for the language switch
	// RetryMinutes, when set, says that the client's network has opened too
	// many unknown invite links, and in how many minutes it may try again.
	RetryMinutes int
	// Set by RenderRegister from Lang:
	OtherLang, OtherLangLabel string
	SwitchURL                 string
}

// RenderRegister writes the public registration page in r.Lang.
func RenderRegister(w io.Writer, r Register) error {
	r.Lang = i18n.Pick("", r.Lang)
	r.OtherLang = other(r.Lang)
	r.OtherLangLabel = i18n.Names[r.OtherLang]
	r.SwitchURL = r.Path + "?lang=" + r.OtherLang
	t, err := registerPage.Clone()
	if err != nil {
		return err
	}
	lang := r.Lang
	t.Funcs(template.FuncMap{"t": func(id string, args ...any) string { return i18n.T(lang, id, args...) }})
	return t.ExecuteTemplate(w, "register.html", r)
}
