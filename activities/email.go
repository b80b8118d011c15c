package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/metrics"
	"github.com/leadflow/leadflow/notify"
	"github.com/leadflow/leadflow/store"
)

func (a *Activities) sender() notify.Sender {
	if a.Mail != nil {
		return a.Mail
	}
	return notify.Outbox{}
}

func (a *Activities) publicURL() string {
	if a.PublicURL != "" {
		return strings.TrimRight(a.PublicURL, "/")
	}
	return lead.DefaultPublicURL
}

// leadURL is the link to a lead in e-mails.
func (a *Activities) leadURL(id string) string { return a.publicURL() + "/leads/" + id }

// Email sends the notification e-mails of one event: it resolves the
// recipients (the rep concerned, the pool's admins, or the designated
// recipients of the lead's pool and team), leaves out inactive users and
// those who opted out of a non-essential kind, renders each e-mail and
// sends it once per key and recipient: the e-mail is claimed in
// PostgreSQL first, so a retried activity skips what was sent (or refused
// for good) already. An e-mail about a lead that has moved on (an offer
// accepted before the e-mail went out, say) is not sent. Each active
// recipient's chat targets (and their team's) that take the kind get the
// same notification, once per target (chat.go).
//
// Errors: a provider answer 429 or 5xx (or a network failure) is
// returned as a retryable error after the other recipients were served;
// a refusal for good (another 4xx) is recorded as failed and returned as a
// non-retryable application error of type lead.ErrEmailRejected.
func (a *Activities) Email(ctx context.Context, e lead.Email) error {
	if e.Key == "" || !lead.KnownEmailKind(e.Kind) {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("bad e-mail request: kind %q, key %q", e.Kind, e.Key),
			string(lead.CodeInvalid), nil)
	}
	d := notify.Data{Kind: e.Kind, Reason: e.Reason, Summary: e.Summary, Day: e.Day,
		SettingsURL: a.publicURL() + "/settings/notifications"}
	var l lead.Lead
	if e.LeadID != "" {
		var err error
		if l, err = a.Store.Lead(ctx, e.LeadID); err != nil {
			return wrap(err)
		}
		d.Lead, d.LeadURL = l, a.leadURL(l.ID)
	}
	poolID := e.PoolID
	if poolID == "" {
		poolID = l.PoolID
	}
	if e.RepID == "" && e.LeadID != "" && e.Kind != lead.EmailNewLead && e.Kind != lead.EmailSLAEscalation {
		e.RepID = l.OwnerID
	}
	if e.Kind == lead.EmailImportFinished || e.Kind == lead.EmailExportFinished || e.Kind == lead.EmailBulkFinished {
		if err := a.jobData(ctx, &e, &d); err != nil {
			return err
		}
	}
	if why := staleEmail(e, l); why != "" {
		a.Log.Info("e-mail not sent: the lead moved on", "kind", e.Kind, "lead", e.LeadID, "why", why)
		if activity.IsActivity(ctx) && activity.GetInfo(ctx).Attempt > 1 {
			// An earlier attempt may have claimed it and failed to send it
			// (a provider outage): it is not queued any more.
			if _, err := a.Store.DropQueuedNotifications(ctx, e.Key, "not sent: "+why); err != nil {
				return err
			}
		}
		return nil
	}

	var ids []string
	var err error
	switch e.Kind {
	case lead.EmailNewLead:
		ids, err = a.Store.NewLeadRecipients(ctx, poolID)
	case lead.EmailSLAEscalation:
		ids, err = a.Store.EscalationRecipients(ctx, poolID)
	default:
		if e.RepID != "" {
			ids = []string{e.RepID}
		}
	}
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	// One read of the recipients and of the rep and actor the e-mail names.
	all, err := a.Store.MailUsers(ctx, append([]string{e.RepID, e.ActorID}, ids...))
	if err != nil {
		return err
	}
	if err := a.emailData(ctx, e, poolID, all, &d); err != nil {
		return err
	}
	if e.Kind == lead.EmailDigest && len(d.Items) == 0 {
		return nil
	}
	users := slices.DeleteFunc(all, func(u store.MailUser) bool { return !slices.Contains(ids, u.ID) })
	var retry, refused []error
	record := func(to string, err error) {
		switch {
		case err == nil:
		case notify.Permanent(err):
			refused = append(refused, fmt.Errorf("to %s: %w", to, err))
		default:
			retry = append(retry, fmt.Errorf("to %s: %w", to, err))
		}
	}
	for _, u := range users {
		if !u.Active {
			continue
		}
		// The chat targets choose their kinds themselves (chat.go).
		a.postChats(ctx, e, d, u, record)
		if strings.TrimSpace(u.Email) == "" {
			continue
		}
		if !lead.EssentialEmail(e.Kind) && slices.Contains(u.OptOut, e.Kind) {
			a.Metrics.Email(e.Kind, metrics.EmailOptedOut)
			continue
		}
		record(u.Email, a.sendOne(ctx, e, d, u))
	}
	if len(retry) > 0 {
		return errors.Join(retry...)
	}
	if len(refused) > 0 {
		err := errors.Join(refused...)
		return temporal.NewNonRetryableApplicationError(err.Error(), lead.ErrEmailRejected, err)
	}
	return nil
}

// EmailLease is how long one attempt may take to send an e-mail before
// another attempt may send it: longer than the provider's timeout
// (notify.SendGrid.Timeout, 30 s).
const EmailLease = 2 * time.Minute

// errEmailInFlight is a retryable error: another attempt is sending the
// e-mail now; the retry finds it sent, or sends it when that attempt died.
var errEmailInFlight = errors.New("another attempt is sending this e-mail")

// sendOne claims, sends and records the e-mail of kind e.Kind to u. The
// one window for a duplicate: SendGrid accepted the e-mail but the worker
// died before recording it (SendGrid has no idempotency key of its own).
func (a *Activities) sendOne(ctx context.Context, e lead.Email, d notify.Data, u store.MailUser) error {
	n, err := a.render(e, d, u)
	if err != nil {
		return err
	}
	n.Key, n.ToEmail = e.Key+"/"+u.ID, u.Email
	return a.deliver(ctx, n, u.Name, a.sender())
}

// render is the notification of kind e.Kind to u (without its key and
// destination): in the recipient's language and time zone (lead.UserZone:
// theirs, else their team's, else the server's).
func (a *Activities) render(e lead.Email, d notify.Data, u store.MailUser) (lead.Notification, error) {
	d.To, d.Lang, d.Zone = u.Name, u.Language, lead.UserZone(u.TimeZone, u.TeamZone, a.TimeZone)
	subject, text, html, err := notify.Render(d)
	if err != nil {
		return lead.Notification{}, temporal.NewNonRetryableApplicationError(err.Error(), string(lead.CodeInternal), err)
	}
	return lead.Notification{Kind: e.Kind, ToUserID: u.ID, Subject: subject, Text: text, HTML: html, LeadID: e.LeadID}, nil
}

// staleEmail says why an e-mail about l no longer applies ("" when it does).
func staleEmail(e lead.Email, l lead.Lead) string {
	if e.LeadID == "" {
		return ""
	}
	switch e.Kind {
	case lead.EmailOffered:
		if l.Status != lead.StatusOffered || l.OwnerID != e.RepID {
			return "the offer is over"
		}
	case lead.EmailAssigned, lead.EmailSLAReminder, lead.EmailReclaimReminder:
		if l.Status != lead.StatusAssigned || l.OwnerID != e.RepID {
			return "the rep no longer holds the lead"
		}
	case lead.EmailSLAEscalation:
		if l.Status != lead.StatusAssigned || (e.RepID != "" && l.OwnerID != e.RepID) {
			return "the lead is no longer with that rep"
		}
	case lead.EmailNewLead:
		if l.Status != lead.StatusPooled {
			return "the lead has been taken"
		}
	}
	return ""
}

// emailData fills what the templates show besides the lead; names are
// the users read for the e-mail (its rep and actor among them).
func (a *Activities) emailData(ctx context.Context, e lead.Email, poolID string, names []store.MailUser, d *notify.Data) error {
	if poolID != "" && e.LeadID != "" {
		p, err := a.Store.Pool(ctx, poolID)
		if err != nil && lead.ErrorCode(err) != lead.CodeNotFound {
			return err
		}
		d.Pool = p.Name
	}
	for _, u := range names {
		if u.ID == e.RepID {
			d.Rep = u.Name
		}
		if u.ID == e.ActorID && e.ActorID != e.RepID {
			d.Actor = u.Name
		}
	}
	switch e.Kind {
	case lead.EmailOffered:
		for _, dl := range lead.Deadlines(d.Lead) {
			if dl.Kind == lead.DeadlineOfferExpiry {
				d.Deadline = &dl.Due
			}
		}
	case lead.EmailDigest:
		loc := time.UTC
		if e.Zone != "" {
			loc = lead.UserZone(e.Zone, "", time.UTC)
		}
		end, err := lead.DayEnd(e.Day, loc)
		if err != nil {
			return temporal.NewNonRetryableApplicationError("digest day "+e.Day+" is not YYYY-MM-DD", string(lead.CodeInvalid), err)
		}
		due, err := a.Store.DueFollowUps(ctx, e.RepID, end)
		if err != nil {
			return err
		}
		for _, f := range due {
			d.Items = append(d.Items, notify.DigestItem{LeadID: f.LeadID, Company: f.Company, Name: f.Name,
				NextStep: f.NextStep, Due: f.NextAt.In(loc), URL: a.leadURL(f.LeadID)})
		}
	}
	return nil
}

// jobData completes an import_finished, export_finished or bulk_finished
// e-mail from the import, export or bulk action e.Ref: its creator is the recipient unless e.RepID
// says otherwise, its counts (or its error) the summary unless e.Summary
// is given, and the link points at its page.
func (a *Activities) jobData(ctx context.Context, e *lead.Email, d *notify.Data) error {
	if e.Ref == "" {
		return temporal.NewNonRetryableApplicationError("an "+e.Kind+" e-mail needs the ref of its import or export", string(lead.CodeInvalid), nil)
	}
	var creator, summary string
	var counts notify.JobCounts
	switch e.Kind {
	case lead.EmailBulkFinished:
		d.Link = a.publicURL() + "/bulk-actions/" + e.Ref
		b, err := a.Store.BulkAction(ctx, e.Ref)
		if err != nil {
			return wrap(err)
		}
		creator, d.Failed, summary = b.CreatedBy, b.Status == store.BulkFailed, b.Error
		counts = notify.JobCounts{Bulk: true, Rows: b.Total, Succeeded: b.Succeeded, Refused: b.Refused, Failed: b.Failed}
	case lead.EmailImportFinished:
		d.Link = a.publicURL() + "/imports/" + e.Ref
		im, err := a.Store.Import(ctx, e.Ref)
		if err != nil {
			return wrap(err)
		}
		creator, d.Failed, summary = im.CreatedBy, im.Status == store.JobFailed, im.Summary()
		counts = notify.JobCounts{Import: true, Rows: im.Total, Created: im.Created, Merged: im.Merged, AlreadyImported: im.AlreadyImported,
			Rejected: im.Rejected, Failed: im.Failed}
	default:
		ex, err := a.Store.Export(ctx, e.Ref)
		if err != nil {
			return wrap(err)
		}
		creator, d.Failed, summary = ex.CreatedBy, ex.Status == store.JobFailed, ex.Summary()
		counts = notify.JobCounts{Rows: ex.Rows, Format: ex.Format}
		// The export's page, not its file: signing in first ends there
		// (a download would leave the sign-in page on screen), and it says
		// when the file is kept until, or that it expired.
		d.Link = a.publicURL() + "/exports/" + e.Ref
	}
	if e.RepID == "" {
		e.RepID = creator
	}
	switch {
	case e.Summary != "":
	case d.Failed:
		d.Summary = summary // the error, as recorded
	default:
		d.Counts = &counts // said in each recipient's language
	}
	return nil
}

// SendDigests e-mails every user with follow-ups due by the end of their
// day the list of them, at lead.DigestHour in their zone (lead.UserZone):
// at is the start of the schedule's slot (RFC 3339; lead.DigestDay), and
// the users whose digest hour falls in it are served. Each e-mail is keyed
// by the user's local day, so a user gets one digest a day however often
// the slot runs. (A bare day, YYYY-MM-DD, from a run scheduled before the
// zones, is its slot at 07:00 UTC.) It returns how many users were due a
// digest. A user whose e-mail is refused for good is skipped; a temporary
// failure is returned (retryable) after the others were served, and the
// retry sends only what is missing.
func (a *Activities) SendDigests(ctx context.Context, at string) (int, error) {
	slot, err := time.Parse(time.RFC3339, at)
	if day, derr := time.Parse(time.DateOnly, at); derr == nil {
		slot, err = day.Add(lead.DigestHour*time.Hour), nil
	}
	if err != nil {
		return 0, temporal.NewNonRetryableApplicationError("digest slot "+at+" is not an RFC 3339 time", string(lead.CodeInvalid), err)
	}
	// A user served in this slot has 17 hours left of their day.
	users, err := a.Store.DigestRecipients(ctx, slot.Add(24*time.Hour-lead.DigestHour*time.Hour))
	if err != nil {
		return 0, err
	}
	var retry []error
	n := 0
	for i, u := range users {
		if activity.IsActivity(ctx) {
			activity.RecordHeartbeat(ctx, i)
		}
		loc := lead.UserZone(u.TimeZone, u.TeamZone, a.TimeZone)
		day, ok := lead.DigestDay(slot, loc)
		if !ok {
			continue
		}
		n++
		err := a.Email(ctx, lead.Email{Key: "digest/" + day + "/" + u.ID, Kind: lead.EmailDigest, RepID: u.ID, Day: day, Zone: loc.String()})
		var app *temporal.ApplicationError
		switch {
		case err == nil:
		case errors.As(err, &app) && app.NonRetryable():
			a.Log.Warn("digest not sent", "rep", u.ID, "day", day, "err", err)
		default:
			retry = append(retry, err)
		}
	}
	return n, errors.Join(retry...)
}
