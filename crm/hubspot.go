// Package crm pushes registered leads to external CRMs (seed 003), in
// HubSpot's contacts wire format: create with POST
// {base}/crm/v3/objects/contacts {"properties": {...}} answering {"id"},
// update with PATCH {base}/crm/v3/objects/contacts/{id}, the bearer token
// in Authorization. The HTTP client is the webhook guard's (package
// webhook): private addresses refused at dial time, no redirects.
package crm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/leadflow/leadflow/lead"
)

// HubSpot is a HubSpot-compatible contacts endpoint.
type HubSpot struct {
	Client  *http.Client
	BaseURL string
	Token   string
}

// LeadIDProperty is the contact property that names the lead, so a push
// retried after an answer was lost finds the contact it created.
const LeadIDProperty = "leadflow_id"

// Properties are lead l's contact properties (empty ones left out, so an
// update clears nothing the CRM's users typed).
func Properties(l lead.Lead) map[string]string {
	first, last, _ := strings.Cut(strings.TrimSpace(l.Name), " ")
	phone := l.PhoneE164
	if phone == "" {
		phone = l.Phone
	}
	all := map[string]string{"email": l.Email, "firstname": first, "lastname": strings.TrimSpace(last), "company": l.Company,
		"phone": phone, "country": l.Country, "address": l.Address, LeadIDProperty: l.ID}
	out := map[string]string{}
	for k, v := range all {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// Push creates lead l's contact, or updates contact externalID, and
// returns the contact's id. retried says an earlier attempt may have
// created the contact without its answer arriving: it is looked for first.
func (h HubSpot) Push(ctx context.Context, l lead.Lead, externalID string, retried bool) (string, error) {
	body := map[string]any{"properties": Properties(l)}
	if externalID == "" && retried {
		found, err := h.find(ctx, l.ID)
		if err != nil {
			return "", err
		}
		externalID = found
	}
	if externalID != "" {
		_, err := h.call(ctx, http.MethodPatch, "/crm/v3/objects/contacts/"+url.PathEscape(externalID), body)
		return externalID, err
	}
	var created struct{ ID string }
	answer, err := h.call(ctx, http.MethodPost, "/crm/v3/objects/contacts", body)
	if id := existingID(err); id != "" {
		// The CRM has a contact of this e-mail already: it is updated.
		_, err = h.call(ctx, http.MethodPatch, "/crm/v3/objects/contacts/"+url.PathEscape(id), body)
		return id, err
	}
	if err != nil {
		return "", err
	}
	if err := json.Unmarshal(answer, &created); err != nil || created.ID == "" {
		return "", fmt.Errorf("hubspot: the create answered no contact id: %.200s", answer)
	}
	return created.ID, nil
}

// find is the id of the contact of lead id ("" none).
func (h HubSpot) find(ctx context.Context, id string) (string, error) {
	q := map[string]any{"filterGroups": []any{map[string]any{"filters": []any{
		map[string]string{"propertyName": LeadIDProperty, "operator": "EQ", "value": id}}}}, "limit": 1}
	answer, err := h.call(ctx, http.MethodPost, "/crm/v3/objects/contacts/search", q)
	if err != nil {
		return "", err
	}
	var found struct{ Results []struct{ ID string } }
	if err := json.Unmarshal(answer, &found); err != nil {
		return "", fmt.Errorf("hubspot: search answer: %w", err)
	}
	if len(found.Results) == 0 {
		return "", nil
	}
	return found.Results[0].ID, nil
}

// StatusError is an answer other than 2xx.
type StatusError struct {
	Status int
	Body   string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("hubspot: status %d: %.200s", e.Status, e.Body)
}

var existingRe = regexp.MustCompile(`Existing ID: ?(\d+)`)

// existingID is the contact id a 409 conflict names ("" for other errors).
func existingID(err error) string {
	se, ok := err.(*StatusError)
	if !ok || se.Status != http.StatusConflict {
		return ""
	}
	if m := existingRe.FindStringSubmatch(se.Body); m != nil {
		return m[1]
	}
	return ""
}

// call sends one request and returns the answer's body (at most 64 KiB).
func (h HubSpot) call(ctx context.Context, method, path string, body any) ([]byte, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(h.BaseURL, "/")+path, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+h.Token)
	req.Header.Set("Content-Type", "application/json")
	res, err := h.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if err != nil {
		return nil, err
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return answer, &StatusError{Status: res.StatusCode, Body: string(answer)}
	}
	return answer, nil
}
