package webhook

import (
	"errors"
	"strings"

	"github.com/sendgrid/sendgrid-go/helpers/eventwebhook"
	twclient "github.com/twilio/twilio-go/client"
)

// ErrProviderSignature is a provider's delivery whose signature does not
// verify (or a provider whose key is not configured).
var ErrProviderSignature = errors.New("the provider's signature does not verify")

// VerifySendGrid checks a SendGrid Event Webhook delivery with sendgrid-go's
// eventwebhook helper: the ECDSA signature (X-Twilio-Email-Event-Webhook-Signature)
// of timestamp + body under the base64 public key SendGrid shows for the
// signed Event Webhook.
func VerifySendGrid(publicKey, signature, timestamp string, body []byte) error {
	if strings.TrimSpace(publicKey) == "" || signature == "" {
		return ErrProviderSignature
	}
	key, err := eventwebhook.ConvertPublicKeyBase64ToECDSA(publicKey)
	if err != nil {
		return ErrProviderSignature
	}
	ok, err := eventwebhook.VerifySignature(key, body, signature, timestamp)
	if err != nil || !ok {
		return ErrProviderSignature
	}
	return nil
}

// VerifyTwilio checks X-Twilio-Signature with twilio-go's request validator:
// the HMAC-SHA1 under the auth token of the full URL Twilio called and its
// POST parameters.
func VerifyTwilio(authToken, url string, params map[string]string, signature string) error {
	if authToken == "" || signature == "" {
		return ErrProviderSignature
	}
	v := twclient.NewRequestValidator(authToken)
	if !v.Validate(url, params, signature) {
		return ErrProviderSignature
	}
	return nil
}
