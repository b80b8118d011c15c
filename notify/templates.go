package notify

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode/utf8"

	"github.com/leadflow/leadflow/i18n"
	"github.com/leadflow/leadflow/lead"
)

// Data is what one notification e-mail is about; Render turns it into the
// subject and the two bodies.
type Data struct {
	Kind string
	To   string // the recipient's name
	// Lead is the lead of a lead e-mail; LeadURL links to it.
	Lead    lead.Lead
	LeadURL string
	Pool    string // the name of the lead's pool
	Rep     string // the rep concerned (escalations: who missed first contact)
	Actor   string // who assigned the lead
	Reason  string
	// Deadline is when an offer expires.
	Deadline *time.Time
	// Summary and Link describe a finished import or export; Failed says
	// it failed (Summary then says why).
	Summary string
	// Counts, when Summary is "", are a finished job's counts: the summary
	// is said from them in the recipient's language.
	Counts *JobCounts
	Link   string
	Failed bool
	// Day and Items are a digest: the follow-ups due by the end of Day.
	Day   string
	Items []DigestItem
	// SettingsURL is where the recipient turns off non-essential e-mails.
	SettingsURL string
	// Lang is the recipient's language (lead.User.Language; English when
	// unset), Zone their time zone (lead.UserZone; UTC when nil).
	Lang string
	Zone *time.Location
}

// DigestItem is one due follow-up of a digest.
type DigestItem struct {
	LeadID   string
	Company  string
	Name     string
	NextStep string
	Due      time.Time
	URL      string
}

// Overdue reports whether the follow-up was due before the digest's day.
// Due is in the recipient's zone, the zone of day.
func (i DigestItem) Overdue(day string) bool { return i.Due.Format(time.DateOnly) < day }

// kindTemplate is the shape of one kind's e-mail; its words are the
// catalogue's mail.<kind>.subject, mail.<kind>.1… (paragraphs; an empty
// one is dropped) and mail.<kind>.action (the main link's label), in the
// recipient's language, given the values of args.
type kindTemplate struct {
	lines int    // how many paragraphs
	link  string // "lead" (LeadURL) or "ref" (Link); "" for none
}

var kinds = map[string]kindTemplate{
	lead.EmailOffered:            {lines: 2, link: "lead"},
	lead.EmailAssigned:           {lines: 2, link: "lead"},
	lead.EmailNewLead:            {lines: 2, link: "lead"},
	lead.EmailSLAReminder:        {lines: 3, link: "lead"},
	lead.EmailSLAEscalation:      {lines: 3, link: "lead"},
	lead.EmailReclaimReminder:    {lines: 2, link: "lead"},
	lead.EmailConversionReminder: {lines: 2, link: "lead"},
	lead.EmailFollowUpDue:        {lines: 3, link: "lead"},
	lead.EmailReclaimed:          {lines: 1, link: "lead"},
	lead.EmailImportFinished:     {lines: 2, link: "ref"},
	lead.EmailExportFinished:     {lines: 2, link: "ref"},
	lead.EmailBulkFinished:       {lines: 2, link: "ref"},
	lead.EmailDigest:             {lines: 1},
	lead.EmailWebhookDisabled:    {lines: 3},
	lead.EmailReply:              {lines: 1, link: "lead"},
	lead.EmailFlagged:            {lines: 2, link: "lead"},
}

// weekdays are the days of the week in Chinese, Sunday first.
var weekdays = []string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// formatWhen writes t in zone for lang: "Mon 2 Jan 15:04 UTC", "11月23日 周一 18:30 CST".
func formatWhen(lang string, zone *time.Location, t time.Time) string {
	t = t.In(zone)
	if lang == i18n.ZH {
		return fmt.Sprintf("%d月%d日 %s %s", t.Month(), t.Day(), weekdays[t.Weekday()], t.Format("15:04 MST"))
	}
	return t.Format("Mon 2 Jan 15:04 MST")
}

// sentence capitalises s and ends it with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	r, n := utf8.DecodeRuneInString(s)
	s = strings.ToUpper(string(r)) + s[n:]
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "。") {
		s += "."
	}
	return s
}

// JobCounts are what a finished import or export did: an import's rows
// and what became of them, an export's rows and format; or what a bulk
// action (Bulk) did: its leads (Rows), Succeeded, Refused and Failed.
type JobCounts struct {
	Import                                                   bool
	Rows, Created, Merged, AlreadyImported, Rejected, Failed int
	Format                                                   string
	Bulk                                                     bool
	Succeeded, Refused                                       int
}

// summary says c in lang: "10 rows, 8 created, 2 rejected", "42 leads, CSV".
func (c JobCounts) summary(lang string) string {
	if c.Bulk {
		return i18n.T(lang, "mail.bulk_summary", "Rows", c.Rows, "Succeeded", c.Succeeded, "Refused", c.Refused, "Failed", c.Failed)
	}
	if !c.Import {
		return i18n.T(lang, "mail.export_summary", "Rows", c.Rows, "Format", strings.ToUpper(c.Format))
	}
	parts := []string{i18n.T(lang, "mail.n_created", "N", c.Created)}
	for _, p := range []struct {
		n  int
		id string
	}{{c.Merged, "mail.n_merged"}, {c.AlreadyImported, "mail.n_before"}, {c.Rejected, "mail.n_rejected"}, {c.Failed, "mail.n_failed"}} {
		if p.n > 0 {
			parts = append(parts, i18n.T(lang, p.id, "N", p.n))
		}
	}
	return i18n.T(lang, "mail.import_summary", "Rows", c.Rows, "Parts", strings.Join(parts, i18n.T(lang, "mail.sep")))
}

// args are the values a kind's words may use, as i18n.T's pairs.
func args(d Data, lang string, zone *time.Location) []any {
	who := d.Lead.Company
	if d.Lead.Name != "" {
		who = i18n.T(lang, "mail.who", "Company", d.Lead.Company, "Name", d.Lead.Name)
	}
	pool := i18n.T(lang, "mail.its_pool")
	if d.Pool != "" {
		pool = i18n.T(lang, "mail.the_pool", "Pool", d.Pool)
	}
	summary := d.Summary
	if summary == "" && d.Counts != nil {
		summary = d.Counts.summary(lang)
	}
	deadline := ""
	if d.Deadline != nil {
		deadline = formatWhen(lang, zone, *d.Deadline)
	}
	return []any{"Company", d.Lead.Company, "Who", who, "Pool", pool, "PoolName", d.Pool, "Rep", d.Rep, "Actor", d.Actor,
		"Reason", d.Reason, "ReasonSentence", sentence(d.Reason), "Deadline", deadline, "Summary", summary,
		"SummarySentence", sentence(summary), "Failed", d.Failed, "Day", d.Day, "N", len(d.Items)}
}

// field is a labelled value of the lead's details block.
type field struct{ Label, Value string }

// item is one due follow-up of a digest, in the recipient's words.
type item struct {
	Company, Name, NextStep, URL string
	Due                          string // ", due Mon 23 Nov 10:30 UTC"
	Overdue                      string // "(overdue)", or ""
}

// layout is what the text and HTML layouts show, in the recipient's words.
type layout struct {
	Hello      string
	Paragraphs []string
	Details    []field
	Items      []item
	Action     string
	Link       string
	OptOut     string // the settings' URL, for non-essential kinds
	OptOutText string
}

var textLayout = texttemplate.Must(texttemplate.New("text").Parse(`{{.Hello}}
{{range .Paragraphs}}
{{.}}
{{end}}{{if .Details}}
{{range .Details}}{{.Label}}: {{.Value}}
{{end}}{{end}}{{if .Items}}
{{range .Items}}- {{.Company}}{{with .Name}} ({{.}}){{end}}{{with .NextStep}}: {{.}}{{end}}{{.Due}}{{with .Overdue}} {{.}}{{end}}
  {{.URL}}
{{end}}{{end}}{{if .Link}}
{{.Action}}: {{.Link}}
{{end}}
-- 
leadflow{{with .OptOut}}
{{$.OptOutText}} {{.}}{{end}}
`))

var htmlLayout = htmltemplate.Must(htmltemplate.New("html").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"></head>
<body style="font-family: -apple-system, Segoe UI, Helvetica, Arial, 'PingFang SC', 'Microsoft YaHei', sans-serif; color: #1f2328; line-height: 1.5">
<p>{{.Hello}}</p>
{{range .Paragraphs}}<p>{{.}}</p>
{{end}}{{if .Details}}<table style="border-collapse: collapse">
{{range .Details}}<tr><td style="padding: 2px 12px 2px 0; color: #59636e">{{.Label}}</td><td style="padding: 2px 0">{{.Value}}</td></tr>
{{end}}</table>
{{end}}{{if .Items}}<ul>
{{range .Items}}<li><a href="{{.URL}}">{{.Company}}</a>{{with .Name}} ({{.}}){{end}}{{with .NextStep}}: {{.}}{{end}}{{.Due}}{{with .Overdue}} <strong>{{.}}</strong>{{end}}</li>
{{end}}</ul>
{{end}}{{if .Link}}<p><a href="{{.Link}}" style="display: inline-block; padding: 8px 16px; background: #0969da; color: #ffffff; text-decoration: none; border-radius: 6px">{{.Action}}</a></p>
{{end}}<hr style="border: none; border-top: 1px solid #d1d9e0">
<p style="color: #59636e; font-size: 12px">leadflow{{with .OptOut}} · {{$.OptOutText}} {{.}}{{end}}</p>
</body></html>
`))

// maxSubject bounds a subject line (in characters).
const maxSubject = 150

// Render returns the subject, the plain-text body and the HTML body of d,
// in d.Lang (English by default) with times in d.Zone (UTC by default).
func Render(d Data) (subject, text, html string, err error) {
	kt, ok := kinds[d.Kind]
	if !ok {
		return "", "", "", fmt.Errorf("notify: no template for e-mail kind %q", d.Kind)
	}
	lang := i18n.Pick("", d.Lang)
	zone := d.Zone
	if zone == nil {
		zone = time.UTC
	}
	a := args(d, lang, zone)
	word := func(id string) string { return strings.TrimSpace(i18n.T(lang, "mail."+d.Kind+"."+id, a...)) }
	subject = oneLine(word("subject"))
	if utf8.RuneCountInString(subject) > maxSubject {
		subject = string([]rune(subject)[:maxSubject-1]) + "…"
	}
	to := d.To
	if to == "" {
		to = i18n.T(lang, "mail.there")
	}
	l := layout{Hello: i18n.T(lang, "mail.hello", "To", to), OptOutText: i18n.T(lang, "mail.opt_out")}
	for i := 1; i <= kt.lines; i++ {
		if p := word(strconv.Itoa(i)); p != "" {
			l.Paragraphs = append(l.Paragraphs, p)
		}
	}
	for _, it := range d.Items {
		x := item{Company: it.Company, Name: it.Name, NextStep: it.NextStep, URL: it.URL,
			Due: i18n.T(lang, "mail.due", "When", formatWhen(lang, zone, it.Due))}
		if it.Due.In(zone).Format(time.DateOnly) < d.Day {
			x.Overdue = i18n.T(lang, "mail.overdue")
		}
		l.Items = append(l.Items, x)
	}
	switch kt.link {
	case "lead":
		l.Link, l.Action = d.LeadURL, word("action")
		l.Details = leadDetails(lang, d.Lead)
	case "ref":
		l.Link, l.Action = d.Link, word("action")
	}
	if !lead.EssentialEmail(d.Kind) {
		l.OptOut = d.SettingsURL
	}
	var tb, hb bytes.Buffer
	if err := textLayout.Execute(&tb, l); err != nil {
		return "", "", "", fmt.Errorf("notify: text layout: %w", err)
	}
	if err := htmlLayout.Execute(&hb, l); err != nil {
		return "", "", "", fmt.Errorf("notify: html layout: %w", err)
	}
	return subject, tb.String(), hb.String(), nil
}

// leadDetails are the facts a rep wants before calling, labelled in lang.
func leadDetails(lang string, l lead.Lead) []field {
	var out []field
	add := func(label, v string) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, field{i18n.T(lang, "mail.detail."+label), v})
		}
	}
	add("company", l.Company)
	add("contact", l.Name)
	phone := l.PhoneE164
	if phone == "" {
		phone = l.Phone
	}
	add("phone", phone)
	add("email", l.Email)
	add("country", l.Country)
	add("source", l.Source)
	add("stage", l.Stage)
	return out
}

// oneLine collapses whitespace (newlines included) to single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
