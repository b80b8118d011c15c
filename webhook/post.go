package webhook

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ExcerptLimit is how much of a receiver's answer is read and kept.
const ExcerptLimit = 1024

// Message is one delivery attempt's request.
type Message struct {
	URL string
	// ID is the webhook-id header, the same on every attempt.
	ID      string
	Secrets []string
	Body    []byte
}

// Result is how an attempt went. A status code 2xx is a delivery; any
// other answer, or none (Err), is a failure to retry.
type Result struct {
	StatusCode int
	Latency    time.Duration
	Excerpt    string
	Err        error
}

// OK reports whether the receiver took the message.
func (r Result) OK() bool { return r.Err == nil && r.StatusCode >= 200 && r.StatusCode < 300 }

// Post sends m once with client c, signed at now, and reads at most
// ExcerptLimit bytes of the answer.
func Post(ctx context.Context, c *http.Client, m Message, now time.Time) Result {
	sig, err := Sign(m.Secrets, m.ID, now, m.Body)
	if err != nil {
		return Result{Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.URL, bytes.NewReader(m.Body))
	if err != nil {
		return Result{Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "leadflow-webhooks/1")
	req.Header.Set("webhook-id", m.ID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	start := time.Now()
	resp, err := c.Do(req)
	r := Result{Latency: time.Since(start)}
	if err != nil {
		r.Err = err
		return r
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, ExcerptLimit))
	r.StatusCode, r.Latency, r.Excerpt = resp.StatusCode, time.Since(start), excerpt(b)
	if err != nil && !r.OK() {
		r.Err = err
	}
	if r.Err == nil && !r.OK() {
		r.Err = fmt.Errorf("the receiver answered %d", resp.StatusCode)
	}
	return r
}

// excerpt is b as valid UTF-8 text.
func excerpt(b []byte) string {
	s := string(b)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return s
}
