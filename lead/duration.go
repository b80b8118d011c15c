package lead

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Duration is a policy duration written as a string: "90s", "36h", "7d",
// "1d12h". Days are 24 hours. The zero Duration means "off".
type Duration time.Duration

// ParseDuration reads a duration with an optional day unit ("d") besides
// Go's units. It refuses negative values.
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return 0, nil
	}
	var days int64
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		n, err := strconv.ParseInt(s[:i], 10, 64)
		if err != nil || n < 0 {
			return 0, durationError(s, "want forms like 90s, 36h, 7d")
		}
		days, s = n, s[i+1:]
	}
	var rest time.Duration
	if s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return 0, durationError(s, "want forms like 90s, 36h, 7d")
		}
		rest = d
	}
	d := time.Duration(days)*24*time.Hour + rest
	if d < 0 {
		return 0, durationError(s, "must not be negative")
	}
	return Duration(d), nil
}

// String writes d in the shortest of the accepted forms.
func (d Duration) String() string {
	td := time.Duration(d)
	if td == 0 {
		return ""
	}
	day := 24 * time.Hour
	if td%day == 0 {
		return strconv.FormatInt(int64(td/day), 10) + "d"
	}
	s := td.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// MarshalJSON writes d as a string such as "7d".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a string such as "36h" or a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var secs float64
		if err2 := json.Unmarshal(b, &secs); err2 != nil || secs < 0 {
			return fmt.Errorf("duration must be a string such as \"90s\", \"36h\" or \"7d\"")
		}
		*d = Duration(time.Duration(secs * float64(time.Second)))
		return nil
	}
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// DurationError is a duration or span that cannot be read; its field
// errors carry the code ReasonInvalidDuration.
type DurationError struct{ Text, Why string }

func (e *DurationError) Error() string { return fmt.Sprintf("invalid duration %q: %s", e.Text, e.Why) }

func durationError(s, why string) error { return &DurationError{Text: s, Why: why} }
