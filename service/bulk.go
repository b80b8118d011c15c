package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/sheet"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/workflows"
)

// The bulk actions (issue 28): one lead action on many leads, as a durable
// job (BulkWorkflow) that acts on each lead through the single action
// (bulkrun.go). Everyone may start one: each lead is checked for its
// creator when it is acted on, and the leads they may not touch are
// refused with the reason. Only its creator and admins see a job.

// BulkActions are the actions a bulk action may apply.
var BulkActions = []string{"claim", "assign", "transfer", "reclaim", "return", "close", "add_tags", "remove_tags", "set_stage", "export", "enroll"}

// MaxBulkLeadIDs is the most leads a bulk action may name by id (a filter
// selects more).
const MaxBulkLeadIDs = 10_000

// BulkInput is a bulk action: the action, the leads (the lead list's
// filters, LeadFilterNames, or their ids) and the single action's body.
type BulkInput struct {
	Action  string            `json:"action"`
	Filter  map[string]string `json:"filter,omitempty"`
	LeadIDs []string          `json:"lead_ids,omitempty"`
	Params  json.RawMessage   `json:"params,omitempty"`
}

// bulkParams are the params of every bulk action; which apply depends on
// the action (claim: reason, expected_follow_up_at; assign: rep_id,
// reason; transfer: pool_id, reason; return: reason; the tags; set_stage:
// stage; export: format, fields; enroll: sequence_id).
type bulkParams struct {
	RepID      string   `json:"rep_id,omitempty"`
	PoolID     string   `json:"pool_id,omitempty"`
	Reason     string   `json:"reason,omitempty"`
	ExpectedAt *string  `json:"expected_follow_up_at,omitempty"`
	Tags       []string `json:"tags,omitempty"`
	Stage      string   `json:"stage,omitempty"`
	Format     string   `json:"format,omitempty"`
	Fields     []string `json:"fields,omitempty"`
	SequenceID string   `json:"sequence_id,omitempty"`
}

// bulkFields are the params each action takes.
var bulkFields = map[string][]string{
	"claim": {"reason", "expected_follow_up_at"}, "assign": {"rep_id", "reason"}, "transfer": {"pool_id", "reason"},
	"reclaim": {"reason"}, "return": {"reason"}, "close": {"reason"}, "add_tags": {"tags"}, "remove_tags": {"tags"},
	"set_stage": {"stage"}, "export": {"format", "fields"}, "enroll": {"sequence_id"},
}

// decodeBulkParams reads the params of action: an object of the fields it
// takes, and nothing else.
func decodeBulkParams(action string, raw json.RawMessage) (bulkParams, error) {
	var p bulkParams
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return p, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return p, lead.Invalid(lead.FieldError{Field: "params", Reason: "must be an object: the single action's body", Code: lead.ReasonWrongType})
	}
	var bad lead.Fields
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if !slices.Contains(bulkFields[action], k) {
			bad.AddCode("params."+k, lead.ReasonUnknownField, fmt.Sprintf("is not a parameter of %s; it takes %s", action, strings.Join(bulkFields[action], ", ")))
		}
	}
	if err := bad.Err(); err != nil {
		return p, err
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return p, lead.Invalid(lead.FieldError{Field: "params", Reason: "has a value of the wrong type: " + err.Error(), Code: lead.ReasonWrongType})
	}
	return p, nil
}

// bulkJobs is the bulk action kind of job (jobs.go).
func (s *Service) bulkJobs() jobKind[store.BulkAction] {
	return jobKind[store.BulkAction]{what: "bulk action", gate: GateEveryone, get: s.db.BulkAction, list: s.db.BulkActions,
		owner: func(b store.BulkAction) (string, string) { return b.CreatedBy, "" },
		start: func(ctx context.Context, b store.BulkAction) error { return workflows.StartBulk(ctx, s.tc, b.ID) },
		fail: func(ctx context.Context, id, why string) (store.BulkAction, error) {
			return s.db.FinishBulk(ctx, id, why)
		},
		id: func(b store.BulkAction) string { return b.ID }}
}

// StartBulk checks a bulk action, stores it and starts its BulkWorkflow.
// key is the request's idempotency key: the same request again answers
// the job it started. An export is the export job of the filter
// (StartExport), recorded as a bulk action done at once.
func (s *Service) StartBulk(ctx context.Context, me lead.User, key string, in BulkInput) (store.BulkAction, error) {
	if err := Allowed(me, GateEveryone); err != nil {
		return store.BulkAction{}, err
	}
	b := store.BulkAction{ID: uuid.Must(uuid.NewV7()).String(), CreatedBy: me.ID, Action: in.Action}
	if key != "" {
		b.ID = uuid.NewSHA1(idNamespace, []byte("bulk\x00"+me.ID+"\x00"+key)).String()
		if old, err := s.db.BulkAction(ctx, b.ID); err == nil {
			if old.Status != store.BulkRunning {
				return old, nil
			}
			return old, TemporalError(s.bulkJobs().start(ctx, old)) // started again when its start was lost
		}
	}
	p, err := s.checkBulk(ctx, me, &b, in)
	if err != nil {
		return store.BulkAction{}, err
	}
	if b.Params, err = json.Marshal(p); err != nil {
		return store.BulkAction{}, err
	}
	if in.Action == "export" {
		e, err := s.StartExport(ctx, me, ExportInput{Format: p.Format, Fields: p.Fields, Filters: in.Filter})
		if err != nil {
			return store.BulkAction{}, err
		}
		b.ExportID, b.Status = e.ID, store.BulkDone
		return s.db.CreateBulkAction(ctx, b)
	}
	created, err := s.db.CreateBulkAction(ctx, b)
	if err != nil {
		return created, err
	}
	k := s.bulkJobs()
	err = s.startJob(ctx, k.what, created.ID, func(ctx context.Context) error { return k.start(ctx, created) },
		func(ctx context.Context, why string) error {
			_, err := k.fail(ctx, created.ID, why)
			return err
		})
	return created, err
}

// checkBulk checks a bulk action's action, selection and params, and sets
// b's selection; it returns the params, trimmed.
func (s *Service) checkBulk(ctx context.Context, me lead.User, b *store.BulkAction, in BulkInput) (bulkParams, error) {
	var bad lead.Fields
	if !slices.Contains(BulkActions, in.Action) {
		return bulkParams{}, lead.Invalid(lead.FieldError{Field: "action", Reason: "must be one of " + strings.Join(BulkActions, ", ")})
	}
	switch {
	case in.Filter != nil && in.LeadIDs != nil:
		bad.Add("lead_ids", "give the leads by filter or by lead_ids, not both")
	case in.Filter == nil && in.LeadIDs == nil:
		bad.Add("filter", "is required: the lead list's filters (an empty object for every lead you see), or lead_ids")
	case in.LeadIDs != nil:
		if in.Action == "export" {
			bad.Add("lead_ids", "an export takes a filter")
		}
		if len(in.LeadIDs) == 0 || len(in.LeadIDs) > MaxBulkLeadIDs {
			bad.Add("lead_ids", fmt.Sprintf("must name 1 to %d leads; a filter selects more", MaxBulkLeadIDs))
		}
		for i, id := range in.LeadIDs {
			if _, err := uuid.Parse(id); err != nil || len(id) != 36 {
				bad.Add(fmt.Sprintf("lead_ids[%d]", i), "is not an id")
			}
		}
		b.LeadIDs = uniqueIDs(in.LeadIDs)
	default:
		f, err := s.bulkFilter(in.Filter)
		if err != nil {
			return bulkParams{}, err
		}
		f.Viewer = store.ViewerOf(me) // the leads the list shows me
		s.resolvePeriod(ctx, me, &f)  // "today" is the caller's, when they ask
		b.Filter = &f
	}
	p, err := decodeBulkParams(in.Action, in.Params)
	var fe *lead.Error
	if errors.As(err, &fe) {
		bad = append(bad, fe.Fields...)
	} else if err != nil {
		return p, err
	}
	if err := bad.Err(); err != nil {
		return p, err
	}
	return p, s.checkBulkParams(ctx, in.Action, &p)
}

// bulkFilter reads a bulk action's filter: the lead list's filters.
func (s *Service) bulkFilter(filter map[string]string) (store.LeadFilter, error) {
	var bad lead.Fields
	for _, k := range slices.Sorted(maps.Keys(filter)) {
		if !slices.Contains(LeadFilterNames, k) {
			bad.Add("filter."+k, "is not a filter of the lead list; the filters are "+strings.Join(LeadFilterNames, ", "))
		}
	}
	if err := bad.Err(); err != nil {
		return store.LeadFilter{}, err
	}
	return ParseLeadFilter(func(k string) string { return strings.TrimSpace(filter[k]) }, func(k string) string { return "filter." + k })
}

// checkBulkParams checks the params of action as the single action checks
// its body, naming the fields params.….
func (s *Service) checkBulkParams(ctx context.Context, action string, p *bulkParams) error {
	field := func(f string) string { return "params." + f }
	if m, ok := moveOf(action); ok {
		in := MoveInput{RepID: p.RepID, PoolID: p.PoolID, Reason: p.Reason}
		if err := s.checkMove(ctx, m, &in, field); err != nil {
			return err
		}
		p.Reason = in.Reason
		return nil
	}
	var bad lead.Fields
	switch action {
	case "claim":
		if _, err := p.claim(); err != nil {
			return err
		}
	case "add_tags", "remove_tags":
		tags := cleanTags(p.Tags)
		p.Tags = tags
		if len(tags) == 0 {
			bad.Add(field("tags"), "is required: the tags to "+strings.TrimSuffix(action, "_tags"))
		}
		if err := (&lead.Edit{EditFields: lead.EditFields{Tags: &tags}}).Clean(); err != nil {
			bad.Add(field("tags"), "has more than 50 tags")
		}
	case "set_stage":
		p.Stage = strings.TrimSpace(p.Stage)
		if err := s.checkOption(ctx, &bad, field("stage"), lead.OptionStages, p.Stage); err != nil {
			return err
		}
	case "enroll":
		if _, err := s.db.Sequence(ctx, p.SequenceID); err != nil {
			bad.Add(field("sequence_id"), "is not a sequence")
		}
	}
	return bad.Err()
}

// uniqueIDs are ids without repeats, in order.
func uniqueIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if id = strings.ToLower(id); !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// cleanTags are tags trimmed, without empty ones and repeats.
func cleanTags(tags []string) []string {
	out := []string{}
	for _, t := range tags {
		if t = strings.TrimSpace(t); t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// moveOf is the lifecycle move a bulk action is, if it is one.
func moveOf(action string) (Move, bool) {
	i := slices.IndexFunc(Moves, func(m Move) bool { return m.Path == action })
	if i < 0 || action == "accept" || action == "decline" {
		return Move{}, false
	}
	return Moves[i], true
}

// BulkActionsPage is a page of the bulk actions me may see, newest first.
func (s *Service) BulkActionsPage(ctx context.Context, me lead.User, limit int, cursor string) ([]store.BulkAction, string, error) {
	return s.bulkJobs().page(ctx, me, limit, cursor)
}

// BulkAction is bulk action id, with its counts, when me may see it: its
// creator or an admin. Others get not found.
func (s *Service) BulkAction(ctx context.Context, me lead.User, id string) (store.BulkAction, error) {
	return s.bulkJobs().own(ctx, s, me, id)
}

// CancelBulk stops bulk action id before its next lead (the leads acted on
// stay so); a job that is over is answered as it is.
func (s *Service) CancelBulk(ctx context.Context, me lead.User, id string) (store.BulkAction, error) {
	if _, err := s.BulkAction(ctx, me, id); err != nil {
		return store.BulkAction{}, err
	}
	return s.db.CancelBulk(ctx, id)
}

// BulkRefusedCSV is bulk action id, when me may see it, and the CSV of its
// refused and failed leads with their reasons, in the selection's order
// (a lead me may not see shows its id only).
func (s *Service) BulkRefusedCSV(ctx context.Context, me lead.User, id string) (store.BulkAction, []byte, error) {
	return s.bulkJobs().file(ctx, s, me, id, func(ctx context.Context, b store.BulkAction) ([]byte, error) {
		items, err := s.db.BulkRefusedItems(ctx, b.ID)
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		w, err := sheet.NewWriter(sheet.CSV, &buf, "", []string{"position", "lead_id", "company", "outcome", "reason", "detail"})
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if err := w.Write([]string{strconv.Itoa(it.Pos + 1), it.LeadID, it.Company, it.Outcome, it.Reason, it.Detail}); err != nil {
				return nil, err
			}
		}
		err = w.Close()
		return buf.Bytes(), err
	})
}

// CheckBulk checks a bulk action as StartBulk does and says how many
// leads it selects now: what a confirmation asks about.
func (s *Service) CheckBulk(ctx context.Context, me lead.User, in BulkInput) (int, error) {
	if err := Allowed(me, GateEveryone); err != nil {
		return 0, err
	}
	var b store.BulkAction
	if _, err := s.checkBulk(ctx, me, &b, in); err != nil {
		return 0, err
	}
	if b.Filter == nil {
		return len(b.LeadIDs), nil
	}
	ids, err := s.db.LeadIDsOf(ctx, *b.Filter, store.MaxBulkLeads, nil)
	return len(ids), err
}

// BulkChoices are what a bulk action form offers me: the actions (a rep's
// claim, return, tags, stage and export; staff every one), the active
// users to assign to and the pools to transfer into (staff only).
func (s *Service) BulkChoices(ctx context.Context, me lead.User) (actions []string, reps []lead.User, pools []lead.Pool, err error) {
	if !isStaff(me) {
		return []string{"claim", "return", "add_tags", "remove_tags", "set_stage", "export"}, nil, nil, nil
	}
	users, err := s.Directory(ctx, me)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, u := range users {
		if u.Active {
			reps = append(reps, u)
		}
	}
	pools, err = s.transferTargets(ctx, me, lead.Lead{})
	return BulkActions, reps, pools, err
}
