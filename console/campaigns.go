package console

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/web"
)

// This file holds the campaigns' pages (/campaigns), for managers and
// admins: the list with each one's progress, the new campaign form (a
// lead filter or a pasted attendee list), and a campaign's page with its
// progress bar, its start, pause, resume and cancel buttons and its
// funnel chart, through the same service methods as the API's routes.

func (s *Server) consoleCampaigns(get, post func(path string, h fiber.Handler)) {
	staff := s.gated(service.GateStaff)
	get("/campaigns", staff(func(c *fiber.Ctx) error { return s.showCampaigns(c, nil, nil) }))
	post("/campaigns", staff(s.createCampaignForm))
	get("/campaigns/:id", staff(s.campaignPage))
	for _, action := range []string{"start", "pause", "resume", "cancel"} {
		post("/campaigns/:id/"+action, staff(func(c *fiber.Ctx) error { return s.campaignActionForm(c, action) }))
	}
}

// campaignRow is c with its share done.
func campaignRow(c lead.Campaign) web.CampaignRow {
	r := web.CampaignRow{Campaign: c, Done: c.Recipients - c.Pending}
	if c.Recipients > 0 {
		r.Percent = r.Done * 100 / c.Recipients
	}
	return r
}

// showCampaigns renders the list and the new campaign form, with a
// refusal and what was typed.
func (s *Server) showCampaigns(c *fiber.Ctx, refusal error, form map[string]string) error {
	ctx, me := c.UserContext(), httpx.Caller(c)
	items, _, err := s.Service.Campaigns(ctx, me, 100, "")
	if err != nil {
		return err
	}
	d := web.CampaignsPage{Channels: lead.Channels, Form: form, Errors: map[string]string{}, RequestID: uuid.NewString()}
	if d.Form == nil {
		d.Form = map[string]string{"channel": lead.ChannelEmail}
	}
	for _, it := range items {
		d.Campaigns = append(d.Campaigns, campaignRow(it))
	}
	if d.Templates, err = s.Service.Templates(ctx, me, ""); err != nil {
		return err
	}
	return showPage(c, "campaigns", "campaigns.nav", "campaigns", "", &d, &d.Errors, refusal)
}

// campaignForm reads the new campaign form: the filter is the lead list's
// query string (as its address bar shows it), the list one attendee a
// line: name, e-mail, phone, country, rep's e-mail.
func (s *Server) campaignForm(c *fiber.Ctx) (service.CampaignInput, map[string]string, error) {
	form := formValues(c, "name", "channel", "template_id", "filter", "rate", "scheduled_at", "audience")
	form["list"] = c.FormValue("list")
	in := service.CampaignInput{Name: form["name"], Channel: form["channel"], TemplateID: form["template_id"]}
	var bad lead.Fields
	if form["rate"] != "" {
		if n, err := strconv.Atoi(form["rate"]); err == nil {
			in.Rate = n
		} else {
			bad.Add("rate", "must be a whole number of messages a minute")
		}
	}
	if v := form["scheduled_at"]; v != "" {
		zone := localeOf(c).Zone
		if zone == nil {
			zone = time.UTC
		}
		if t, err := time.ParseInLocation("2006-01-02T15:04", v, zone); err == nil {
			in.ScheduledAt = &t
		} else {
			bad.Add("scheduled_at", "is not a date and time")
		}
	}
	if form["audience"] == "list" {
		for _, line := range strings.Split(form["list"], "\n") {
			if strings.TrimSpace(line) == "" {
				continue
			}
			f := append(strings.Split(line, ","), "", "", "", "", "")
			in.Audience.List = append(in.Audience.List, lead.Attendee{Name: strings.TrimSpace(f[0]), Email: strings.TrimSpace(f[1]),
				Phone: strings.TrimSpace(f[2]), Country: strings.TrimSpace(f[3]), RepEmail: strings.TrimSpace(f[4])})
		}
		if in.Audience.List == nil {
			in.Audience.List = []lead.Attendee{}
		}
	} else {
		q, err := url.ParseQuery(strings.TrimPrefix(strings.TrimPrefix(form["filter"], "/leads"), "?"))
		if err != nil {
			bad.Add("audience.filter", "is not a query string such as tag=fair&country=CN")
		}
		in.Audience.Filter = map[string]string{}
		for k := range q {
			in.Audience.Filter[k] = q.Get(k)
		}
	}
	return in, form, bad.Err()
}

func (s *Server) createCampaignForm(c *fiber.Ctx) error {
	in, form, err := s.campaignForm(c)
	if err == nil {
		key := ""
		if rid := c.FormValue("request_id"); rid != "" && len(rid) <= 64 {
			key = "console:" + rid // a form sent twice makes one draft
		}
		var out lead.Campaign
		if out, err = s.Service.CreateCampaign(c.UserContext(), httpx.Caller(c), key, in); err == nil {
			return c.Redirect("/campaigns/"+out.ID+"?done=created", fiber.StatusSeeOther)
		}
	}
	if webProblem(err) == nil {
		return err
	}
	return s.showCampaigns(c, err, form)
}

// campaignActions are what a campaign in each status may be asked.
var campaignActions = map[string][]string{
	lead.CampaignDraft:     {"start", "cancel"},
	lead.CampaignScheduled: {"pause", "cancel"},
	lead.CampaignRunning:   {"pause", "cancel"},
	lead.CampaignPaused:    {"resume", "cancel"},
}

var campaignsDone = map[string]string{"created": "campaigns.done_created", "start": "campaigns.done_start",
	"pause": "campaigns.done_pause", "resume": "campaigns.done_resume", "cancel": "campaigns.done_cancel"}

func (s *Server) campaignPage(c *fiber.Ctx) error {
	ctx, me, id := c.UserContext(), httpx.Caller(c), c.Params("id")
	camp, err := s.Service.Campaign(ctx, me, id)
	if err != nil {
		return s.consoleRefusal(c, err)
	}
	f, err := s.Service.CampaignFunnel(ctx, me, id)
	if err != nil {
		return s.consoleRefusal(c, err)
	}
	row := campaignRow(camp)
	d := web.CampaignsPage{Campaign: &row, Actions: campaignActions[camp.Status]}
	for _, st := range []struct {
		label string
		n     int
	}{{"sent", f.Sent}, {"delivered", f.Delivered}, {"opened", f.Opened}, {"clicked", f.Clicked},
		{"unsubscribed", f.Unsubscribed}, {"registered", f.Registered}, {"claimed", f.Claimed}, {"converted", f.Converted}} {
		step := web.FunnelStep{Label: "campaigns.funnel_" + st.label, Count: st.n}
		if f.Sent > 0 {
			step.Percent = min(100, st.n*100/f.Sent)
		}
		d.Funnel = append(d.Funnel, step)
	}
	p := consolePage(c, tr(c, "campaigns.campaign", "Name", camp.Name), "campaigns")
	p.Notice, p.Data = campaignsDone[c.Query("done")], &d
	return render(c, "campaign", p)
}

// campaignActionForm starts, pauses, resumes or cancels a campaign.
func (s *Server) campaignActionForm(c *fiber.Ctx, action string) error {
	ctx, me, id := c.UserContext(), httpx.Caller(c), c.Params("id")
	var err error
	if action == "start" {
		_, err = s.Service.StartCampaign(ctx, me, id)
	} else {
		to := map[string]string{"pause": lead.CampaignPaused, "resume": lead.CampaignRunning, "cancel": lead.CampaignCancelled}[action]
		_, err = s.Service.SetCampaignStatus(ctx, me, id, to)
	}
	if err != nil {
		return s.consoleRefusal(c, err)
	}
	return c.Redirect("/campaigns/"+id+"?done="+action, fiber.StatusSeeOther)
}
