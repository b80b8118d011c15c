package service

import (
	"context"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// LeadPage is what a lead's page shows of it: the lead, the actions its
// user may do now (decided by lead.Authorize, as the actions decide), the
// choices of assign and transfer, and its history.
type LeadPage struct {
	// Lead is the lead, redacted.
	Lead lead.Lead
	// Can holds the actions asked about that the user may do now.
	Can map[lead.Action]bool
	// PoolName names the lead's pool ("" for none or an unreadable one);
	// OwnerName its owner.
	PoolName, OwnerName string
	// Reps and Pools are who the lead may be assigned to and where it may
	// be transferred, when the user may do either.
	Reps  []lead.User
	Pools []lead.Pool
	// History is the lead's events, newest first.
	History []HistoryItem
}

// HistoryItem is one event of a lead's history: who did it and, for a
// follow-up, the follow-up.
type HistoryItem struct {
	Event    lead.Event
	Actor    string
	FollowUp *lead.FollowUp
}

// ReadLeadPage is lead id's page for me, asking which of acts me may do
// (not found when me may not read the lead).
func (s *Service) ReadLeadPage(ctx context.Context, me lead.User, id string, acts []lead.Action) (LeadPage, error) {
	l, err := s.LeadFor(ctx, me, id, lead.ActRead)
	if err != nil {
		return LeadPage{}, err
	}
	rel, err := s.db.Relation(ctx, me, l)
	if err != nil {
		return LeadPage{}, err
	}
	d := LeadPage{Lead: lead.Redact(me, l), Can: map[lead.Action]bool{}}
	for _, act := range acts {
		if lead.Authorize(act, rel, l.Status) == nil {
			d.Can[act] = true
		}
	}
	var pool lead.Pool
	if l.PoolID != "" {
		if pool, err = s.db.Pool(ctx, l.PoolID); err == nil {
			d.PoolName = pool.Name
		}
	}
	if d.Can[lead.ActAssign] || d.Can[lead.ActTransfer] {
		if d.Reps, d.Pools, err = s.moveChoices(ctx, me, l, pool); err != nil {
			return LeadPage{}, err
		}
	}
	names := map[string]string{}
	name := func(id string) string {
		if id == "" {
			return ""
		}
		if n, ok := names[id]; ok {
			return n
		}
		if u, err := s.db.User(ctx, id); err == nil {
			names[id] = u.Name
		} else {
			names[id] = id
		}
		return names[id]
	}
	d.OwnerName = name(l.OwnerID)
	events, _, err := s.db.Events(ctx, l.ID, 500, "")
	if err != nil {
		return LeadPage{}, err
	}
	for i := len(events) - 1; i >= 0; i-- { // newest first
		e := events[i]
		item := HistoryItem{Event: e, Actor: name(e.ActorID)}
		if id, ok := e.Data["follow_up_id"].(string); ok {
			if f, err := s.db.FollowUp(ctx, id); err == nil {
				item.FollowUp = &f
			}
		}
		d.History = append(d.History, item)
	}
	return d, nil
}

// moveChoices are the reps me may assign lead l to (the members of its
// pool; for an admin, every active rep) and the pools me may transfer it
// to (those me administers; for an admin, every pool). The workflow checks
// each choice again.
func (s *Service) moveChoices(ctx context.Context, me lead.User, l lead.Lead, pool lead.Pool) (reps []lead.User, pools []lead.Pool, err error) {
	if me.Role == lead.RoleAdmin {
		users, _, err := s.db.Users(ctx, 500, "")
		if err != nil {
			return nil, nil, err
		}
		for _, u := range users {
			if u.Active && u.Role == lead.RoleRep {
				reps = append(reps, u)
			}
		}
	} else {
		for _, id := range pool.MemberIDs {
			if u, err := s.db.User(ctx, id); err == nil && u.Active {
				reps = append(reps, u)
			}
		}
	}
	filter := store.PoolFilter{Limit: 200}
	if me.Role != lead.RoleAdmin {
		filter.VisibleTo = me.ID
	}
	all, _, err := s.db.Pools(ctx, filter)
	if err != nil {
		return nil, nil, err
	}
	for _, p := range all {
		if p.ID != l.PoolID && (me.Role == lead.RoleAdmin || lead.PoolAccessOf(me, p).Admin) {
			pools = append(pools, p)
		}
	}
	return reps, pools, nil
}
