package lead

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// EmailKind describes one kind of notification e-mail.
type EmailKind struct {
	Kind string `json:"kind"`
	// Essential e-mails ask the recipient to act before a deadline (or tell
	// them a lead is now theirs); users cannot opt out of them.
	Essential   bool   `json:"essential"`
	Description string `json:"description"`
}

// EmailKinds lists every notification e-mail leadflow sends.
var EmailKinds = []EmailKind{
	{EmailOffered, true, "a lead is offered to you: accept or decline it before the offer expires"},
	{EmailAssigned, true, "a manager assigned a lead to you"},
	{EmailSLAReminder, true, "first contact with one of your leads is overdue"},
	{EmailSLAEscalation, true, "a rep missed first contact with a lead of a pool you administer"},
	{EmailReclaimReminder, true, "one of your leads will soon go back to its pool unless you record a follow-up"},
	{EmailConversionReminder, true, "one of your leads will soon go back to its pool unless you convert it"},
	{EmailFollowUpDue, false, "the follow-up you planned when claiming a lead is due"},
	{EmailNewLead, false, "a new lead entered a pool or team you are a designated recipient of"},
	{EmailReclaimed, false, "a lead was taken back from you"},
	{EmailImportFinished, false, "an import you started is finished"},
	{EmailExportFinished, false, "an export you asked for is ready"},
	{EmailBulkFinished, false, "a bulk action of more than 1,000 leads you started is over"},
	{EmailDigest, false, "every morning: your follow-ups due today"},
	{EmailWebhookDisabled, true, "a webhook subscription of yours was turned off: its deliveries kept failing"},
	{EmailReply, false, "one of your leads wrote back (SMS, Messenger, WhatsApp or e-mail)"},
	{EmailFlagged, false, "one of your leads was put under review: later registrations from its IP address were refused"},
}

// KnownEmailKind reports whether k is a notification kind.
func KnownEmailKind(k string) bool {
	return slices.ContainsFunc(EmailKinds, func(e EmailKind) bool { return e.Kind == k })
}

// EssentialEmail reports whether users cannot opt out of kind k.
func EssentialEmail(k string) bool {
	i := slices.IndexFunc(EmailKinds, func(e EmailKind) bool { return e.Kind == k })
	return i >= 0 && EmailKinds[i].Essential
}

// CleanOptOut checks a user's list of opted-out kinds under field and
// returns it sorted without duplicates. Only non-essential kinds may be
// opted out of.
func CleanOptOut(field string, kinds []string) ([]string, error) {
	var f Fields
	out := []string{}
	for _, k := range kinds {
		k = strings.TrimSpace(k)
		switch {
		case !KnownEmailKind(k):
			f.Add(field, fmt.Sprintf("%q is not a notification kind", k))
		case EssentialEmail(k):
			f.Add(field, fmt.Sprintf("%q e-mails are essential and cannot be turned off", k))
		case !slices.Contains(out, k):
			out = append(out, k)
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	slices.Sort(out)
	return out, nil
}

// Notification statuses.
const (
	NotificationQueued = "queued" // claimed, not delivered yet (being sent or retried)
	NotificationSent   = "sent"   // delivered to the provider (or stored in the outbox)
	NotificationFailed = "failed" // refused for good by the provider
)

// Notification is one e-mail to one recipient, as the outbox lists it.
type Notification struct {
	ID                string     `json:"id"`
	Key               string     `json:"key"`
	Kind              string     `json:"kind"`
	ToUserID          string     `json:"to_user_id,omitempty"`
	ToEmail           string     `json:"to_email"`
	Subject           string     `json:"subject"`
	Text              string     `json:"text"`
	HTML              string     `json:"html"`
	LeadID            string     `json:"lead_id,omitempty"`
	Status            string     `json:"status"`
	Error             string     `json:"error,omitempty"`
	Attempts          int        `json:"attempts"`
	Provider          string     `json:"provider,omitempty"`
	ProviderMessageID string     `json:"provider_message_id,omitempty"`
	CreatedAt         time.Time  `json:"created_at"`
	SentAt            *time.Time `json:"sent_at,omitempty"`
	// A message to a lead (Kind MessageKind) also has its channel, sender,
	// template, and for an e-mail the sender's name and unsubscribe link.
	Channel        string `json:"-"`
	SenderID       string `json:"-"`
	TemplateID     string `json:"-"`
	FromName       string `json:"-"`
	UnsubscribeURL string `json:"-"`
	// EnrolmentID is the sequence enrolment a step's message belongs to:
	// it is stored only while the enrolment is active.
	EnrolmentID string `json:"-"`
}

// Recipient is a person of a pool or team and whether they get its
// new-lead e-mails.
type Recipient struct {
	UserID  string    `json:"user_id"`
	Name    string    `json:"name"`
	Email   string    `json:"email"`
	Notify  bool      `json:"notify"`
	AddedAt time.Time `json:"added_at"`
}
