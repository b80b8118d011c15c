package lead

import (
	"testing"
	"time"
)

// TestQuietHours: text messages wait from 21:00 to 08:00 in the
// recipient's zone, until 08:00 of the right day.
func TestQuietHours(t *testing.T) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err) // lead embeds time/tzdata: the zone is always there
	}
	for _, c := range []struct {
		at    string // UTC
		quiet bool
		until string // UTC
	}{
		{"2026-12-07T04:00:00Z", false, ""},                    // 12:00 in Shanghai
		{"2026-12-07T12:59:00Z", false, ""},                    // 20:59
		{"2026-12-07T13:00:00Z", true, "2026-12-08T00:00:00Z"}, // 21:00 -> 08:00 the next day
		{"2026-12-07T18:00:00Z", true, "2026-12-08T00:00:00Z"}, // 02:00 -> 08:00 the same day
		{"2026-12-07T23:59:00Z", true, "2026-12-08T00:00:00Z"}, // 07:59
		{"2026-12-08T00:00:00Z", false, ""},                    // 08:00
	} {
		at, _ := time.Parse(time.RFC3339, c.at)
		until, quiet := QuietUntilTime(at, sh)
		if quiet != c.quiet || (quiet && until.UTC().Format(time.RFC3339) != c.until) {
			t.Errorf("%s: quiet %v until %s, want %v until %s", c.at, quiet, until.UTC(), c.quiet, c.until)
		}
	}
	if !QuietChannel(ChannelSMS) || !QuietChannel(ChannelWhatsApp) || QuietChannel(ChannelEmail) {
		t.Errorf("the quiet channels")
	}
	if CampaignKey("c", 12) != "campaign/c/12" {
		t.Errorf("the key %q", CampaignKey("c", 12))
	}
}
