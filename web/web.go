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
