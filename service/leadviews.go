package service

import (
	"github.com/leadflow/leadflow/lead"
)

// LeadView is a list of leads off the normal path: rejected at intake,
// merged into another lead, under review (a rule failed on them at run
// time), or closed. The lead list offers each as a tab to whom may read
// such leads (ViewsFor).
type LeadView struct {
	Key    string
	Status lead.Status // the leads' status ("" for any)
	Review bool        // only the leads under review
	// Pooled says whether such a lead keeps its pool: a rejected or a
	// merged lead never had one (or lost it), so only admins read it.
	Pooled bool
}

// LeadViews are the views, in the order of the list's tabs.
var LeadViews = []LeadView{
	{Key: "review", Review: true, Pooled: true},
	{Key: "rejected", Status: lead.StatusRejected},
	{Key: "merged", Status: lead.StatusMerged},
	{Key: "closed", Status: lead.StatusClosed, Pooled: true},
}

// ViewsFor are the views me may list, given the pools of their tabs
// (ClaimPools): those whose leads the access table lets me read
// (lead.Visible), as an admin, or as the admin of one of those pools for
// the views whose leads keep their pool. A rep reads no such lead but
// their own, so has none.
func ViewsFor(me lead.User, pools []lead.Pool) []LeadView {
	var pa lead.PoolAccess
	for _, p := range pools {
		if lead.PoolAccessOf(me, p).Admin {
			pa.Admin = true
		}
	}
	var out []LeadView
	for _, v := range LeadViews {
		l := lead.Lead{Status: v.Status}
		access := lead.PoolAccess{}
		if v.Pooled {
			l.PoolID, access = "pool", pa
		}
		if lead.Visible(lead.RelationOf(me, l, access), v.Status) {
			out = append(out, v)
		}
	}
	return out
}

// View is the view named key, if there is one.
func View(key string) (LeadView, bool) {
	for _, v := range LeadViews {
		if v.Key == key {
			return v, true
		}
	}
	return LeadView{}, false
}
