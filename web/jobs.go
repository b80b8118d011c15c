package web

import (
	"io"
	"time"
)

// This file holds the data of the import and export pages: the lists,
// the new-import form with its column-matching step, the new-export form,
// and the page of one import or export with its progress.

// JobRow is one line of an import's or export's page.
type JobRow struct{ Label, Value string }

// Link is a link with its label.
type Link struct{ URL, Label string }

// Job is the data of an import's or export's page. While it runs, Poll is
// the URL of the fragment (the "job" template) the page reloads itself from.
type Job struct {
	Status           string
	Processed, Total int // an import's progress; Total 0 for an export
	Rows             []JobRow
	Download         *Link
	Poll             string
	// DoneLabel says the progress ("job.rows_done" when empty); Cancel is
	// the URL of the form that stops the job (with CSRF), "" for none.
	DoneLabel    string
	Cancel, CSRF string
}

// JobItem is one import or export of a list.
type JobItem struct {
	URL, Title, Status, Summary string
	Created                     time.Time
}

// ImportList is the data of the imports page: the user's imports and the
// new-import form. Pools are those the user may import into; AnyPool says
// the form may leave the pool out (admins).
type ImportList struct {
	Imports  []JobItem
	Next     string
	Pools    []Choice
	AnyPool  bool
	Policies []Choice
	PoolID   string
	Policy   string
}

// ImportMatch is the column-matching step of a new import: each column of
// the file with the lead field it goes to, and the first rows.
type ImportMatch struct {
	FileName string
	Rows     int
	Columns  []MatchColumn
	Sample   [][]string
	// Errors are the preview's rows that would be refused, in words.
	Errors []string
}

// MatchColumn is one column of a file: its header, the field it is
// matched to, the fields it may go to, and its first values.
type MatchColumn struct {
	Header, Field string
	Choices       []Choice
	Values        []string
}

// ExportList is the data of the exports page: the user's exports and the
// new-export form (the lead list's filters and the fields to export).
type ExportList struct {
	Exports []JobItem
	Next    string
	Filters []Field
	Fields  []ExportField
	Format  string
}

// ExportField is one checkbox of the export form.
type ExportField struct {
	Name string
	On   bool
}

// RenderPart writes one template of a console page (a fragment a page's
// script fetches) with data, without the layout.
func RenderPart(w io.Writer, l Locale, page, name string, data any) error {
	t, err := l.page(page)
	if err != nil {
		return err
	}
	return t.ExecuteTemplate(w, name, data)
}
