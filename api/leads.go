package api

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/workflows"
)

// idNamespace scopes the ids derived from idempotency keys.
var idNamespace = uuid.MustParse("6f2d7f5e-6d8a-4c1e-9a57-3c1b2f0e9d10")

// requestLeadID is the id of a lead created by this request: derived from
// the caller and the Idempotency-Key header when there is one, so a retried
// request finds the lead it created, else a new time-ordered id.
func requestLeadID(c *fiber.Ctx, callerID string) string {
	if k := c.Get("Idempotency-Key"); k != "" {
		return uuid.NewSHA1(idNamespace, []byte(callerID+"\x00"+k)).String()
	}
	return uuid.Must(uuid.NewV7()).String()
}

func (s *Server) createLead(c *fiber.Ctx) error {
	me := caller(c)
	var in lead.Input
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := in.Clean(); err != nil {
		return err
	}
	in.Source, in.CreatedBy = lead.SourceAPI, me.ID
	l := in.NewLead(requestLeadID(c, me.ID))

	ctx, cancel := context.WithTimeout(c.UserContext(), s.cfg.UpdateTimeout)
	defer cancel()
	out, created, err := s.startLead(ctx, l)
	if err != nil {
		return err
	}
	return s.answerCreated(c, out, created)
}

// createdLead is the answer to a create: the lead, with a warning when it
// duplicates a live lead (duplicate policy warn).
type createdLead struct {
	lead.Lead
	Warnings []string `json:"warnings,omitempty"`
}

// answerCreated answers a create by its intake outcome: 201 for a new lead
// (with a warning naming the lead it duplicates under the warn policy),
// 200 for a registration merged into an existing lead, 409 for a duplicate
// refused by the reject policy.
func (s *Server) answerCreated(c *fiber.Ctx, out lead.Lead, created bool) error {
	for _, r := range out.RejectReasons {
		if dup, ok := strings.CutPrefix(r, lead.DuplicateReasonPrefix); ok && out.Status == lead.StatusRejected {
			return lead.Conflict("the lead duplicates lead "+dup, r, "the duplicate policy of this source is reject")
		}
	}
	c.Location("/api/v1/leads/" + out.ID)
	body := createdLead{Lead: out}
	switch {
	case out.Status == lead.StatusMerged:
		c.Location("/api/v1/leads/" + out.MergedInto)
		return c.Status(fiber.StatusOK).JSON(body)
	case out.DuplicateOf != "":
		body.Warnings = []string{"a lead with the same company, phone and country exists: " + out.DuplicateOf}
	}
	if created {
		c.Status(fiber.StatusCreated)
	}
	return c.JSON(body)
}

// startLead starts the lead's workflow and waits for its intake decision
// (update-with-start). created is false when the same request had already
// created the lead.
func (s *Server) startLead(ctx context.Context, l lead.Lead) (out lead.Lead, created bool, err error) {
	out, err = workflows.StartLead(ctx, s.tc, l)
	if errors.Is(err, workflows.ErrLeadFinished) {
		// A retry of a request that created the lead: answer with what was stored.
		out, err = s.db.Lead(ctx, l.ID)
		return out, false, err
	}
	if err != nil {
		return out, false, s.temporalError(err)
	}
	return out, true, nil
}

// leadFilterNames are the filters of GET /api/v1/leads.
var leadFilterNames = []string{"status", "stage", "pool_id", "owner_id", "source", "channel", "tag", "country", "q", "name",
	"phone", "email", "company", "profession", "address", "district", "division", "created_from", "created_to", "review"}

// leadFilter reads the filters of the lead list (GET /api/v1/leads, exports): get returns a
// filter's value, "" when absent; field names a bad filter in errors.
func leadFilter(get func(string) string, field func(string) string) (store.LeadFilter, error) {
	f := store.LeadFilter{
		Status: get("status"), Stage: get("stage"), PoolID: get("pool_id"), OwnerID: get("owner_id"),
		Source: get("source"), Channel: get("channel"), Tag: get("tag"), Country: strings.ToUpper(get("country")),
		Q: get("q"), Name: get("name"), Phone: get("phone"), Email: get("email"), Company: get("company"),
		Profession: get("profession"), Address: get("address"), District: get("district"), Division: get("division"),
	}
	var bad lead.Fields
	if f.Status != "" && !lead.Status(f.Status).Valid() {
		bad.Add(field("status"), "must be one of received, rejected, merged, pooled, offered, assigned, converted, closed")
	}
	for _, id := range []struct{ name, v string }{{"pool_id", f.PoolID}, {"owner_id", f.OwnerID}} {
		if _, err := uuid.Parse(id.v); id.v != "" && err != nil {
			bad.Add(field(id.name), "is not an id")
		}
	}
	for name, dst := range map[string]**time.Time{"created_from": &f.CreatedFrom, "created_to": &f.CreatedTo} {
		if v := get(name); v != "" {
			t, err := parseTime(v)
			if err != nil {
				bad.Add(field(name), "must be a date (2026-01-31) or an RFC 3339 time")
				continue
			}
			*dst = &t
		}
	}
	switch get("review") {
	case "", "false":
	case "true":
		f.Review = true
	default:
		bad.Add(field("review"), "must be true or false")
	}
	return f, bad.Err()
}

// temporalError maps a failure of a Temporal call to a domain error.
func (s *Server) temporalError(err error) error {
	if e := workflows.DomainError(err); e != nil {
		return e
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return lead.Errorf(lead.CodeUnavailable, "the lead's workflow did not answer in time; the action may still complete, retry with the same Idempotency-Key")
	}
	var unavailable *serviceerror.Unavailable
	if errors.As(err, &unavailable) {
		return lead.Errorf(lead.CodeUnavailable, "Temporal is unavailable: %s", unavailable.Message)
	}
	return err
}

// visible returns the lead if the caller may see it: staff see every lead,
// reps see pooled leads and their own.
func (s *Server) visible(c *fiber.Ctx, id string) (lead.Lead, error) {
	l, err := s.db.Lead(c.UserContext(), id)
	if err != nil {
		return l, err
	}
	me := caller(c)
	if isStaff(me) || l.OwnerID == me.ID || l.CreatedBy == me.ID || l.Status == lead.StatusPooled {
		return l, nil
	}
	return l, lead.Errorf(lead.CodeForbidden, "this lead belongs to another rep")
}

func (s *Server) getLead(c *fiber.Ctx) error {
	l, err := s.visible(c, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(l)
}

func (s *Server) leadHistory(c *fiber.Ctx) error {
	l, err := s.visible(c, c.Params("id"))
	if err != nil {
		return err
	}
	limit, err := pageLimit(c)
	if err != nil {
		return err
	}
	events, next, err := s.db.Events(c.UserContext(), l.ID, limit, c.Query("cursor"))
	if err != nil {
		return err
	}
	return c.JSON(page(events, next))
}

func (s *Server) listLeads(c *fiber.Ctx) error {
	limit, err := pageLimit(c)
	if err != nil {
		return err
	}
	f, err := leadFilter(func(k string) string { return c.Query(k) }, func(k string) string { return k })
	if err != nil {
		return err
	}
	f.Limit, f.Cursor = limit, c.Query("cursor")
	if me := caller(c); !isStaff(me) {
		f.VisibleTo = me.ID
	}
	leads, next, err := s.db.Leads(c.UserContext(), f)
	if err != nil {
		return err
	}
	return c.JSON(page(leads, next))
}

func parseTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, v)
}

// update sends an update to the lead's workflow and decodes its result.
// The update id comes from the Idempotency-Key header, so a retried request
// is applied once.
func (s *Server) update(c *fiber.Ctx, leadID, name string, arg, result any) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), s.cfg.UpdateTimeout)
	defer cancel()
	updateID := c.Get("Idempotency-Key")
	if updateID == "" {
		updateID = uuid.Must(uuid.NewV7()).String()
	} else {
		updateID = name + ":" + caller(c).ID + ":" + updateID
	}
	h, err := s.tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflows.WorkflowID(leadID), UpdateID: updateID, UpdateName: name,
		Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, result)
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		// The workflow has finished (or never ran): say why from the read model.
		l, lerr := s.db.Lead(ctx, leadID)
		if lerr != nil {
			return lerr
		}
		return lead.Conflict("the lead's lifecycle has ended", "wrong status: the lead is "+string(l.Status))
	}
	if err != nil {
		return s.temporalError(err)
	}
	return nil
}

// actionBody decodes an optional JSON body: an empty body is allowed.
func actionBody(c *fiber.Ctx, v any) error {
	if len(strings.TrimSpace(string(c.Body()))) == 0 {
		return nil
	}
	return decodeJSON(c, v)
}

type claimBody struct {
	Reason     string     `json:"reason"`
	ExpectedAt *time.Time `json:"expected_follow_up_at"`
}

func (s *Server) claimLead(c *fiber.Ctx) error {
	var in claimBody
	if err := actionBody(c, &in); err != nil {
		return err
	}
	if utf8.RuneCountInString(in.Reason) > 1000 {
		return lead.Invalid(lead.FieldError{Field: "reason", Reason: "is longer than 1000 characters"})
	}
	// Any rep may try to claim: a lead that is not pooled is refused by its
	// workflow with the status (409), whoever owns it.
	l, err := s.db.Lead(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	var out lead.Lead
	arg := workflows.ClaimInput{RepID: caller(c).ID, Reason: strings.TrimSpace(in.Reason), ExpectedAt: in.ExpectedAt}
	if err := s.update(c, l.ID, workflows.UpdateClaim, arg, &out); err != nil {
		return err
	}
	return c.JSON(out)
}

type followUpBody struct {
	Type     string     `json:"type"`
	Content  string     `json:"content"`
	NextStep string     `json:"next_step"`
	NextAt   *time.Time `json:"next_at"`
	Stage    string     `json:"stage"`
}

func (s *Server) followUp(c *fiber.Ctx) error {
	var in followUpBody
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	var bad lead.Fields
	in.Type, in.Content, in.NextStep = strings.TrimSpace(in.Type), strings.TrimSpace(in.Content), strings.TrimSpace(in.NextStep)
	if err := s.checkOption(c, &bad, "type", lead.OptionFollowUpTypes, in.Type); err != nil {
		return err
	}
	if in.Content == "" {
		bad.Add("content", "is required")
	} else if utf8.RuneCountInString(in.Content) > 10000 {
		bad.Add("content", "is longer than 10000 characters")
	}
	if utf8.RuneCountInString(in.NextStep) > 1000 {
		bad.Add("next_step", "is longer than 1000 characters")
	}
	if in.Stage != "" {
		if err := s.checkOption(c, &bad, "stage", lead.OptionStages, in.Stage); err != nil {
			return err
		}
	}
	if err := bad.Err(); err != nil {
		return err
	}
	l, err := s.owned(c)
	if err != nil {
		return err
	}
	me := caller(c)
	// The follow-up id is derived from the request, so a retry records one follow-up.
	fid := uuid.Must(uuid.NewV7()).String()
	if k := c.Get("Idempotency-Key"); k != "" {
		fid = uuid.NewSHA1(idNamespace, []byte(l.ID+"\x00follow-up\x00"+me.ID+"\x00"+k)).String()
	}
	arg := workflows.FollowUpInput{FollowUpID: fid, AuthorID: me.ID, Type: in.Type, Content: in.Content,
		NextStep: in.NextStep, NextAt: in.NextAt, Stage: in.Stage}
	var out lead.FollowUp
	if err := s.update(c, l.ID, workflows.UpdateFollowUp, arg, &out); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

// owned returns the lead when the caller may work it: its owner, or staff.
func (s *Server) owned(c *fiber.Ctx) (lead.Lead, error) {
	l, err := s.visible(c, c.Params("id"))
	if err != nil {
		return l, err
	}
	if me := caller(c); !isStaff(me) && l.OwnerID != me.ID {
		return l, lead.Errorf(lead.CodeForbidden, "only the lead's owner, a manager or an admin may do this")
	}
	return l, nil
}

func (s *Server) convertLead(c *fiber.Ctx) error {
	var in struct{}
	if err := actionBody(c, &in); err != nil {
		return err
	}
	l, err := s.owned(c)
	if err != nil {
		return err
	}
	// One customer per lead, whatever the retries.
	arg := workflows.ConvertInput{ActorID: caller(c).ID, CustomerID: uuid.NewSHA1(idNamespace, []byte("customer\x00"+l.ID)).String()}
	var out lead.Converted
	if err := s.update(c, l.ID, workflows.UpdateConvert, arg, &out); err != nil {
		return err
	}
	return c.JSON(out)
}
