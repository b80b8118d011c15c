package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// Verify checks a message pushed to leadflow with the Standard Webhooks
// library: its webhook-id, webhook-timestamp (within the library's
// tolerance) and webhook-signature headers against body and secret.
func Verify(secret, msgID, timestamp, signature string, body []byte) error {
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		return err
	}
	h := http.Header{}
	h.Set(standardwebhooks.HeaderWebhookID, msgID)
	h.Set(standardwebhooks.HeaderWebhookTimestamp, timestamp)
	h.Set(standardwebhooks.HeaderWebhookSignature, signature)
	return wh.Verify(body, h)
}

// ErrHubSignature is an X-Hub-Signature-256 header that does not verify.
var ErrHubSignature = errors.New("the X-Hub-Signature-256 header does not verify")

// VerifyHub checks Facebook's X-Hub-Signature-256 header,
// "sha256=<hex HMAC-SHA256 of the raw body with the app secret>".
func VerifyHub(appSecret, header string, body []byte) error {
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	got, err := hex.DecodeString(hexSig)
	if !ok || err != nil || appSecret == "" {
		return ErrHubSignature
	}
	if !hmac.Equal(got, HubSignature(appSecret, body)) {
		return ErrHubSignature
	}
	return nil
}

// HubSignature is the HMAC-SHA256 of body with secret (Facebook's
// X-Hub-Signature-256 is "sha256=" and its hex).
func HubSignature(secret string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return m.Sum(nil)
}
