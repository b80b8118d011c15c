package chat

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/notify"
)

// robot is a fake provider: it checks each request as the provider would
// and answers answer.
func robot(t *testing.T, kind, secret, answer string) *httptest.Server {
	t.Helper()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b map[string]any
		if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
			t.Errorf("%s: body is not JSON: %v", kind, err)
		}
		content := func(obj, field string) string {
			m, _ := b[obj].(map[string]any)
			s, _ := m[field].(string)
			return s
		}
		var text string
		switch kind {
		case WeCom:
			if b["msgtype"] != "markdown" || r.URL.Query().Get("key") != "k1" {
				t.Errorf("wecom: %v %s", b, r.URL)
			}
			text = content("markdown", "content")
		case DingTalk:
			if b["msgtype"] != "markdown" || content("markdown", "title") != "New lead" {
				t.Errorf("dingtalk: %v", b)
			}
			text = content("markdown", "text")
			ts, sign := r.URL.Query().Get("timestamp"), r.URL.Query().Get("sign")
			ms, _ := strconv.ParseInt(ts, 10, 64)
			if sign != DingTalkSign(secret, ts) || time.Since(time.UnixMilli(ms)).Abs() > time.Hour {
				t.Errorf("dingtalk: bad signature %q at %q", sign, ts)
			}
		case Feishu:
			if b["msg_type"] != "text" {
				t.Errorf("feishu: %v", b)
			}
			text = content("content", "text")
			ts, _ := b["timestamp"].(string)
			s, _ := strconv.ParseInt(ts, 10, 64)
			if b["sign"] != FeishuSign(secret, ts) || time.Since(time.Unix(s, 0)).Abs() > time.Hour {
				t.Errorf("feishu: bad signature %v at %q", b["sign"], ts)
			}
		case Slack:
			text, _ = b["text"].(string)
		}
		if !strings.Contains(text, "New lead") || !strings.Contains(text, "http://console/leads/1") {
			t.Errorf("%s: text %q lacks the subject or the link", kind, text)
		}
		_, _ = w.Write([]byte(answer))
	}))
}

func TestFormats(t *testing.T) {
	ok := map[string]string{WeCom: `{"errcode":0,"errmsg":"ok"}`, DingTalk: `{"errcode":0,"errmsg":"ok"}`,
		Feishu: `{"code":0,"msg":"success"}`, Slack: "ok"}
	for _, kind := range Kinds {
		t.Run(kind, func(t *testing.T) {
			srv := robot(t, kind, "s3cret", ok[kind])
			defer srv.Close()
			u := srv.URL + "/send"
			if kind == WeCom {
				u += "?key=k1"
			}
			s := Sender{Target: Target{Kind: kind, URL: u, Secret: "s3cret"}, Client: srv.Client()}
			if _, err := s.Send(context.Background(), notify.Message{Subject: "New lead", Text: "Acme\nhttp://console/leads/1"}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestErrorCodesAreRetried(t *testing.T) {
	for kind, answer := range map[string]string{WeCom: `{"errcode":45009,"errmsg":"api freq out of limit"}`,
		DingTalk: `{"errcode":310000,"errmsg":"sign not match"}`, Feishu: `{"code":19021,"msg":"sign match fail"}`} {
		srv := robot(t, kind, "s3cret", answer)
		u := srv.URL + "/send?key=k1"
		s := Sender{Target: Target{Kind: kind, URL: u, Secret: "s3cret"}, Client: srv.Client()}
		_, err := s.Send(context.Background(), notify.Message{Subject: "New lead", Text: "http://console/leads/1"})
		srv.Close()
		if err == nil || notify.Permanent(err) {
			t.Errorf("%s: %v, want a temporary error", kind, err)
		}
	}
}

func TestHTTPRefusalIsPermanent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no such hook", 404) }))
	defer srv.Close()
	_, err := Sender{Target: Target{Kind: Slack, URL: srv.URL}}.Send(context.Background(), notify.Message{Subject: "x"})
	if !notify.Permanent(err) {
		t.Fatalf("%v, want permanent", err)
	}
}
