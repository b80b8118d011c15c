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
// accepted before the e-mail went out, say) is not sent.
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
	if e.Kind == lead.EmailImportFinished || e.Kind == lead.EmailExportFinished {
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
	if err := a.emailData(ctx, e, poolID, &d); err != nil {
		return err
	}
	if e.Kind == lead.EmailDigest && len(d.Items) == 0 {
		return nil
	}
	users, err := a.Store.MailUsers(ctx, ids)
	if err != nil {
		return err
	}
	var retry, refused []error
	for _, u := range users {
		if !u.Active || strings.TrimSpace(u.Email) == "" {
			continue
		}
		if !lead.EssentialEmail(e.Kind) && slices.Contains(u.OptOut, e.Kind) {
			a.Metrics.Email(e.Kind, metrics.EmailOptedOut)
			continue
		}
		err := a.sendOne(ctx, e, d, u)
		switch {
		case err == nil:
		case notify.Permanent(err):
			refused = append(refused, fmt.Errorf("to %s: %w", u.Email, err))
		default:
			retry = append(retry, fmt.Errorf("to %s: %w", u.Email, err))
		}
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
	// In the recipient's language and time zone (notify.ZoneOf: their zone,
	// else UTC; the seam for service.Location's team and server fallbacks).
	d.To, d.Lang, d.Zone = u.Name, u.Language, notify.ZoneOf(u.TimeZone)
	subject, text, html, err := notify.Render(d)
	if err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), string(lead.CodeInternal), err)
	}
	key := e.Key + "/" + u.ID
	n, err := a.Store.ClaimNotification(ctx, lead.Notification{Key: key, Kind: e.Kind, ToUserID: u.ID, ToEmail: u.Email,
		Subject: subject, Text: text, HTML: html, LeadID: e.LeadID})
	if err != nil {
		return err
	}
	if n.Status != lead.NotificationQueued {
		return nil // sent (or refused for good) by an earlier attempt
	}
	// One attempt at a time sends it: a retry that starts while an earlier
	// attempt still waits for the provider must not send it again.
	leased, err := a.Store.LeaseNotification(ctx, key, EmailLease)
	if err != nil {
		return err
	}
	if !leased {
		if n, err := a.Store.NotificationByKey(ctx, key); err == nil && n.Status != lead.NotificationQueued {
			return nil // sent (or refused for good) meanwhile
		}
		return errEmailInFlight
	}
	s := a.sender()
	args := map[string]string{"kind": e.Kind, "to_user_id": u.ID}
	if e.LeadID != "" {
		args["lead_id"] = e.LeadID
	}
	// The stored e-mail is sent, so that every attempt sends the same one.
	msgID, err := s.Send(ctx, notify.Message{Key: key, To: n.ToEmail, ToName: u.Name, Subject: n.Subject, Text: n.Text, HTML: n.HTML, Args: args})
	if err != nil {
		permanent := notify.Permanent(err)
		a.Log.Warn("e-mail not sent", "kind", e.Kind, "key", key, "to", n.ToEmail, "permanent", permanent, "err", err)
		result := metrics.EmailRetried
		if permanent {
			result = metrics.EmailFailed
		}
		a.Metrics.Email(e.Kind, result)
		if merr := a.Store.MarkNotificationFailed(context.WithoutCancel(ctx), key, s.Name(), err.Error(), permanent); merr != nil {
			return errors.Join(err, merr)
		}
		return err
	}
	a.Metrics.Email(e.Kind, metrics.EmailSent)
	// Recorded even when the activity's context is ending: the e-mail is out.
	return a.Store.MarkNotificationSent(context.WithoutCancel(ctx), key, s.Name(), msgID)
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

// emailData fills what the templates show besides the lead.
func (a *Activities) emailData(ctx context.Context, e lead.Email, poolID string, d *notify.Data) error {
	if poolID != "" && e.LeadID != "" {
		p, err := a.Store.Pool(ctx, poolID)
		if err != nil && lead.ErrorCode(err) != lead.CodeNotFound {
			return err
		}
		d.Pool = p.Name
	}
	names, err := a.Store.MailUsers(ctx, []string{e.RepID, e.ActorID})
	if err != nil {
		return err
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
		if l := d.Lead; l.OfferedAt != nil && l.Policy != nil && l.Policy.AcceptTimeout > 0 {
			t := l.OfferedAt.Add(time.Duration(l.Policy.AcceptTimeout))
			d.Deadline = &t
		}
	case lead.EmailDigest:
		day, err := time.Parse(time.DateOnly, e.Day)
		if err != nil {
			return temporal.NewNonRetryableApplicationError("digest day "+e.Day+" is not YYYY-MM-DD", string(lead.CodeInvalid), err)
		}
		due, err := a.Store.DueFollowUps(ctx, e.RepID, day.Add(24*time.Hour))
		if err != nil {
			return err
		}
		for _, f := range due {
			d.Items = append(d.Items, notify.DigestItem{LeadID: f.LeadID, Company: f.Company, Name: f.Name,
				NextStep: f.NextStep, Due: f.NextAt, URL: a.leadURL(f.LeadID)})
		}
	}
	return nil
}

// jobData completes an import_finished or export_finished e-mail from the
// import or export e.Ref: its creator is the recipient unless e.RepID
// says otherwise, its counts (or its error) the summary unless e.Summary
// is given, and the link points at its page.
func (a *Activities) jobData(ctx context.Context, e *lead.Email, d *notify.Data) error {
	if e.Ref == "" {
		return temporal.NewNonRetryableApplicationError("an "+e.Kind+" e-mail needs the ref of its import or export", string(lead.CodeInvalid), nil)
	}
	var creator, summary string
	if e.Kind == lead.EmailImportFinished {
		d.Link = a.publicURL() + "/imports/" + e.Ref
		im, err := a.Store.Import(ctx, e.Ref)
		if err != nil {
			return wrap(err)
		}
		creator, d.Failed, summary = im.CreatedBy, im.Status == store.JobFailed, im.Summary()
	} else {
		ex, err := a.Store.Export(ctx, e.Ref)
		if err != nil {
			return wrap(err)
		}
		creator, d.Failed, summary = ex.CreatedBy, ex.Status == store.JobFailed, ex.Summary()
		// The export's page, not its file: signing in first ends there
		// (a download would leave the sign-in page on screen), and it says
		// when the file is kept until, or that it expired.
		d.Link = a.publicURL() + "/exports/" + e.Ref
	}
	if e.RepID == "" {
		e.RepID = creator
	}
	if e.Summary == "" {
		d.Summary = summary
	}
	return nil
}

// SendDigests e-mails every rep with follow-ups due by the end of day
// (YYYY-MM-DD, UTC) the list of them, once per rep and day. It returns how
// many reps had follow-ups due. A rep whose e-mail is refused for good is
// skipped; a temporary failure is returned (retryable) after the other
// reps were served, and the retry sends only what is missing.
func (a *Activities) SendDigests(ctx context.Context, day string) (int, error) {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return 0, temporal.NewNonRetryableApplicationError("digest day "+day+" is not YYYY-MM-DD", string(lead.CodeInvalid), err)
	}
	reps, err := a.Store.DigestReps(ctx, d.Add(24*time.Hour))
	if err != nil {
		return 0, err
	}
	var retry []error
	for i, rep := range reps {
		if activity.IsActivity(ctx) {
			activity.RecordHeartbeat(ctx, i)
		}
		err := a.Email(ctx, lead.Email{Key: "digest/" + day + "/" + rep, Kind: lead.EmailDigest, RepID: rep, Day: day})
		var app *temporal.ApplicationError
		switch {
		case err == nil:
		case errors.As(err, &app) && app.NonRetryable():
			a.Log.Warn("digest not sent", "rep", rep, "day", day, "err", err)
		default:
			retry = append(retry, err)
		}
	}
	return len(reps), errors.Join(retry...)
}
