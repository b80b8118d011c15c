package service

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/workflows"
)

// Campaigns (newsletters): one template to an audience on one channel,
// for managers (to the leads they answer for) and admins. A draft is made,
// then started; its workflow (workflows.CampaignWorkflow) sends it in
// batches and may be paused, resumed and cancelled. Each message is
// rendered and suppressed by the code that does one message
// (campaignrun.go).

// CampaignInput is a campaign to make: Rate is messages a minute (the
// channel's default when 0); ScheduledAt delays its start.
type CampaignInput struct {
	Name        string        `json:"name"`
	Channel     string        `json:"channel"`
	TemplateID  string        `json:"template_id"`
	Audience    lead.Audience `json:"audience"`
	Rate        int           `json:"rate"`
	ScheduledAt *time.Time    `json:"scheduled_at"`
}

// DefaultCampaignRates are the channels' rates (messages a minute) when a
// campaign names none: what the providers take without throttling.
var DefaultCampaignRates = map[string]int{lead.ChannelEmail: 6000, lead.ChannelSMS: 600, lead.ChannelMessenger: 1200, lead.ChannelWhatsApp: 1200}

// MaxCampaignRate is the fastest a campaign may go (messages a minute).
const MaxCampaignRate = 1_000_000

// MaxCampaignList is the longest uploaded attendee list.
const MaxCampaignList = 200_000

// CreateCampaign makes a draft campaign; key is the request's idempotency
// key (a retry answers the same draft).
func (s *Service) CreateCampaign(ctx context.Context, me lead.User, key string, in CampaignInput) (lead.Campaign, error) {
	if err := Allowed(me, GateStaff); err != nil {
		return lead.Campaign{}, err
	}
	c := lead.Campaign{ID: LeadID(key, "campaign\x00"+me.ID), Name: strings.TrimSpace(in.Name), Channel: strings.TrimSpace(in.Channel),
		TemplateID: in.TemplateID, Audience: in.Audience, Rate: in.Rate, ScheduledAt: in.ScheduledAt, CreatedBy: me.ID,
		TimeZone: s.Location(ctx, me).String()}
	var f lead.Fields
	if c.Name == "" || utf8.RuneCountInString(c.Name) > 200 {
		f.Add("name", "is required, at most 200 characters")
	}
	if !lead.KnownChannel(c.Channel) {
		f.Add("channel", "must be email, sms, messenger or whatsapp")
	} else if c.Rate == 0 {
		c.Rate = DefaultCampaignRates[c.Channel]
	}
	if c.Rate < 1 || c.Rate > MaxCampaignRate {
		f.Add("rate", "must be 1 to "+strconv.Itoa(MaxCampaignRate)+" messages a minute")
	}
	if t, err := s.db.Template(ctx, c.TemplateID); err != nil || t.Channel != c.Channel {
		f.Add("template_id", "is not a template of this channel")
	}
	switch {
	case in.Audience.Filter != nil && in.Audience.List != nil, in.Audience.Filter == nil && in.Audience.List == nil:
		f.Add("audience", "give a filter or a list")
	case in.Audience.Filter != nil:
		for k := range in.Audience.Filter {
			if !validFilterName(k) {
				f.Add("audience.filter."+k, "is not a filter of the lead list")
			}
		}
		if _, err := s.audienceFilter(c.Audience); err != nil {
			return c, err
		}
	}
	rs, err := s.attendees(ctx, me, c.Channel, in.Audience.List, &f)
	if err != nil {
		return c, err
	}
	if err := f.Err(); err != nil {
		return c, err
	}
	return s.db.CreateCampaign(ctx, c, rs)
}

// validFilterName reports whether k is a filter of the lead list.
func validFilterName(k string) bool {
	for _, n := range LeadFilterNames {
		if n == k {
			return true
		}
	}
	return false
}

// audienceFilter is the lead filter of a campaign's audience.
func (s *Service) audienceFilter(a lead.Audience) (store.LeadFilter, error) {
	return ParseLeadFilter(func(k string) string { return a.Filter[k] }, func(k string) string { return "audience.filter." + k })
}

// attendees reads an uploaded list: each needs an address on the
// channel (a phone in E.164 or with its country for SMS and WhatsApp; no
// Messenger id can be uploaded) and its rep, when named, an active user.
func (s *Service) attendees(ctx context.Context, me lead.User, ch string, list []lead.Attendee, f *lead.Fields) ([]lead.CampaignRecipient, error) {
	if list != nil && len(list) == 0 {
		f.Add("audience.list", "is empty")
	}
	if len(list) > MaxCampaignList {
		f.Add("audience.list", "has more than "+strconv.Itoa(MaxCampaignList)+" people")
		return nil, nil
	}
	var emails []string
	for _, a := range list {
		if a.RepEmail != "" {
			emails = append(emails, strings.ToLower(strings.TrimSpace(a.RepEmail)))
		}
	}
	reps, err := s.db.ActiveUsersByEmail(ctx, emails)
	if err != nil {
		return nil, err
	}
	rs := make([]lead.CampaignRecipient, 0, len(list))
	for i, a := range list {
		field := "audience.list[" + strconv.Itoa(i) + "]"
		r := lead.CampaignRecipient{Name: strings.TrimSpace(a.Name), Email: strings.TrimSpace(a.Email),
			Country: strings.ToUpper(strings.TrimSpace(a.Country)), TimeZone: strings.TrimSpace(a.TimeZone), RepID: me.ID}
		if a.Phone != "" {
			r.Phone = lead.ParsePhone(a.Phone, r.Country).E164
		}
		if a.RepEmail != "" {
			if r.RepID = reps[strings.ToLower(strings.TrimSpace(a.RepEmail))]; r.RepID == "" {
				f.Add(field+".rep_email", "is not an active user")
			}
		}
		if r.TimeZone != "" {
			if _, err := time.LoadLocation(r.TimeZone); err != nil {
				f.Add(field+".time_zone", "is not a time zone")
			}
		}
		if attendeeLead(r).ChannelAddress(ch) == "" {
			f.Add(field, "has no address on this channel")
		}
		if len(*f) > 20 {
			break // enough to fix a list
		}
		rs = append(rs, r)
	}
	return rs, nil
}

// attendeeLead is the lead a message to recipient r is rendered for:
// an attendee who is no lead has a name and addresses, and the rep who
// invites them as owner.
func attendeeLead(r lead.CampaignRecipient) lead.Lead {
	l := lead.Lead{PhoneE164: r.Phone, OwnerID: r.RepID}
	l.Name, l.Email, l.Phone, l.Country = r.Name, r.Email, r.Phone, r.Country
	return l
}

// Campaign is one campaign with its progress, to its creator and admins.
func (s *Service) Campaign(ctx context.Context, me lead.User, id string) (lead.Campaign, error) {
	if err := Allowed(me, GateStaff); err != nil {
		return lead.Campaign{}, err
	}
	c, err := s.db.Campaign(ctx, id)
	if err == nil && me.Role != lead.RoleAdmin && c.CreatedBy != me.ID {
		return lead.Campaign{}, lead.Errorf(lead.CodeNotFound, "campaign not found")
	}
	return c, err
}

// Campaigns lists the campaigns me may see, newest first.
func (s *Service) Campaigns(ctx context.Context, me lead.User, limit int, cursor string) ([]lead.Campaign, string, error) {
	if err := Allowed(me, GateStaff); err != nil {
		return nil, "", err
	}
	f := store.CampaignFilter{Limit: limit, Cursor: cursor}
	if me.Role != lead.RoleAdmin {
		f.CreatedBy = me.ID
	}
	return s.db.Campaigns(ctx, f)
}

// StartCampaign starts draft id: its template's text is kept and its
// workflow started. Starting it again answers it as it is.
func (s *Service) StartCampaign(ctx context.Context, me lead.User, id string) (lead.Campaign, error) {
	c, err := s.Campaign(ctx, me, id)
	if err != nil {
		return c, err
	}
	if c.Status == lead.CampaignDraft {
		t, err := s.db.Template(ctx, c.TemplateID)
		if err != nil {
			return c, lead.Invalid(lead.FieldError{Field: "template_id", Reason: "the template was deleted"})
		}
		if c, err = s.db.StartCampaign(ctx, id, t.Language, t.Subject, t.Body); err != nil {
			return c, err
		}
	}
	if c.Status == lead.CampaignDone || c.Status == lead.CampaignCancelled {
		return c, nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.UpdateTimeout)
	defer cancel()
	if err := workflows.StartCampaign(ctx, s.tc, id); err != nil {
		return c, TemporalError(err) // a retry starts it
	}
	return c, nil
}

// The status changes a campaign's owner may ask for: from which statuses.
var campaignMoves = map[string][]string{
	lead.CampaignPaused:    {lead.CampaignScheduled, lead.CampaignRunning},
	lead.CampaignRunning:   {lead.CampaignPaused},
	lead.CampaignCancelled: {lead.CampaignDraft, lead.CampaignScheduled, lead.CampaignRunning, lead.CampaignPaused},
}

// SetCampaignStatus pauses (to lead.CampaignPaused), resumes
// (lead.CampaignRunning) or cancels (lead.CampaignCancelled) campaign id
// and tells its workflow; asking again changes nothing.
func (s *Service) SetCampaignStatus(ctx context.Context, me lead.User, id, to string) (lead.Campaign, error) {
	if _, err := s.Campaign(ctx, me, id); err != nil {
		return lead.Campaign{}, err
	}
	c, err := s.db.SetCampaignStatus(ctx, id, campaignMoves[to], to)
	if err != nil {
		return c, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.UpdateTimeout)
	defer cancel()
	if err := workflows.NotifyCampaign(ctx, s.tc, id); err != nil {
		return c, TemporalError(err)
	}
	return c, nil
}

// CampaignFunnel is campaign id's funnel, to whoever may see the campaign.
func (s *Service) CampaignFunnel(ctx context.Context, me lead.User, id string) (lead.CampaignFunnel, error) {
	if _, err := s.Campaign(ctx, me, id); err != nil {
		return lead.CampaignFunnel{}, err
	}
	f, err := s.db.CampaignFunnel(ctx, id)
	f.CampaignID = id
	return f, err
}
