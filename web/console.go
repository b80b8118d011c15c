package web

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/leadflow/leadflow/i18n"
	"github.com/leadflow/leadflow/lead"
)

// This file renders the console's pages: each page template defines
// "content" and is executed inside the layout (console/layout.html).

//go:embed templates/console/*.html
var consoleFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Static is the console's embedded assets (CSS, JS), served under /static/.
func Static() fs.FS {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err) // the directory is embedded: never happens
	}
	return sub
}

// placeholders are the functions every page may call; pagesFor binds
// them to a reader's language and time zone (see locale.go).
var placeholders = template.FuncMap{
	"when":    func(any) string { return "" },
	"t":       func(string, ...any) string { return "" },
	"reclaim": func(lead.Lead) *Reclaim { return nil },
	"lang":    func() string { return "" },
	"zone":    func() string { return "" },
	"join":    strings.Join,
	"cell":    func(key string, l lead.Lead, list *LeadList) Cell { return Cell{Key: key, Lead: l, List: list} },
}

// Cell is one cell of the lead list: a column of a lead, in its list.
type Cell struct {
	Key  string
	Lead lead.Lead
	List *LeadList
}

// Reclaim is when a rep's lead goes back to its pool, as a list shows it.
type Reclaim struct {
	In   string // "in 2d 3h", "overdue"
	Why  string // the timer: "no follow-up within 7d"
	Soon bool   // less than a day left: highlighted
}

// ReclaimOf is the next reclaim of l (lead.NextReclaim) in lang's words,
// nil when none is due.
func ReclaimOf(lang string, l lead.Lead) *Reclaim {
	d, ok := lead.NextReclaim(l)
	if !ok {
		return nil
	}
	return &Reclaim{Why: DeadlineReason(lang, d, l.Policy), Soon: time.Until(d.Due) < 24*time.Hour, In: Left(lang, d.Due)}
}

// Left says how long until t, in lang: "in 2d 3h", "overdue".
func Left(lang string, t time.Time) string {
	left := time.Until(t)
	h := int(left.Hours())
	switch {
	case left <= 0:
		return i18n.T(lang, "time.overdue")
	case left >= 24*time.Hour:
		return i18n.T(lang, "time.in_days", "D", h/24, "H", h%24)
	case left >= time.Hour:
		return i18n.T(lang, "time.in_hours", "H", h, "M", int(left.Minutes())%60)
	default:
		return i18n.T(lang, "time.in_minutes", "M", int(left.Minutes())+1)
	}
}

// When formats a time (or a *time.Time) in zone, with its offset:
// "2026-12-07 05:57 +08:00"; "" for none.
func When(zone *time.Location, v any) string {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x == nil {
			return ""
		}
		t = *x
	default:
		return fmt.Sprint(v)
	}
	if t.IsZero() {
		return ""
	}
	if zone == nil {
		zone = time.UTC
	}
	return t.In(zone).Format("2006-01-02 15:04 -07:00")
}

// consolePages parses the console's pages on first use, not at start: a
// worker or a Temporal server from the same binary never renders one, and
// the parsed trees are about 17 MB of heap the collector would scan in
// every process (BENCHMARKS.md, "Scale-out").
var consolePages = sync.OnceValue(func() map[string]*template.Template {
	names, err := fs.Glob(consoleFiles, "templates/console/*.html")
	if err != nil {
		panic(err)
	}
	// Files named _*.html hold templates several pages share.
	shared := []string{"templates/console/layout.html"}
	for _, n := range names {
		if strings.HasPrefix(path.Base(n), "_") {
			shared = append(shared, n)
		}
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(path.Base(n), ".html")
		if base == "layout" || strings.HasPrefix(base, "_") {
			continue
		}
		out[base] = template.Must(template.New(base).Funcs(placeholders).ParseFS(consoleFiles, append(slices.Clone(shared), n)...))
	}
	return out
})

// Page is what every console page gets: the signed-in user and their CSRF
// token for the forms, the navigation item to highlight, a notice or a
// problem to show, and the page's own data.
type Page struct {
	Locale
	Title string
	User  lead.User // zero on the sign-in pages
	CSRF  string
	Nav   string
	// Menu are the management pages the user's role may use, for the nav.
	Menu []NavLink
	// MoreOn says the page is one of the Menu's More links.
	MoreOn  bool
	Notice  string
	Problem *Problem
	Data    any
	// Switch links to this page in each language.
	Switch []LangLink
}

// LangLink is one entry of the language switch.
type LangLink struct{ Value, Label, URL string }

// Problem is a refusal shown on a page: its title, the reasons of a
// refused action, and the bad fields with what is wrong with each.
type Problem struct {
	Title   string
	Reasons []string
	Fields  map[string]string
}

// Render writes the console page name (a file of templates/console
// without .html) with p.
func Render(w io.Writer, name string, p Page) error {
	t, err := p.Locale.page(name)
	if err != nil {
		return err
	}
	return t.ExecuteTemplate(w, "layout", p)
}

// Tab is one tab of the lead list.
type Tab struct {
	Label, URL string
	Active     bool
}

// Field is one input of a filter or edit form.
type Field struct {
	Name, Label, Value, Type string
	Options                  []string // a select's choices
	// Required fields must be filled; a Multiple select takes several
	// of its Options, those in Values.
	Required, Multiple bool
	Values             []string
}

// LeadList is the data of the lead list page.
type LeadList struct {
	Tabs     []Tab
	Tab      string // the active tab's key ("" for my leads)
	Fields   []Field
	Clear    string // the URL of the tab without filters
	Filtered bool
	Leads    []lead.Lead
	Next     string // the URL of the next page, "" on the last
	// SortURL sorts my leads by when they are reclaimed (soonest first).
	SortURL string
	// View is the active tab's view of leads off the normal path
	// ("rejected", "merged", "review", "closed"; "" for none).
	View string
	// Bulk is the action bar on the list's leads (bulk.go).
	Bulk *BulkBar
	// Saved are the saved views' tabs (the default ones first), each with
	// its count; Saved view is the active one's id ("" for none).
	Saved     []ViewTab
	SavedView string
	// Columns are the columns shown, in order; Choices every column, for
	// the column picker; Names the owners' and pools' names by id.
	Columns, Choices []string
	Names            map[string]string
	// NextSteps are the next steps of the leads' latest follow-ups, by lead id.
	NextSteps map[string]string
	// Params are the list's parameters now in force (hidden fields of the
	// "save as view" form); Shares whom the reader may share a view with;
	// CanChange says the reader may change or delete the active view.
	Params    []Field
	Shares    []string
	CanChange bool
	// Filters is how many filters are set (the phone's filter button says it).
	Filters int
	// RequestID is the "save as view" form's idempotency key.
	RequestID string
}

// ViewTab is a saved view's tab on the lead list: its name (a message id
// when Builtin), its count and its URL.
type ViewTab struct {
	Label, URL, ID string
	Builtin        bool
	Count          int
	Active         bool
}

// HistoryItem is one event of a lead's history as a page shows it.
type HistoryItem struct {
	lead.Event
	Actor   string   // the actor's name
	Details []Detail // the event's data, named
	Trace   string   // the explanation trace, indented JSON
	// RuleURL links the rule set version that decided ("" for none to read).
	RuleURL string
	// FollowUp is the record of a follow-up event.
	FollowUp *lead.FollowUp
}

// LeadPage is the data of a lead's page. Can holds the actions the user
// may do now (by lead.Action name); Errors the field errors of a refused
// form, keyed "form.field".
type LeadPage struct {
	Lead                                  lead.Lead
	PoolName, OwnerName                   string
	Can                                   map[string]bool
	Errors                                map[string]string
	FollowUpTypes, Stages, InvalidReasons []string
	EditFields                            []Field
	Events                                []HistoryItem
	// Reps are whom staff may assign the lead to; Pools where they may
	// transfer it.
	Reps, Pools []Choice
	// ReturnPools are where a return or a reclaim may send it besides its
	// own pool.
	ReturnPools []Choice
	// RequestID is sent with every form of the page: a form sent twice
	// (a double click, a resend) is applied once.
	RequestID string
	LeadDetails
	// Messages are the lead's messages and consent, and the form to send one.
	Messages LeadMessages
	// Sequences are the lead's enrolments and the form to enrol it.
	Sequences LeadSequences
}

// Choice is one option of a select: a value and its label.
type Choice struct{ Value, Label string }

// EmailSetting is one kind of e-mail on the settings page.
type EmailSetting struct {
	Kind, Label  string
	On, Required bool
}
