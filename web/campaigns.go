package web

import "github.com/leadflow/leadflow/lead"

// CampaignsPage is /campaigns (Campaign nil: the list and a new
// campaign's form) or one campaign's page with its progress and funnel.
type CampaignsPage struct {
	Campaigns []CampaignRow
	Campaign  *CampaignRow
	Funnel    []FunnelStep
	Templates []lead.Template
	Channels  []string
	Form      map[string]string
	Errors    map[string]string
	// RequestID is the new campaign form's: sent twice, it makes one draft.
	RequestID string
	// Actions are what the campaign's status allows: start, pause, resume, cancel.
	Actions []string
}

// CampaignRow is a campaign with how many of its recipients have a
// message (Done) and what share of them (Percent).
type CampaignRow struct {
	lead.Campaign
	Done, Percent int
}

// FunnelStep is one bar of a campaign's funnel chart: its label's message
// id, its count and its share of the messages sent.
type FunnelStep struct {
	Label          string
	Count, Percent int
}
