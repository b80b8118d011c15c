package notify

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode/utf8"

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
	Link    string
	Failed  bool
	// Day and Items are a digest: the follow-ups due by the end of Day.
	Day   string
	Items []DigestItem
	// SettingsURL is where the recipient turns off non-essential e-mails.
	SettingsURL string
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

// kindTemplate is the wording of one kind: text/template sources rendered
// to plain text, then laid out as text and (escaped) as HTML.
type kindTemplate struct {
	subject string
	lines   []string // paragraphs; an empty result is dropped
	action  string   // the label of the main link (text/template)
	link    string   // "lead" (LeadURL) or "ref" (Link); "" for none
}

var kinds = map[string]kindTemplate{
	lead.EmailOffered: {
		subject: `Lead offered to you: {{company .}}{{with .Deadline}} (accept by {{when .}}){{end}}`,
		lines: []string{
			`{{who .}} is offered to you{{with .Pool}} from the pool {{.}}{{end}}.`,
			`Accept or decline it{{with .Deadline}} by {{when .}}; after that it goes to the next rep{{end}}.`,
		},
		action: "Open the lead", link: "lead",
	},
	lead.EmailAssigned: {
		subject: `New lead assigned to you: {{company .}}`,
		lines: []string{
			`{{who .}} has been assigned to you{{with .Actor}} by {{.}}{{end}}. It is in your leads now.`,
			`{{with .Reason}}Note: {{.}}{{end}}`,
		},
		action: "Open the lead", link: "lead",
	},
	lead.EmailNewLead: {
		subject: `New lead in {{pool .}}: {{company .}}`,
		lines: []string{
			`A new lead, {{who .}}, is waiting in {{pool .}}.`,
			`Claim it, or assign it to a rep.`,
		},
		action: "Open the lead", link: "lead",
	},
	lead.EmailSLAReminder: {
		subject: `Overdue: first contact with {{company .}}`,
		lines: []string{
			`You have not recorded a first contact with {{who .}} yet.`,
			`{{with .Reason}}{{sentence .}}{{end}}`,
			`Call or write to them and record the follow-up; otherwise the pool's admins will be told.`,
		},
		action: "Open the lead", link: "lead",
	},
	lead.EmailSLAEscalation: {
		subject: `Escalation: no first contact with {{company .}}{{with .Rep}} by {{.}}{{end}}`,
		lines: []string{
			`{{with .Rep}}{{.}} has{{else}}The rep has{{end}} not recorded a first contact with {{who .}}{{with .Pool}} (pool {{.}}){{end}}.`,
			`{{with .Reason}}{{sentence .}}{{end}}`,
			`Remind the rep, or reassign the lead.`,
		},
		action: "Open the lead", link: "lead",
	},
	lead.EmailReclaimReminder: {
		subject: `Reminder: {{company .}} goes back to the pool soon`,
		lines: []string{
			`{{with .Reason}}{{sentence .}}{{else}}{{who .}} will soon be reclaimed.{{end}}`,
			`Record a follow-up on {{who .}} to keep it.`,
		},
		action: "Open the lead", link: "lead",
	},
	lead.EmailConversionReminder: {
		subject: `Reminder: {{company .}} goes back to the pool soon`,
		lines: []string{
			`{{with .Reason}}{{sentence .}}{{else}}{{who .}} will soon be reclaimed.{{end}}`,
			`Follow-ups do not stop this timer: convert {{who .}} to a customer to keep it.`,
		},
		action: "Open the lead", link: "lead",
	},
	lead.EmailFollowUpDue: {
		subject: `Follow up {{company .}} now`,
		lines: []string{
			`When you claimed {{who .}} you planned to follow it up by now.`,
			`{{with .Reason}}{{sentence .}}{{end}}`,
			`Record the follow-up once you have called or written.`,
		},
		action: "Open the lead", link: "lead",
	},
	lead.EmailReclaimed: {
		subject: `{{company .}} was taken back from you`,
		lines: []string{
			`{{who .}} went back to {{pool .}}{{with .Reason}}: {{.}}{{end}}.`,
		},
		action: "Open the lead", link: "lead",
	},
	lead.EmailImportFinished: {
		subject: `{{if .Failed}}Your import failed{{else}}Your import is finished{{end}}{{with .Summary}}: {{.}}{{end}}`,
		lines: []string{
			`{{if .Failed}}The import you started failed.{{else}}The import you started is finished.{{end}}`,
			`{{with .Summary}}{{sentence .}}{{end}}`,
		},
		action: "See the import", link: "ref",
	},
	lead.EmailExportFinished: {
		subject: `{{if .Failed}}Your export failed{{else}}Your export is ready{{end}}{{with .Summary}}: {{.}}{{end}}`,
		lines: []string{
			`{{if .Failed}}The export you asked for failed.{{else}}The export you asked for is ready to download.{{end}}`,
			`{{with .Summary}}{{sentence .}}{{end}}`,
		},
		action: `{{if .Failed}}See the export{{else}}Open the export to download the file{{end}}`, link: "ref",
	},
	lead.EmailDigest: {
		subject: `{{len .Items}} follow-up{{if ne (len .Items) 1}}s{{end}} due today`,
		lines: []string{
			`{{if eq (len .Items) 1}}This lead is{{else}}These leads are{{end}} due for a follow-up by the end of {{.Day}}:`,
		},
	},
}

func formatWhen(t time.Time) string { return t.UTC().Format("Mon 2 Jan 15:04 MST") }

var funcs = texttemplate.FuncMap{
	"when": formatWhen,
	// company is the lead's company for a subject line.
	"company": func(d Data) string { return d.Lead.Company },
	// who is the company with its contact person.
	"who": func(d Data) string {
		if d.Lead.Name != "" {
			return d.Lead.Company + " (" + d.Lead.Name + ")"
		}
		return d.Lead.Company
	},
	"pool": func(d Data) string {
		if d.Pool != "" {
			return "the pool " + d.Pool
		}
		return "its pool"
	},
	// sentence capitalises s and ends it with a full stop.
	"sentence": func(s string) string {
		s = strings.TrimSpace(s)
		if s == "" {
			return ""
		}
		r, n := utf8.DecodeRuneInString(s)
		s = strings.ToUpper(string(r)) + s[n:]
		if !strings.HasSuffix(s, ".") {
			s += "."
		}
		return s
	},
}

// compiled holds the parsed subject and line templates of every kind.
var compiled = func() map[string][]*texttemplate.Template {
	out := map[string][]*texttemplate.Template{}
	for k, kt := range kinds {
		srcs := append([]string{kt.subject, kt.action}, kt.lines...)
		for i, src := range srcs {
			out[k] = append(out[k], texttemplate.Must(texttemplate.New(fmt.Sprintf("%s/%d", k, i)).Funcs(funcs).Parse(src)))
		}
	}
	return out
}()

// field is a labelled value of the lead's details block.
type field struct{ Label, Value string }

// layout is what the text and HTML layouts show.
type layout struct {
	To         string
	Paragraphs []string
	Details    []field
	Items      []DigestItem
	Day        string
	Action     string
	Link       string
	OptOut     string
}

var textLayout = texttemplate.Must(texttemplate.New("text").Funcs(funcs).Parse(`Hello {{.To}},
{{range .Paragraphs}}
{{.}}
{{end}}{{if .Details}}
{{range .Details}}{{.Label}}: {{.Value}}
{{end}}{{end}}{{if .Items}}
{{range .Items}}- {{.Company}}{{with .Name}} ({{.}}){{end}}{{with .NextStep}}: {{.}}{{end}}, due {{when .Due}}{{if .Overdue $.Day}} (overdue){{end}}
  {{.URL}}
{{end}}{{end}}{{if .Link}}
{{.Action}}: {{.Link}}
{{end}}
-- 
leadflow{{with .OptOut}}
You can turn these e-mails off: {{.}}{{end}}
`))

var htmlLayout = htmltemplate.Must(htmltemplate.New("html").Funcs(htmltemplate.FuncMap{"when": formatWhen}).Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"></head>
<body style="font-family: -apple-system, Segoe UI, Helvetica, Arial, sans-serif; color: #1f2328; line-height: 1.5">
<p>Hello {{.To}},</p>
{{range .Paragraphs}}<p>{{.}}</p>
{{end}}{{if .Details}}<table style="border-collapse: collapse">
{{range .Details}}<tr><td style="padding: 2px 12px 2px 0; color: #59636e">{{.Label}}</td><td style="padding: 2px 0">{{.Value}}</td></tr>
{{end}}</table>
{{end}}{{if .Items}}<ul>
{{range .Items}}<li><a href="{{.URL}}">{{.Company}}</a>{{with .Name}} ({{.}}){{end}}{{with .NextStep}}: {{.}}{{end}}, due {{when .Due}}{{if .Overdue $.Day}} <strong>(overdue)</strong>{{end}}</li>
{{end}}</ul>
{{end}}{{if .Link}}<p><a href="{{.Link}}" style="display: inline-block; padding: 8px 16px; background: #0969da; color: #ffffff; text-decoration: none; border-radius: 6px">{{.Action}}</a></p>
{{end}}<hr style="border: none; border-top: 1px solid #d1d9e0">
<p style="color: #59636e; font-size: 12px">leadflow{{with .OptOut}} · You can turn these e-mails off: {{.}}{{end}}</p>
</body></html>
`))

// maxSubject bounds a subject line (in characters).
const maxSubject = 150

// Render returns the subject, the plain-text body and the HTML body of d.
func Render(d Data) (subject, text, html string, err error) {
	kt, ok := kinds[d.Kind]
	if !ok {
		return "", "", "", fmt.Errorf("notify: no template for e-mail kind %q", d.Kind)
	}
	var out []string
	for _, t := range compiled[d.Kind] {
		var b bytes.Buffer
		if err := t.Execute(&b, d); err != nil {
			return "", "", "", fmt.Errorf("notify: render %s: %w", d.Kind, err)
		}
		out = append(out, strings.TrimSpace(b.String()))
	}
	subject = oneLine(out[0])
	if utf8.RuneCountInString(subject) > maxSubject {
		subject = string([]rune(subject)[:maxSubject-1]) + "…"
	}
	l := layout{To: d.To, Items: d.Items, Day: d.Day, Action: out[1]}
	if l.To == "" {
		l.To = "there"
	}
	for _, p := range out[2:] {
		if p != "" {
			l.Paragraphs = append(l.Paragraphs, p)
		}
	}
	switch kt.link {
	case "lead":
		l.Link = d.LeadURL
		l.Details = leadDetails(d.Lead)
	case "ref":
		l.Link = d.Link
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

// leadDetails are the facts a rep wants before calling.
func leadDetails(l lead.Lead) []field {
	var out []field
	add := func(label, v string) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, field{label, v})
		}
	}
	add("Company", l.Company)
	add("Contact", l.Name)
	phone := l.PhoneE164
	if phone == "" {
		phone = l.Phone
	}
	add("Phone", phone)
	add("E-mail", l.Email)
	add("Country", l.Country)
	add("Source", l.Source)
	add("Stage", l.Stage)
	return out
}

// oneLine collapses whitespace (newlines included) to single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
