package web

import "github.com/leadflow/leadflow/lead"

// LeadMessages is the messages part of a lead's page: the form to send
// one (when the reader may act on the lead), the messages sent with their
// status, and the lead's consent on each channel.
type LeadMessages struct {
	CanSend   bool
	Channels  []string
	Templates []lead.Template
	Messages  []lead.Message
	Consents  []lead.Consent
	// Replies are the lead's replies, newest first.
	Replies []lead.Reply
	// Form is what was typed in a refused or previewed form.
	Form map[string]string
	// Preview is the form's message rendered for the lead, when asked.
	Preview *Rendered
}

// Rendered is a message rendered for a lead: its subject (e-mail) and text.
type Rendered struct{ Subject, Body string }

// TemplatesPage is /templates (Template nil: the list and a new template's
// form) or one template's page.
type TemplatesPage struct {
	Templates []lead.Template
	Template  *lead.Template
	CanEdit   bool
	Channels  []string
	Languages []string
	Form      map[string]string
	Errors    map[string]string
	// RequestID is the new template form's: sent twice, it saves one.
	RequestID string
	// Lines are the typed body's lines, numbered, when its compile error
	// names a line: that line is marked.
	Lines []TemplateLine
}

// TemplateLine is one numbered line of a template's body.
type TemplateLine struct {
	N    int
	Text string
	Bad  bool
}
