package service

import (
	"context"
	"slices"
	"strconv"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// LeadPage is what a lead's page shows of it: the lead, the actions its
// user may do now (decided by lead.Authorize, as the actions decide), the
// choices of assign and transfer, its timers, follow-ups and history, and
// the custom fields its edit form offers.
type LeadPage struct {
	// Lead is the lead, redacted.
	Lead lead.Lead
	// Can holds the actions asked about that the user may do now.
	Can map[lead.Action]bool
	// PoolName names the lead's pool ("" for none or an unreadable one);
	// OwnerName its owner.
	PoolName, OwnerName string
	// Reps are whom the lead may be assigned to (Assignees), Pools where
	// it may be transferred, when the user may do either.
	Reps  []lead.User
	Pools []lead.Pool
	// ReturnPools are the pools besides its own that a return or a
	// reclaim may send it to (its pool's policy's return_to), by name.
	ReturnPools []lead.Pool
	// Deadlines are the lead's timers (lead.Deadlines), soonest first.
	Deadlines []lead.Deadline
	// FollowUps are the lead's follow-ups, newest first, with their authors' names.
	FollowUps []lead.FollowUp
	// History is the lead's events, newest first.
	History []HistoryItem
	// Names name the users and pools the history refers to, by id.
	Names map[string]string
	// Schema is the lead's custom fields and the option lists of its
	// channel and group (store.CustomSchema).
	Schema lead.CustomSchema
}

// HistoryItem is one event of a lead's history: who did it, for a
// follow-up the follow-up, and whether the rule set version that decided
// it is there for the user to read.
type HistoryItem struct {
	Event    lead.Event
	Actor    string
	FollowUp *lead.FollowUp
	RuleLink bool
}

// Which keys of an event's data hold a user's id and which a pool's: the
// page names them.
var (
	historyUserKeys = []string{"owner_id", "from_owner", "rep_id", "inviter_id"}
	historyPoolKeys = []string{"pool_id", "from_pool", "to_pool"}
)

// ReadLeadPage is lead id's page for me, asking which of acts me may do
// (not found when me may not read the lead).
func (s *Service) ReadLeadPage(ctx context.Context, me lead.User, id string, acts []lead.Action) (LeadPage, error) {
	l, err := s.open(ctx, me, id)
	if err != nil {
		return LeadPage{}, err
	}
	rel, err := s.db.Relation(ctx, me, l)
	if err != nil {
		return LeadPage{}, err
	}
	d := LeadPage{Lead: lead.Redact(me, l), Can: map[lead.Action]bool{}, Names: map[string]string{}, Deadlines: lead.Deadlines(l)}
	slices.SortStableFunc(d.Deadlines, func(a, b lead.Deadline) int { return a.Due.Compare(b.Due) })
	for _, act := range acts {
		if lead.Authorize(act, rel, l.Status) == nil {
			d.Can[act] = true
		}
	}
	if d.Can[lead.ActAssign] {
		if d.Reps, err = s.Assignees(ctx, me, l.ID); err != nil {
			return LeadPage{}, err
		}
	}
	if d.Can[lead.ActTransfer] || d.Can[lead.ActReopen] { // a reopened lead goes to its last pool, or another
		if d.Pools, err = s.transferTargets(ctx, me, l); err != nil {
			return LeadPage{}, err
		}
	}
	if (d.Can[lead.ActReturn] || d.Can[lead.ActReclaim]) && l.Policy != nil {
		for _, id := range l.Policy.ReturnTo {
			if name := s.poolName(ctx, d.Names, id); name != "" && id != l.PoolID {
				d.ReturnPools = append(d.ReturnPools, lead.Pool{ID: id, Name: name})
			}
		}
	}
	if d.Schema, err = s.db.CustomSchema(ctx, lead.EntityLead); err != nil {
		return LeadPage{}, err
	}
	d.PoolName = s.poolName(ctx, d.Names, l.PoolID)
	d.OwnerName = s.userName(ctx, d.Names, l.OwnerID)
	if d.FollowUps, _, err = s.db.FollowUps(ctx, l.ID, 200, ""); err != nil {
		return LeadPage{}, err
	}
	byID := map[string]*lead.FollowUp{}
	for i := range d.FollowUps {
		byID[d.FollowUps[i].ID] = &d.FollowUps[i]
	}
	events, _, err := s.events(ctx, me, l, 500, "")
	if err != nil {
		return LeadPage{}, err
	}
	rules := map[string]bool{}
	for i := len(events) - 1; i >= 0; i-- { // newest first
		e := events[i]
		item := HistoryItem{Event: e, Actor: s.userName(ctx, d.Names, e.ActorID)}
		if fid, ok := e.Data["follow_up_id"].(string); ok {
			if item.FollowUp = byID[fid]; item.FollowUp == nil {
				if f, err := s.db.FollowUp(ctx, fid); err == nil {
					item.FollowUp = &f
				}
			}
		}
		for _, k := range historyUserKeys {
			if v, ok := e.Data[k].(string); ok {
				s.userName(ctx, d.Names, v)
			}
		}
		for _, k := range historyPoolKeys {
			if v, ok := e.Data[k].(string); ok {
				s.poolName(ctx, d.Names, v)
			}
		}
		if e.RuleKind != "" && e.RuleVersion > 0 && Allowed(me, GateRulesRead) == nil {
			key := e.RuleKind + "/" + strconv.Itoa(e.RuleVersion)
			if _, seen := rules[key]; !seen {
				_, err := s.db.RuleSetVersion(ctx, e.RuleKind, e.RuleVersion)
				rules[key] = err == nil
			}
			item.RuleLink = rules[key]
		}
		d.History = append(d.History, item)
	}
	return d, nil
}

// userName is the name of user id ("" for none), kept in names; an
// unknown user is named by its id.
func (s *Service) userName(ctx context.Context, names map[string]string, id string) string {
	return cachedName(names, id, func() (string, error) {
		u, err := s.db.User(ctx, id)
		return u.Name, err
	})
}

// poolName is the name of pool id ("" for none), kept in names.
func (s *Service) poolName(ctx context.Context, names map[string]string, id string) string {
	return cachedName(names, id, func() (string, error) {
		p, err := s.db.Pool(ctx, id)
		return p.Name, err
	})
}

func cachedName(names map[string]string, id string, read func() (string, error)) string {
	if id == "" {
		return ""
	}
	if n, ok := names[id]; ok {
		return n
	}
	n, err := read()
	if err != nil || n == "" {
		n = id
	}
	names[id] = n
	return n
}

// Assignees are whom me may assign lead id to: exactly the users the
// assignment itself accepts (store.Assignees: active, with room, able to
// claim from the lead's pool, not its owner already). Not found or
// forbidden as the assignment would be for me.
func (s *Service) Assignees(ctx context.Context, me lead.User, id string) ([]lead.User, error) {
	l, err := s.LeadFor(ctx, me, id, lead.ActAssign)
	if err != nil {
		return nil, err
	}
	return s.db.Assignees(ctx, l)
}

// transferTargets are the pools me may transfer lead l to: every other
// pool me may transfer into (lead.AuthorizePool, as the transfer checks).
func (s *Service) transferTargets(ctx context.Context, me lead.User, l lead.Lead) ([]lead.Pool, error) {
	filter := store.PoolFilter{Limit: 200}
	if me.Role != lead.RoleAdmin {
		filter.VisibleTo = me.ID
	}
	all, _, err := s.db.Pools(ctx, filter)
	if err != nil {
		return nil, err
	}
	var pools []lead.Pool
	for _, p := range all {
		if p.ID != l.PoolID && lead.AuthorizePool(lead.ActTransfer, me, lead.PoolAccessOf(me, p)) == nil {
			pools = append(pools, p)
		}
	}
	return pools, nil
}
