package lead

import (
	"strconv"
	"time"
)

// The statuses of a campaign.
const (
	CampaignDraft     = "draft"
	CampaignScheduled = "scheduled"
	CampaignRunning   = "running"
	CampaignPaused    = "paused"
	CampaignDone      = "done"
	CampaignCancelled = "cancelled"
)

// Campaign is one template sent to an audience on one channel, at most
// Rate messages a minute, from ScheduledAt (at once when nil).
type Campaign struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Channel     string     `json:"channel"`
	TemplateID  string     `json:"template_id,omitempty"`
	Audience    Audience   `json:"audience"`
	Rate        int        `json:"rate"`
	ScheduledAt *time.Time `json:"scheduled_at,omitempty"`
	Status      string     `json:"status"`
	CreatedBy   string     `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	StartedAt   *time.Time `json:"started_at,omitempty"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
	// TimeZone is the zone of the recipients who have none (quiet hours).
	TimeZone string `json:"time_zone,omitempty"`
	// The template's text, kept when the campaign starts.
	Language string `json:"-"`
	Subject  string `json:"-"`
	Body     string `json:"-"`
	// Progress: the recipients, and their messages by status.
	Recipients int            `json:"recipients"`
	Queued     int            `json:"queued"`
	Sent       int            `json:"sent"`
	Failed     int            `json:"failed"`
	Skipped    map[string]int `json:"skipped"`
	// Pending are the recipients without a message yet (Deferred of
	// them by quiet hours).
	Pending  int `json:"pending"`
	Deferred int `json:"deferred"`
}

// Audience is whom a campaign goes to: the leads of a filter (the lead
// list's parameters; {} is every lead), or an uploaded list of attendees
// (Filter nil: a stored campaign's attendees are its recipients).
type Audience struct {
	Filter map[string]string `json:"filter"`
	List   []Attendee        `json:"list,omitempty"`
}

// Attendee is a person of an uploaded list, not a lead (yet): the
// message's invite link is the rep's of RepEmail (the campaign's
// creator's when empty).
type Attendee struct {
	Name     string `json:"name,omitempty"`
	Email    string `json:"email,omitempty"`
	Phone    string `json:"phone,omitempty"`
	Country  string `json:"country,omitempty"`
	TimeZone string `json:"time_zone,omitempty"`
	RepEmail string `json:"rep_email,omitempty"`
}

// CampaignRecipient is one recipient of a campaign: a lead (LeadID) or an
// attendee, numbered Seq in the campaign.
type CampaignRecipient struct {
	Seq      int
	LeadID   string
	Name     string
	Email    string
	Phone    string
	Country  string
	TimeZone string
	RepID    string
}

// CampaignKey is the idempotency key of the message of a campaign's
// recipient: one message per (campaign, recipient).
func CampaignKey(campaignID string, seq int) string {
	return "campaign/" + campaignID + "/" + strconv.Itoa(seq)
}

// QuietChannel reports whether messages on ch wait out the recipient's
// night (quiet hours): text messages do, e-mails do not.
func QuietChannel(ch string) bool { return ch == ChannelSMS || ch == ChannelWhatsApp }

// Quiet hours: no text message from QuietFrom to QuietUntil, recipient's
// local time.
const (
	QuietFrom  = 21
	QuietUntil = 8
)

// QuietUntilTime says whether t falls in the quiet hours of loc, and when
// they end (the zero time when they do not).
func QuietUntilTime(t time.Time, loc *time.Location) (time.Time, bool) {
	lt := t.In(loc)
	h := lt.Hour()
	if h >= QuietUntil && h < QuietFrom {
		return time.Time{}, false
	}
	end := time.Date(lt.Year(), lt.Month(), lt.Day(), QuietUntil, 0, 0, 0, loc)
	if h >= QuietFrom {
		end = end.AddDate(0, 0, 1)
	}
	return end, true
}

// CountryZones are the zones of the recipients whose country has one
// (or one most people live in), for quiet hours.
var CountryZones = map[string]string{
	"CN": "Asia/Shanghai", "HK": "Asia/Hong_Kong", "TW": "Asia/Taipei", "SG": "Asia/Singapore", "MY": "Asia/Kuala_Lumpur",
	"JP": "Asia/Tokyo", "KR": "Asia/Seoul", "IN": "Asia/Kolkata", "TH": "Asia/Bangkok", "VN": "Asia/Ho_Chi_Minh",
	"PH": "Asia/Manila", "ID": "Asia/Jakarta", "AE": "Asia/Dubai", "GB": "Europe/London", "DE": "Europe/Berlin",
	"FR": "Europe/Paris", "ES": "Europe/Madrid", "IT": "Europe/Rome", "NL": "Europe/Amsterdam", "US": "America/New_York",
	"CA": "America/Toronto", "MX": "America/Mexico_City", "BR": "America/Sao_Paulo", "AU": "Australia/Sydney",
	"NZ": "Pacific/Auckland", "ZA": "Africa/Johannesburg", "NG": "Africa/Lagos", "KE": "Africa/Nairobi",
}

// Why a campaign's message to a recipient was skipped, beside
// SkipUnsubscribed: no address on the channel, or its template did not
// render for them.
const (
	SkipNoAddress    = "no_address"
	SkipRenderFailed = "render_failed"
)

// CampaignFunnel is how far a campaign's recipients got: messages sent,
// delivered, opened and clicked; addresses unsubscribed; recipients who
// registered through the link; leads claimed and converted since it
// started.
type CampaignFunnel struct {
	CampaignID   string `json:"campaign_id"`
	Sent         int    `json:"sent"`
	Delivered    int    `json:"delivered"`
	Opened       int    `json:"opened"`
	Clicked      int    `json:"clicked"`
	Unsubscribed int    `json:"unsubscribed"`
	Registered   int    `json:"registered"`
	Claimed      int    `json:"claimed"`
	Converted    int    `json:"converted"`
}
