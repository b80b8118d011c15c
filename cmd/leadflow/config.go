package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/internal/quietlog"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/server"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/workflows"
)

// config is leadflow's configuration, from environment variables.
type config struct {
	DatabaseURL       string
	TemporalAddress   string
	TemporalNamespace string
	HTTPAddr          string
	PublicURL         string
	TrustedProxies    string
	DataDir           string
	LogFormat         string
	// E-mail: SendGrid when a key is set, else the outbox (see mail.go).
	SendGridKey     string
	SendGridBaseURL string
	MailFrom        string
}

func loadConfig() config {
	c := config{
		DatabaseURL:       os.Getenv("DATABASE_URL"),
		TemporalAddress:   os.Getenv("TEMPORAL_ADDRESS"),
		TemporalNamespace: envOr("TEMPORAL_NAMESPACE", "default"),
		HTTPAddr:          envOr("LEADFLOW_HTTP_ADDR", lead.DefaultHTTPAddr),
		PublicURL:         os.Getenv("LEADFLOW_PUBLIC_URL"),
		TrustedProxies:    os.Getenv("LEADFLOW_TRUSTED_PROXIES"),
		DataDir:           envOr("LEADFLOW_DATA_DIR", ".data"),
		LogFormat:         os.Getenv("LEADFLOW_LOG_FORMAT"),
		SendGridKey:       os.Getenv("SENDGRID_API_KEY"),
		SendGridBaseURL:   os.Getenv("SENDGRID_BASE_URL"),
		MailFrom:          os.Getenv("LEADFLOW_MAIL_FROM"),
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.HTTPAddr
	}
	return c
}

// searchAttributes reads LEADFLOW_SEARCH_ATTRIBUTES (on/off, default off)
// into workflows.KeepSearchAttributes: whether new lead workflows keep
// LeadStatus, OwnerId and PoolId current in Temporal's visibility store.
func searchAttributes() error {
	switch v := strings.ToLower(os.Getenv("LEADFLOW_SEARCH_ATTRIBUTES")); v {
	case "", "off", "false", "0":
		workflows.KeepSearchAttributes = false
	case "on", "true", "1":
		workflows.KeepSearchAttributes = true
	default:
		return fmt.Errorf("LEADFLOW_SEARCH_ATTRIBUTES=%q: want on or off", v)
	}
	return nil
}

// withDevDefaults fills DATABASE_URL and TEMPORAL_ADDRESS from the file a
// running `leadflow dev` writes, so `leadflow users create` works beside it.
func (c config) withDevDefaults() config {
	env := readEnvFile(filepath.Join(c.DataDir, devEnvFile))
	if c.DatabaseURL == "" {
		c.DatabaseURL = env["DATABASE_URL"]
	}
	if c.TemporalAddress == "" {
		c.TemporalAddress = env["TEMPORAL_ADDRESS"]
	}
	return c
}

// clusterFile, in the data directory, holds the addresses and process ids
// of a running `leadflow dev -cluster` (KEY=VALUE lines) for scripts and
// the fault tests.
const clusterFile = "cluster.env"

// readEnvFile reads the KEY=VALUE lines of a file `leadflow dev` writes
// (devEnvFile, clusterFile); a missing file has none.
func readEnvFile(path string) map[string]string {
	env := map[string]string{}
	f, err := os.Open(path)
	if err != nil {
		return env
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			env[k] = v
		}
	}
	return env
}

// devEnvFile is where `leadflow dev` writes the addresses of its stack.
const devEnvFile = "dev.env"

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// envInt is the number in environment variable k, or def when it is unset
// or not a number.
func envInt(k string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(k)); err == nil {
		return n
	}
	return def
}

func (c config) logger(dev bool) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if c.LogFormat == "text" || (dev && c.LogFormat == "") {
		return slog.New(slog.NewTextHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, opts))
}

func (c config) require(names ...string) error {
	var missing []string
	for _, n := range names {
		switch {
		case n == "DATABASE_URL" && c.DatabaseURL == "", n == "TEMPORAL_ADDRESS" && c.TemporalAddress == "":
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("set %s (or run `leadflow dev`, which starts a local stack)", strings.Join(missing, " and "))
	}
	return nil
}

func (c config) apiConfig() (server.Config, error) {
	proxies, err := httpx.ParseTrustedProxies(c.TrustedProxies)
	if err != nil {
		return server.Config{}, err
	}
	min := lead.DefaultMinPolicyDuration
	if v := os.Getenv("LEADFLOW_MIN_POLICY_DURATION"); v != "" {
		if min, err = lead.ParseDuration(v); err != nil || min <= 0 {
			return server.Config{}, fmt.Errorf("LEADFLOW_MIN_POLICY_DURATION: %q is not a positive duration such as 1m or 30s", v)
		}
	}
	ttl := lead.Duration(7 * 24 * time.Hour)
	if v := os.Getenv("LEADFLOW_EXPORT_TTL"); v != "" {
		if ttl, err = lead.ParseDuration(v); err != nil || ttl <= 0 {
			return server.Config{}, fmt.Errorf("LEADFLOW_EXPORT_TTL: %q is not a positive duration such as 7d", v)
		}
	}
	key, err := c.inviteKey()
	if err != nil {
		return server.Config{}, err
	}
	zone, err := defaultZone()
	if err != nil {
		return server.Config{}, err
	}
	hooks, err := webhookSettings()
	if err != nil {
		return server.Config{}, err
	}
	ac := server.Config{PublicURL: c.PublicURL, TrustedProxies: proxies, MinPolicyDuration: time.Duration(min),
		ExportTTL: time.Duration(ttl), MetricsAddr: os.Getenv("LEADFLOW_METRICS_ADDR"), InviteKey: key, TimeZone: zone,
		WebhookGuard: hooks.Guard, Inbox: service.InboxConfigFromEnv(os.Getenv)}
	return ac, httpLimits(&ac)
}

// defaultZone is the zone of users who, and whose team, set none:
// LEADFLOW_TIME_ZONE (an IANA name), else the machine's.
func defaultZone() (*time.Location, error) {
	v := os.Getenv("LEADFLOW_TIME_ZONE")
	if v == "" {
		return time.Local, nil
	}
	loc, err := lead.LoadZone(v)
	if err != nil {
		return nil, fmt.Errorf("LEADFLOW_TIME_ZONE: %q is not an IANA time zone such as Asia/Shanghai", v)
	}
	return loc, nil
}

// httpLimits reads the limits of clients into ac; an unset variable leaves
// the API's default (server.Config).
func httpLimits(ac *server.Config) error {
	for name, d := range map[string]*time.Duration{"LEADFLOW_HTTP_READ_TIMEOUT": &ac.ReadTimeout,
		"LEADFLOW_HTTP_UPLOAD_TIMEOUT": &ac.UploadTimeout, "LEADFLOW_HTTP_IDLE_TIMEOUT": &ac.IdleTimeout,
		"LEADFLOW_FAILURE_WINDOW": &ac.FailureWindow} {
		if v := os.Getenv(name); v != "" {
			dur, err := lead.ParseDuration(v)
			if err != nil || dur <= 0 {
				return fmt.Errorf("%s: %q is not a positive duration such as 10s or 15m", name, v)
			}
			*d = time.Duration(dur)
		}
	}
	if v := os.Getenv("LEADFLOW_FAILURE_LIMIT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return fmt.Errorf("LEADFLOW_FAILURE_LIMIT: %q is not a positive number", v)
		}
		ac.FailureLimit = n
	}
	switch v := os.Getenv("LEADFLOW_MAX_CONNS_PER_ADDR"); v {
	case "":
	case "off", "0":
		ac.MaxConnsPerAddr = -1
	default:
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("LEADFLOW_MAX_CONNS_PER_ADDR: %q is not a number of connections, or off", v)
		}
		ac.MaxConnsPerAddr = n
	}
	return nil
}

// inviteKeyFile is where the invite key is kept when LEADFLOW_INVITE_KEY is unset.
const inviteKeyFile = "invite.key"

// inviteKey is the secret invite links are derived from: LEADFLOW_INVITE_KEY
// (at least 32 characters; every replica needs the same), else a random key
// kept in DataDir/invite.key (0600), created on the first start. When that
// file cannot be written the key lasts as long as the process (nil).
func (c config) inviteKey() ([]byte, error) {
	if v := os.Getenv("LEADFLOW_INVITE_KEY"); v != "" {
		if len(v) < 32 {
			return nil, fmt.Errorf("LEADFLOW_INVITE_KEY: must have at least 32 characters (e.g. openssl rand -hex 32)")
		}
		return []byte(v), nil
	}
	path := filepath.Join(c.DataDir, inviteKeyFile)
	if b, err := os.ReadFile(path); err == nil {
		if k := strings.TrimSpace(string(b)); len(k) >= 32 {
			return []byte(k), nil
		}
		return nil, fmt.Errorf("%s holds no key of at least 32 characters; delete it to have a new one made", path)
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	key := hex.EncodeToString(b)
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		slog.Warn("no invite key file: reps will be shown new invite links after a restart", "err", err)
		return nil, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		time.Sleep(100 * time.Millisecond) // another process is writing it
		return c.inviteKey()
	}
	if err == nil {
		_, err = f.WriteString(key + "\n")
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		slog.Warn("no invite key file: reps will be shown new invite links after a restart", "err", err)
		return nil, nil
	}
	return []byte(key), nil
}

// dialTemporal connects to Temporal with the SDK's logs going to log at WARN
// and above and its metrics to mh.
func dialTemporal(ctx context.Context, c config, log *slog.Logger, mh client.MetricsHandler) (client.Client, error) {
	quiet := quietlog.AtLeast(log, slog.LevelWarn)
	tc, err := client.DialContext(ctx, client.Options{
		HostPort:       c.TemporalAddress,
		Namespace:      c.TemporalNamespace,
		Logger:         sdklog.NewStructuredLogger(quiet),
		MetricsHandler: mh,
	})
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s: %w", c.TemporalAddress, err)
	}
	return tc, nil
}
