// Package web is leadflow's server-rendered console (html/template with
// embedded assets). The api package serves it.
package web

import (
	"embed"
	"html/template"
	"io"
)

//go:embed templates/*.html
var files embed.FS

var pages = template.Must(template.ParseFS(files, "templates/*.html"))

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
	Lang     string // en or zh (see Language)
	Path     string // the page's path, for the language switch
	// RetryMinutes, when set, says that the client's network has opened too
	// many unknown invite links, and in how many minutes it may try again.
	RetryMinutes int
	// Set by RenderRegister from Lang:
	T                         map[string]string
	OtherLang, OtherLangLabel string
	SwitchURL                 string
}

// RenderRegister writes the public registration page in r.Lang.
func RenderRegister(w io.Writer, r Register) error {
	if _, ok := registerText[r.Lang]; !ok {
		r.Lang = "en"
	}
	r.T = registerText[r.Lang]
	r.OtherLang = "zh"
	if r.Lang == "zh" {
		r.OtherLang = "en"
	}
	r.OtherLangLabel = languageNames[r.OtherLang]
	r.SwitchURL = r.Path + "?lang=" + r.OtherLang
	return pages.ExecuteTemplate(w, "register.html", r)
}
