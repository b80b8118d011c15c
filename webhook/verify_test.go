package webhook

import (
	"encoding/hex"
	"fmt"
	"testing"
	"time"
)

func TestVerify(t *testing.T) {
	secret, body := NewSecret(), []byte(`{"a":1}`)
	now := time.Now()
	sig, err := Sign([]string{secret}, "msg_1", now, body)
	if err != nil {
		t.Fatal(err)
	}
	ts := fmt.Sprint(now.Unix())
	if err := Verify(secret, "msg_1", ts, sig, body); err != nil {
		t.Fatalf("a good signature: %v", err)
	}
	for name, err := range map[string]error{
		"another secret":   Verify(NewSecret(), "msg_1", ts, sig, body),
		"another id":       Verify(secret, "msg_2", ts, sig, body),
		"another body":     Verify(secret, "msg_1", ts, sig, []byte(`{"a":2}`)),
		"no signature":     Verify(secret, "msg_1", ts, "", body),
		"an old one":       Verify(secret, "msg_1", fmt.Sprint(now.Add(-time.Hour).Unix()), sig, body),
		"a secret of none": Verify("", "msg_1", ts, sig, body),
	} {
		if err == nil {
			t.Errorf("%s verified", name)
		}
	}
	hub := "sha256=" + hex.EncodeToString(HubSignature("app", body))
	if err := VerifyHub("app", hub, body); err != nil {
		t.Fatalf("a good X-Hub-Signature-256: %v", err)
	}
	for _, bad := range [][2]string{{"other", hub}, {"app", "sha1=" + hub[7:]}, {"app", "sha256=zz"}, {"", hub}} {
		if VerifyHub(bad[0], bad[1], body) == nil {
			t.Errorf("VerifyHub(%q, %q) verified", bad[0], bad[1])
		}
	}
}
