// Package chat posts leadflow's notifications to chat-app group robots:
// WeCom (企业微信), DingTalk (钉钉) and Feishu (飞书) incoming webhooks with
// their documented message formats and signing, and Slack incoming
// webhooks. A Sender is one target; it implements notify.Sender, so the
// activities claim, lease and record its messages like e-mails.
package chat

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/leadflow/leadflow/notify"
)

// The kinds of chat targets.
const (
	WeCom    = "wecom"
	DingTalk = "dingtalk"
	Feishu   = "feishu"
	Slack    = "slack"
)

// Kinds are the known target kinds.
var Kinds = []string{WeCom, DingTalk, Feishu, Slack}

// Known says whether kind is a target kind.
func Known(kind string) bool {
	for _, k := range Kinds {
		if k == kind {
			return true
		}
	}
	return false
}

// Target is where one robot listens.
type Target struct {
	Kind   string
	URL    string
	Secret string // DingTalk's and Feishu's signing secret; "" signs nothing
}

// Request is the URL and JSON body of one robot message of subject and
// text (the text carries the link to the lead) at now.
func Request(t Target, subject, text string, now time.Time) (string, []byte, error) {
	md := "**" + subject + "**\n\n" + text
	plain := subject + "\n\n" + text
	var body map[string]any
	u := t.URL
	switch t.Kind {
	case WeCom:
		body = map[string]any{"msgtype": "markdown", "markdown": map[string]any{"content": md}}
	case DingTalk:
		body = map[string]any{"msgtype": "markdown", "markdown": map[string]any{"title": subject, "text": md}}
		if t.Secret != "" {
			ts := strconv.FormatInt(now.UnixMilli(), 10)
			sep := "?"
			if strings.Contains(u, "?") {
				sep = "&"
			}
			u += sep + "timestamp=" + ts + "&sign=" + url.QueryEscape(DingTalkSign(t.Secret, ts))
		}
	case Feishu:
		body = map[string]any{"msg_type": "text", "content": map[string]any{"text": plain}}
		if t.Secret != "" {
			ts := strconv.FormatInt(now.Unix(), 10)
			body["timestamp"], body["sign"] = ts, FeishuSign(t.Secret, ts)
		}
	case Slack:
		body = map[string]any{"text": "*" + subject + "*\n\n" + text}
	default:
		return "", nil, fmt.Errorf("unknown chat target kind %q", t.Kind)
	}
	b, err := json.Marshal(body)
	return u, b, err
}

// DingTalkSign is DingTalk's signature of timestamp (ms):
// base64(HMAC-SHA256(secret, timestamp+"\n"+secret)), not yet URL-encoded.
func DingTalkSign(secret, timestamp string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp + "\n" + secret))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// FeishuSign is Feishu's signature of timestamp (s): base64 of the
// HMAC-SHA256 keyed by timestamp+"\n"+secret of the empty message.
func FeishuSign(secret, timestamp string) string {
	m := hmac.New(sha256.New, []byte(timestamp+"\n"+secret))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Sender posts to one target; it implements notify.Sender.
type Sender struct {
	Target Target
	// Client posts (the webhook guard's client in production).
	Client *http.Client
	// Now is the signing clock; time.Now when nil.
	Now func() time.Time
}

// Name implements notify.Sender: the target's kind.
func (s Sender) Name() string { return s.Target.Kind }

// Send implements notify.Sender: it posts m's subject and text. An HTTP
// answer other than 2xx is a *notify.Error (permanent for 4xx but 429); a
// robot's error code in a 200 answer (errcode or code not 0) is a
// temporary *notify.Error, retried.
func (s Sender) Send(ctx context.Context, m notify.Message) (string, error) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	u, body, err := Request(s.Target, m.Subject, m.Text, now())
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	c := s.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", &notify.Error{Status: resp.StatusCode, Detail: strings.TrimSpace(string(raw))}
	}
	var ans struct {
		ErrCode *int   `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
		Code    *int   `json:"code"`
		Msg     string `json:"msg"`
	}
	if json.Unmarshal(raw, &ans) == nil {
		if ans.ErrCode != nil && *ans.ErrCode != 0 {
			return "", &notify.Error{Status: http.StatusServiceUnavailable, Detail: fmt.Sprintf("errcode %d: %s", *ans.ErrCode, ans.ErrMsg)}
		}
		if ans.Code != nil && *ans.Code != 0 {
			return "", &notify.Error{Status: http.StatusServiceUnavailable, Detail: fmt.Sprintf("code %d: %s", *ans.Code, ans.Msg)}
		}
	}
	return "", nil
}
