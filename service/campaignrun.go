package service

import (
	"context"
	"time"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/workflows"
)

// The worker's side of a campaign (workflows.CampaignWorkflow's
// activities call these): fixing its audience and queueing its messages
// a batch at a time, each rendered by the composer of one message and
// stored with the suppression list consulted as one message is.

// BeginCampaign fixes campaign id's audience (the leads of its filter its
// creator answers for, once) and answers its rate and schedule.
func (s *Service) BeginCampaign(ctx context.Context, id string) (workflows.CampaignBegin, error) {
	c, err := s.db.CampaignRow(ctx, id)
	if err != nil {
		return workflows.CampaignBegin{}, err
	}
	out := workflows.CampaignBegin{Rate: c.Rate, ScheduledAt: c.ScheduledAt, Recipients: c.Recipients}
	if c.Audience.Filter == nil {
		return out, nil
	}
	me, err := s.db.User(ctx, c.CreatedBy)
	if err != nil {
		return out, err
	}
	f, err := s.audienceFilter(c.Audience)
	if err != nil {
		return out, err
	}
	out.Recipients, err = s.db.CampaignAudience(ctx, id, f, store.ViewerOf(me))
	return out, err
}

// QueueCampaignBatch queues the messages of batch in's recipients and
// answers the keys of those to send (still queued). A scheduled campaign
// becomes running; a paused, cancelled or finished one queues nothing. A
// text message to a recipient whose night it is (lead.QuietUntilTime in
// their zone) is deferred to their morning. With sentBy (the outbox) the
// messages are stored sent by it (store.QueueCampaignMessages).
func (s *Service) QueueCampaignBatch(ctx context.Context, in workflows.CampaignBatchInput, sentBy string) (workflows.CampaignBatchResult, []string, error) {
	c, err := s.db.CampaignRow(ctx, in.CampaignID)
	if err != nil {
		return workflows.CampaignBatchResult{}, nil, err
	}
	if c.Status == lead.CampaignScheduled {
		if c, err = s.db.SetCampaignStatus(ctx, c.ID, []string{lead.CampaignScheduled}, lead.CampaignRunning); err != nil {
			return workflows.CampaignBatchResult{}, nil, err
		}
	}
	out := workflows.CampaignBatchResult{Status: c.Status}
	if c.Status != lead.CampaignRunning {
		return out, nil, nil
	}
	rs, err := s.db.CampaignRecipients(ctx, store.CampaignBatch{CampaignID: c.ID, After: in.After, Limit: in.Limit, Deferred: in.Deferred})
	if err != nil || len(rs) == 0 {
		if err == nil {
			out.NextDeferred, err = s.db.NextDeferred(ctx, c.ID)
		}
		return out, nil, err
	}
	out.Count, out.Last = len(rs), rs[len(rs)-1].Seq
	ns, deferred, until, err := s.composeCampaign(ctx, c, rs)
	if err != nil {
		return out, nil, err
	}
	if err := s.db.DeferCampaignRecipients(ctx, c.ID, deferred, until); err != nil {
		return out, nil, err
	}
	keys, err := s.db.QueueCampaignMessages(ctx, c.ID, ns, sentBy)
	return out, keys, err
}

// composeCampaign renders campaign c's message to each recipient of rs,
// but for those quiet hours defer (their seqs, and until when). A
// recipient without an address on the channel, or whose message does not
// render, gets a skipped message saying why.
func (s *Service) composeCampaign(ctx context.Context, c lead.Campaign, rs []lead.CampaignRecipient) ([]lead.Notification, []int, []time.Time, error) {
	me, err := s.db.User(ctx, c.CreatedBy)
	if err != nil {
		return nil, nil, nil, err
	}
	cp, err := s.newComposer(ctx, me, MessageInput{Channel: c.Channel, Subject: c.Subject, Body: c.Body})
	if err != nil {
		return nil, nil, nil, err
	}
	cp.lang, cp.templateID = c.Language, c.TemplateID
	var ids []string
	for _, r := range rs {
		if r.LeadID != "" {
			ids = append(ids, r.LeadID)
		}
	}
	leads, err := s.db.LeadsByID(ctx, ids)
	if err != nil {
		return nil, nil, nil, err
	}
	now := time.Now()
	var ns []lead.Notification
	var deferred []int
	var until []time.Time
	for _, r := range rs {
		if lead.QuietChannel(c.Channel) {
			if end, quiet := lead.QuietUntilTime(now, recipientZone(r, c.TimeZone)); quiet {
				deferred, until = append(deferred, r.Seq), append(until, end)
				continue
			}
		}
		l, ok := leads[r.LeadID]
		if !ok {
			l = attendeeLead(r)
		}
		n, err := cp.compose(ctx, l)
		switch {
		case err != nil && lead.ErrorCode(err) == lead.CodeInternal:
			return nil, nil, nil, err
		case err != nil:
			n.Status, n.Error = lead.NotificationSkipped, lead.SkipRenderFailed
		case n.ToEmail == "":
			n.Status, n.Error = lead.NotificationSkipped, lead.SkipNoAddress
		}
		n.Key, n.ID, n.LeadID, n.SenderID = lead.CampaignKey(c.ID, r.Seq), LeadID(lead.CampaignKey(c.ID, r.Seq), "campaign"), l.ID, me.ID
		ns = append(ns, n)
	}
	return ns, deferred, until, nil
}

// recipientZone is the zone of recipient r: theirs, their country's, else
// def (the campaign's creator's), else UTC.
func recipientZone(r lead.CampaignRecipient, def string) *time.Location {
	for _, name := range []string{r.TimeZone, lead.CountryZones[r.Country], def} {
		if name == "" {
			continue
		}
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	return time.UTC
}
