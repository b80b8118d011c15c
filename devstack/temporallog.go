package devstack

import (
	"context"
	"log/slog"
	"slices"

	tlog "go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// This file forwards the embedded Temporal server's logs to log/slog.

// slogLogger adapts a *slog.Logger to Temporal's server log.Logger, dropping
// records below level. The tags of With are kept as they are and turned
// into attributes only when a record is written: the server derives a
// tagged logger for most requests and logs from few of them (measured:
// converting them up front cost about 1% of the CPU of an intake run).
type slogLogger struct {
	log   *slog.Logger
	level *slog.LevelVar
	tags  []tag.Tag
}

// logOff is above every slog level: nothing is forwarded.
const logOff = slog.Level(1 << 20)

var (
	_ tlog.Logger     = slogLogger{}
	_ tlog.WithLogger = slogLogger{}
)

func (s slogLogger) Debug(msg string, tags ...tag.Tag) { s.emit(slog.LevelDebug, msg, tags) }
func (s slogLogger) Info(msg string, tags ...tag.Tag)  { s.emit(slog.LevelInfo, msg, tags) }
func (s slogLogger) Warn(msg string, tags ...tag.Tag)  { s.emit(slog.LevelWarn, msg, tags) }
func (s slogLogger) Error(msg string, tags ...tag.Tag) { s.emit(slog.LevelError, msg, tags) }

// DPanic, Panic and Fatal are logged as errors: an embedded dev server must
// not take the whole process down.
func (s slogLogger) DPanic(msg string, tags ...tag.Tag) { s.emit(slog.LevelError, msg, tags) }
func (s slogLogger) Panic(msg string, tags ...tag.Tag)  { s.emit(slog.LevelError, msg, tags) }
func (s slogLogger) Fatal(msg string, tags ...tag.Tag)  { s.emit(slog.LevelError, msg, tags) }

func (s slogLogger) With(tags ...tag.Tag) tlog.Logger {
	return slogLogger{log: s.log, level: s.level, tags: append(slices.Clip(s.tags), tags...)}
}

func (s slogLogger) emit(level slog.Level, msg string, tags []tag.Tag) {
	if level < s.level.Level() || !s.log.Enabled(context.Background(), level) {
		return
	}
	s.log.LogAttrs(context.Background(), level, msg, tagsToAttrs(append(slices.Clip(s.tags), tags...))...)
}

func tagsToAttrs(tags []tag.Tag) []slog.Attr {
	attrs := make([]slog.Attr, 0, len(tags))
	for _, t := range tags {
		if t == nil {
			continue
		}
		attrs = append(attrs, slog.Any(t.Key(), t.Value()))
	}
	return attrs
}
