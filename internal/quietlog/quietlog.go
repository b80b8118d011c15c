// Package quietlog filters a slog handler by level, for the logs of
// libraries (the Temporal SDK and server) that are too talkative at INFO.
package quietlog

import (
	"context"
	"log/slog"
)

// AtLeast returns a logger writing to log's handler only the records at
// min and above.
func AtLeast(log *slog.Logger, min slog.Level) *slog.Logger {
	return slog.New(&minLevel{Handler: log.Handler(), min: min})
}

// minLevel drops records below min.
type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h *minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h *minLevel) WithAttrs(a []slog.Attr) slog.Handler {
	return &minLevel{Handler: h.Handler.WithAttrs(a), min: h.min}
}

func (h *minLevel) WithGroup(n string) slog.Handler {
	return &minLevel{Handler: h.Handler.WithGroup(n), min: h.min}
}
