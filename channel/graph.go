package channel

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/leadflow/leadflow/notify"
)

// DefaultGraphURL is the Meta Graph API (META_GRAPH_URL overrides it).
const DefaultGraphURL = "https://graph.facebook.com/v21.0"

// Graph sends through the Meta Graph API's Send API with a bearer token:
// Messenger (POST {graph}/me/messages to a page-scoped id) or the WhatsApp
// Cloud API (POST {graph}/{phone_number_id}/messages to a phone number).
type Graph struct {
	Kind          string // Messenger or WhatsApp
	BaseURL       string
	Token         string
	PhoneNumberID string // WhatsApp's sending number
	Client        *http.Client
}

// Name implements Channel.
func (g *Graph) Name() string { return "meta-" + g.Kind }

// Body is the Send API's JSON of a text message to m.To.
func (g *Graph) Body(m notify.Message) ([]byte, error) {
	if g.Kind == WhatsApp {
		return json.Marshal(map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual",
			"to": strings.TrimPrefix(m.To, "+"), "type": "text", "text": map[string]any{"preview_url": false, "body": m.Text}})
	}
	return json.Marshal(map[string]any{"recipient": map[string]string{"id": m.To}, "messaging_type": "UPDATE",
		"message": map[string]string{"text": m.Text}})
}

// Send implements Channel. A Graph error answer ({"error":{"message",
// "code"}}) is a *notify.Error of its status.
func (g *Graph) Send(ctx context.Context, m notify.Message) (string, error) {
	body, err := g.Body(m)
	if err != nil {
		return "", err
	}
	path := "/me/messages"
	if g.Kind == WhatsApp {
		path = "/" + g.PhoneNumberID + "/messages"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.BaseURL+path, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+g.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := g.Client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var out struct {
		MessageID string `json:"message_id"`
		Messages  []struct {
			ID string `json:"id"`
		} `json:"messages"`
		Error struct {
			Message string `json:"message"`
			Code    int    `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(raw, &out) // an answer that is not JSON keeps its status
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		detail := strings.TrimSpace(string(raw))
		if out.Error.Message != "" {
			detail = fmt.Sprintf("%d %s", out.Error.Code, out.Error.Message)
		}
		return "", &notify.Error{Status: resp.StatusCode, Detail: detail}
	}
	if len(out.Messages) > 0 {
		return out.Messages[0].ID, nil
	}
	return out.MessageID, nil
}
