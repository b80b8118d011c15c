package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
