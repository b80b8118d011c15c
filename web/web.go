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
}

// RenderRegister writes the public registration page.
func RenderRegister(w io.Writer, r Register) error {
	return pages.ExecuteTemplate(w, "register.html", r)
}
