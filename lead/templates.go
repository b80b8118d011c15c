package lead

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"text/template/parse"
	"time"
	"unicode/utf8"
)

// Template is a message template: per channel and language, a subject
// (e-mail) and a body in Go's text/template syntax over TemplateData.
type Template struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Channel   string    `json:"channel"`
	Language  string    `json:"language"`
	Subject   string    `json:"subject"`
	Body      string    `json:"body"`
	CreatedBy string    `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// TemplateLanguages are the languages a template is written in.
var TemplateLanguages = []string{"en", "zh-CN"}

// TemplateData is what a template sees: the lead (its custom fields under
// Custom), its rep, the rep's invite link and the unsubscribe link.
type TemplateData struct {
	Lead           TemplateLead
	Rep            TemplateRep
	InviteURL      string
	UnsubscribeURL string
}

// TemplateLead is the lead as templates see it.
type TemplateLead struct {
	Name, Company, Phone, Email, Country, Group, Profession, Address, District, Division, Source, Stage string
	// Custom holds every defined custom field ("" when the lead has none).
	Custom map[string]string
}

// TemplateRep is the lead's rep as templates see it.
type TemplateRep struct{ Name, Email string }

// templateFields are the paths a template may use below the data's root.
var templateFields = map[string][]string{
	"Lead": {"Name", "Company", "Phone", "Email", "Country", "Group", "Profession", "Address", "District", "Division", "Source", "Stage"},
	"Rep":  {"Name", "Email"},
}

// NewTemplateData is l's data for a template, with the custom fields
// defined (names) and the rep.
func NewTemplateData(l Lead, custom []string, rep TemplateRep, inviteURL, unsubscribeURL string) TemplateData {
	d := TemplateData{Rep: rep, InviteURL: inviteURL, UnsubscribeURL: unsubscribeURL, Lead: TemplateLead{
		Name: l.Name, Company: l.Company, Phone: l.Phone, Email: l.Email, Country: l.Country, Group: l.Group,
		Profession: l.Profession, Address: l.Address, District: l.District, Division: l.Division, Source: l.Source,
		Stage: l.Stage, Custom: map[string]string{}}}
	for _, name := range custom {
		d.Lead.Custom[name] = ""
		if v, ok := l.Custom[name]; ok && v != nil {
			d.Lead.Custom[name] = fmt.Sprint(v)
		}
	}
	return d
}

// CompileTemplate parses text, the template's field ("subject" or
// "body"), and checks every variable it uses: a lead field, .Lead.Custom.
// with a defined custom field (custom), .Rep.Name or .Rep.Email,
// .InviteURL, .UnsubscribeURL. A refusal names the field with the line and
// column of the first problem.
func CompileTemplate(field, text string, custom []string) (*template.Template, error) {
	t, err := template.New(field).Option("missingkey=zero").Parse(text)
	if err != nil {
		line := 0
		if m := parseLine.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		msg := err.Error()
		if i := strings.LastIndex(msg, ": "); i >= 0 {
			msg = msg[i+2:]
		}
		return nil, Invalid(FieldError{Field: field, Reason: fmt.Sprintf("line %d: %s", line, msg)})
	}
	if t.Tree == nil || t.Tree.Root == nil {
		return t, nil
	}
	var bad error
	var walk func(parse.Node)
	refuse := func(n parse.Node, format string, args ...any) {
		if bad != nil {
			return
		}
		line, col := position(text, int(n.Position()))
		bad = Invalid(FieldError{Field: field, Reason: fmt.Sprintf("line %d, column %d: %s", line, col, fmt.Sprintf(format, args...))})
	}
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c)
				}
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			if n.ElseList != nil {
				walk(n.ElseList)
			}
		case *parse.PipeNode:
			if n == nil {
				return
			}
			if len(n.Decl) > 0 {
				refuse(n, "variables cannot be declared")
			}
			for _, c := range n.Cmds {
				for _, a := range c.Args {
					walk(a)
				}
			}
		case *parse.FieldNode:
			checkPath(n.Ident, custom, func(p string) { refuse(n, "unknown variable .%s", p) })
		case *parse.VariableNode:
			if n.Ident[0] != "$" {
				refuse(n, "unknown variable %s", strings.Join(n.Ident, "."))
			} else {
				checkPath(n.Ident[1:], custom, func(p string) { refuse(n, "unknown variable $.%s", p) })
			}
		case *parse.ChainNode:
			refuse(n, "unknown variable %s", n.String())
		case *parse.DotNode:
			refuse(n, "use a variable, such as {{.Lead.Name}}, not the dot alone")
		case *parse.RangeNode, *parse.WithNode, *parse.TemplateNode, *parse.BreakNode, *parse.ContinueNode:
			refuse(n, "%s is not allowed in a message template", n.String())
		}
	}
	walk(t.Tree.Root)
	return t, bad
}

// position is the line and column (from 1) of the variable the parser
// placed at byte pos of text: it reports a path at one of its later
// segments, so the path is followed back to its start.
func position(text string, pos int) (line, col int) {
	pos = min(max(pos, 0), len(text))
	for pos > 0 && strings.ContainsRune("$._abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", rune(text[pos-1])) {
		pos--
	}
	line = 1 + strings.Count(text[:pos], "\n")
	return line, 1 + utf8.RuneCountInString(text[strings.LastIndex(text[:pos], "\n")+1:pos])
}

var parseLine = regexp.MustCompile(`^template: [a-z]+:(\d+):`)

// checkPath calls unknown with the path when it is not a variable of
// TemplateData.
func checkPath(path []string, custom []string, unknown func(string)) {
	p := strings.Join(path, ".")
	switch {
	case len(path) == 1 && (path[0] == "InviteURL" || path[0] == "UnsubscribeURL"):
	case len(path) == 2 && slices.Contains(templateFields[path[0]], path[1]):
	case len(path) == 3 && path[0] == "Lead" && path[1] == "Custom" && slices.Contains(custom, path[2]):
	default:
		unknown(p)
	}
}

// RenderTemplate compiles text (field "subject" or "body") and executes it
// on d.
func RenderTemplate(field, text string, custom []string, d TemplateData) (string, error) {
	t, err := CompileTemplate(field, text, custom)
	if err != nil {
		return "", err
	}
	return ExecuteTemplate(field, t, d)
}

// ExecuteTemplate renders template t (of CompileTemplate) of field with d:
// what RenderTemplate does once the template is compiled, for a template
// rendered for many leads.
func ExecuteTemplate(field string, t *template.Template, d TemplateData) (string, error) {
	var b strings.Builder
	if err := t.Execute(&b, d); err != nil {
		return "", Invalid(FieldError{Field: field, Reason: err.Error()})
	}
	return b.String(), nil
}
