// Package facebook is leadflow's edge to Facebook / Instagram Lead Ads:
// the leadgen webhook's payload and the Graph API call that fetches a
// lead by its id with the page token.
package facebook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// GraphURLEnv names the environment variable with the Graph API's base
// URL (tests point it at a local fake).
const GraphURLEnv = "LEADFLOW_FACEBOOK_GRAPH_URL"

// DefaultGraphURL is the Graph API's base URL when GraphURLEnv is unset.
const DefaultGraphURL = "https://graph.facebook.com/v19.0"

// GraphURL is the Graph API's base URL: GraphURLEnv, read at each call,
// else DefaultGraphURL.
func GraphURL() string {
	if u := strings.TrimSpace(os.Getenv(GraphURLEnv)); u != "" {
		return strings.TrimRight(u, "/")
	}
	return DefaultGraphURL
}

// payload is a Graph API webhook delivery (object "page").
type payload struct {
	Entry []struct {
		Changes []struct {
			Field string `json:"field"`
			Value struct {
				LeadgenID json.RawMessage `json:"leadgen_id"`
			} `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

// LeadgenIDs are the lead ids of a webhook delivery's leadgen changes, in
// order, each once (Facebook sends them as strings or numbers).
func LeadgenIDs(body []byte) ([]string, error) {
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, err
	}
	var ids []string
	seen := map[string]bool{}
	for _, e := range p.Entry {
		for _, c := range e.Changes {
			id := strings.Trim(string(c.Value.LeadgenID), `"`)
			if c.Field != "leadgen" || id == "" || id == "null" || seen[id] {
				continue
			}
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// Lead is a lead as the Graph API answers it.
type Lead struct {
	ID          string `json:"id"`
	CreatedTime string `json:"created_time"`
	FieldData   []struct {
		Name   string   `json:"name"`
		Values []string `json:"values"`
	} `json:"field_data"`
}

// Record is the lead's field data by name, several values joined with ", ".
func (l Lead) Record() map[string]string {
	out := map[string]string{}
	for _, f := range l.FieldData {
		out[f.Name] = strings.Join(f.Values, ", ")
	}
	return out
}

// StatusError is an answer of the Graph API other than 200.
type StatusError struct {
	Status int
	Body   string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("the Graph API answered %d: %s", e.Status, e.Body)
}

// client fetches with a timeout and follows no redirect.
var client = &http.Client{Timeout: 15 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// FetchLead fetches lead id from the Graph API at base with the page token.
func FetchLead(ctx context.Context, base, id, pageToken string) (Lead, error) {
	u := base + "/" + url.PathEscape(id) + "?access_token=" + url.QueryEscape(pageToken)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Lead{}, err
	}
	resp, err := client.Do(req)
	var ue *url.Error
	if errors.As(err, &ue) {
		return Lead{}, fmt.Errorf("GET %s/%s: %w", base, id, ue.Err) // without the page token
	}
	if err != nil {
		return Lead{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Lead{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return Lead{}, &StatusError{Status: resp.StatusCode, Body: strings.TrimSpace(string(body[:min(len(body), 500)]))}
	}
	var l Lead
	if err := json.Unmarshal(body, &l); err != nil {
		return Lead{}, fmt.Errorf("the Graph API's lead %s: %w", id, err)
	}
	return l, nil
}
