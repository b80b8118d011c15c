package store

import (
	"encoding/base64"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/leadflow/leadflow/lead"
)

// encodeCursor makes an opaque keyset cursor from a row's sort key.
func encodeCursor(t time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(t.UTC().Format(time.RFC3339Nano) + "|" + id))
}

// decodeCursor reads a cursor made by encodeCursor.
func decodeCursor(c string) (time.Time, string, error) {
	bad := lead.Invalid(lead.FieldError{Field: "cursor", Reason: "is not a cursor returned by this list"})
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", bad
	}
	ts, id, ok := strings.Cut(string(b), "|")
	if !ok || !isUUID(id) {
		return time.Time{}, "", bad
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return time.Time{}, "", bad
	}
	return t, id, nil
}

// isUUID reports whether s is a UUID, so that malformed ids are "not found"
// rather than database errors.
func isUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}
