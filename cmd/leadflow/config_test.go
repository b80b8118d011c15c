package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/server"
)

// TestInviteKey: LEADFLOW_INVITE_KEY wins and must be long enough; without
// it a key is made once in the data directory (0600) and kept.
func TestInviteKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	c := config{DataDir: dir}
	t.Setenv("LEADFLOW_INVITE_KEY", "")
	key, err := c.inviteKey()
	if err != nil || len(key) != 64 {
		t.Fatalf("made key %q, %v", key, err)
	}
	fi, err := os.Stat(filepath.Join(dir, inviteKeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v", fi, err)
	}
	if again, err := c.inviteKey(); err != nil || string(again) != string(key) {
		t.Fatalf("second start: %q, %v; want %q", again, err, key)
	}
	t.Setenv("LEADFLOW_INVITE_KEY", "too-short")
	if _, err := c.inviteKey(); err == nil || !strings.Contains(err.Error(), "32") {
		t.Fatalf("short key: %v", err)
	}
	env := strings.Repeat("e", 40)
	t.Setenv("LEADFLOW_INVITE_KEY", env)
	if got, err := c.inviteKey(); err != nil || string(got) != env {
		t.Fatalf("key from the environment: %q, %v", got, err)
	}
}

// TestHTTPLimits: the limits of clients come from the environment, unset
// ones keep the API's defaults, and a bad value is refused by name.
func TestHTTPLimits(t *testing.T) {
	for _, name := range []string{"LEADFLOW_HTTP_READ_TIMEOUT", "LEADFLOW_HTTP_UPLOAD_TIMEOUT", "LEADFLOW_HTTP_IDLE_TIMEOUT",
		"LEADFLOW_FAILURE_WINDOW", "LEADFLOW_FAILURE_LIMIT", "LEADFLOW_MAX_CONNS_PER_ADDR"} {
		t.Setenv(name, "")
	}
	var ac server.Config
	if err := httpLimits(&ac); err != nil || ac.ReadTimeout != 0 || ac.UploadTimeout != 0 || ac.IdleTimeout != 0 ||
		ac.FailureWindow != 0 || ac.FailureLimit != 0 || ac.MaxConnsPerAddr != 0 {
		t.Fatalf("unset: %+v, %v", ac, err)
	}
	t.Setenv("LEADFLOW_HTTP_READ_TIMEOUT", "5s")
	t.Setenv("LEADFLOW_HTTP_UPLOAD_TIMEOUT", "10m")
	t.Setenv("LEADFLOW_HTTP_IDLE_TIMEOUT", "1m")
	t.Setenv("LEADFLOW_FAILURE_WINDOW", "1h")
	t.Setenv("LEADFLOW_FAILURE_LIMIT", "5")
	t.Setenv("LEADFLOW_MAX_CONNS_PER_ADDR", "50")
	if err := httpLimits(&ac); err != nil || ac.ReadTimeout != 5*time.Second || ac.UploadTimeout != 10*time.Minute ||
		ac.IdleTimeout != time.Minute || ac.FailureWindow != time.Hour || ac.FailureLimit != 5 || ac.MaxConnsPerAddr != 50 {
		t.Fatalf("set: %+v, %v", ac, err)
	}
	t.Setenv("LEADFLOW_MAX_CONNS_PER_ADDR", "off")
	if err := httpLimits(&ac); err != nil || ac.MaxConnsPerAddr >= 0 {
		t.Fatalf("off: %d, %v", ac.MaxConnsPerAddr, err)
	}
	for name, bad := range map[string]string{"LEADFLOW_HTTP_READ_TIMEOUT": "soon", "LEADFLOW_FAILURE_LIMIT": "-1",
		"LEADFLOW_MAX_CONNS_PER_ADDR": "many", "LEADFLOW_FAILURE_WINDOW": "0s"} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, bad)
			if err := httpLimits(&server.Config{}); err == nil || !strings.Contains(err.Error(), name) {
				t.Fatalf("%s=%s: %v", name, bad, err)
			}
		})
	}
}
