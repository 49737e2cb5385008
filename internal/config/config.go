// Package config reads Vox's settings from flags and environment variables
// (a flag wins over its variable) and validates them once, at start-up.
package config

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is every setting of a Vox process.
type Config struct {
	Addr          string // VOX_ADDR: listen address
	DatabaseURL   string // VOX_DATABASE_URL: postgres://… or a SQLite path; default <data-dir>/vox.db
	DataDir       string // VOX_DATA_DIR: where the embedded database and files live
	LogLevel      slog.Level
	LogFormat     string // text or json
	SQLiteSyncFul bool   // VOX_SQLITE_SYNC_FULL: survive power loss, slower commits
	SecureCookies bool   // VOX_SECURE_COOKIES: set when served over HTTPS
	PublicURL     string // VOX_PUBLIC_URL: how customers reach this server (survey links); default http://<addr>
	Secret        string // VOX_SECRET: signs survey tokens; default a random one kept in <data-dir>/secret
	SMTPAddr      string // VOX_SMTP_ADDR: host:port of the outgoing mail server; empty disables email
	SMTPFrom      string // VOX_SMTP_FROM
	SMTPUser      string // VOX_SMTP_USER
	SMTPPassword  string // VOX_SMTP_PASSWORD
	SMSBaseURL    string // VOX_SMS_BASE_URL: the SMS provider's API; empty disables SMS
	SMSUser       string // VOX_SMS_USER
	SMSToken      string // VOX_SMS_TOKEN
	TelegramAPI   string // VOX_TELEGRAM_API_URL: Bot API base URL
	TelegramBot   string // VOX_TELEGRAM_BOT_TOKEN: the bot that sends alerts, praise and case notices to people; empty: off
	WebhookAllow  string // VOX_WEBHOOK_ALLOW: CIDRs webhooks may reach despite being private (SSRF guard)
	// JobLease (VOX_JOB_LEASE) is how long a claimed job belongs to its
	// worker: after a crash its jobs run again once the lease ends. It must
	// outlast the slowest job (a webhook times out after 15 s).
	JobLease time.Duration
}

// minJobLease keeps a lease longer than any job's own timeout, so a slow
// but alive worker is never overtaken by a second one (a double send).
const minJobLease = 30 * time.Second

// setting describes one flag and its variable.
type setting struct {
	flag, env, def, usage string
}

var settings = []setting{
	{"addr", "VOX_ADDR", "127.0.0.1:8080", "listen address (host:port)"},
	{"db", "VOX_DATABASE_URL", "", "database: postgres://user@host/db or a SQLite file path (default <data-dir>/vox.db)"},
	{"data-dir", "VOX_DATA_DIR", "./vox-data", "directory for the embedded database and files"},
	{"log-level", "VOX_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"log-format", "VOX_LOG_FORMAT", "text", "text or json"},
	{"sqlite-sync-full", "VOX_SQLITE_SYNC_FULL", "false", "SQLite synchronous=FULL: commits survive power loss (slower)"},
	{"secure-cookies", "VOX_SECURE_COOKIES", "false", "mark cookies Secure (serve over HTTPS)"},
	{"public-url", "VOX_PUBLIC_URL", "", "public base URL of this server, for survey links (default http://<addr>)"},
	{"secret", "VOX_SECRET", "", "secret (≥ 16 bytes) that signs survey tokens; shared by replicas (default: <data-dir>/secret)"},
	{"smtp-addr", "VOX_SMTP_ADDR", "", "outgoing SMTP server host:port (empty: email off)"},
	{"smtp-from", "VOX_SMTP_FROM", "Vox <vox@localhost>", "sender of emails"},
	{"smtp-user", "VOX_SMTP_USER", "", "SMTP user"},
	{"smtp-password", "VOX_SMTP_PASSWORD", "", "SMTP password"},
	{"sms-base-url", "VOX_SMS_BASE_URL", "", "SMS provider API base URL (empty: SMS off)"},
	{"sms-user", "VOX_SMS_USER", "", "SMS provider user"},
	{"sms-token", "VOX_SMS_TOKEN", "", "SMS provider token"},
	{"telegram-api-url", "VOX_TELEGRAM_API_URL", "https://api.telegram.org", "Telegram Bot API base URL"},
	{"telegram-bot-token", "VOX_TELEGRAM_BOT_TOKEN", "", "Telegram bot that notifies people (alerts, praise); surveys use each workspace's own bot (empty: off)"},
	{"webhook-allow", "VOX_WEBHOOK_ALLOW", "", "comma-separated CIDRs that webhooks may reach although private, e.g. 10.0.0.0/8"},
	{"job-lease", "VOX_JOB_LEASE", "2m", "how long a claimed background job is held; after a crash its jobs rerun once it ends (≥ 30s)"},
}

// Register adds the common flags to fs and returns a function that, after
// fs.Parse, builds and validates the Config (environment fills unset flags).
func Register(fs *flag.FlagSet) func() (Config, error) {
	vals := map[string]*string{}
	for _, s := range settings {
		vals[s.flag] = fs.String(s.flag, s.def, s.usage+" ["+s.env+"]")
	}
	return func() (Config, error) {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		get := func(name string) string {
			for _, s := range settings {
				if s.flag == name && !set[name] {
					if v, ok := os.LookupEnv(s.env); ok {
						return v
					}
				}
			}
			return *vals[name]
		}
		return build(get)
	}
}

func build(get func(string) string) (Config, error) {
	var errs []error
	c := Config{Addr: get("addr"), DatabaseURL: get("db"), DataDir: get("data-dir"), LogFormat: get("log-format"),
		PublicURL: strings.TrimRight(get("public-url"), "/"), Secret: get("secret"), SMTPAddr: get("smtp-addr"),
		SMTPFrom: get("smtp-from"), SMTPUser: get("smtp-user"), SMTPPassword: get("smtp-password"),
		SMSBaseURL: get("sms-base-url"), SMSUser: get("sms-user"), SMSToken: get("sms-token"),
		TelegramAPI: get("telegram-api-url"), TelegramBot: get("telegram-bot-token"), WebhookAllow: get("webhook-allow")}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
	} else if !strings.HasPrefix(c.PublicURL, "http://") && !strings.HasPrefix(c.PublicURL, "https://") {
		errs = append(errs, fmt.Errorf("--public-url %q: want http(s)://host", c.PublicURL))
	}
	if c.Secret != "" && len(c.Secret) < 16 {
		errs = append(errs, errors.New("--secret: want at least 16 bytes"))
	}
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
		errs = append(errs, fmt.Errorf("--addr %q: want host:port, e.g. 127.0.0.1:8080", c.Addr))
	}
	if strings.TrimSpace(c.DataDir) == "" {
		errs = append(errs, errors.New("--data-dir: must not be empty"))
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = filepath.Join(c.DataDir, "vox.db")
	} else if strings.Contains(c.DatabaseURL, "://") && !strings.HasPrefix(c.DatabaseURL, "postgres://") &&
		!strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		errs = append(errs, fmt.Errorf("--db %q: want postgres://… or a SQLite file path", redact(c.DatabaseURL)))
	}
	if err := c.LogLevel.UnmarshalText([]byte(get("log-level"))); err != nil {
		errs = append(errs, fmt.Errorf("--log-level %q: want debug, info, warn or error", get("log-level")))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("--log-format %q: want text or json", c.LogFormat))
	}
	if d, err := time.ParseDuration(get("job-lease")); err != nil || d < minJobLease {
		errs = append(errs, fmt.Errorf("--job-lease %q: want a duration of at least %s, e.g. 2m", get("job-lease"), minJobLease))
	} else {
		c.JobLease = d
	}
	for name, dst := range map[string]*bool{"sqlite-sync-full": &c.SQLiteSyncFul, "secure-cookies": &c.SecureCookies} {
		v, err := strconv.ParseBool(get(name))
		if err != nil {
			errs = append(errs, fmt.Errorf("--%s %q: want true or false", name, get(name)))
		}
		*dst = v
	}
	return c, errors.Join(errs...)
}

// redact hides a password in a database URL for messages and logs.
func redact(u string) string {
	at := strings.LastIndex(u, "@")
	scheme := strings.Index(u, "://")
	if at < 0 || scheme < 0 {
		return u
	}
	creds := u[scheme+3 : at]
	if user, _, ok := strings.Cut(creds, ":"); ok {
		return u[:scheme+3] + user + ":***" + u[at:]
	}
	return u
}

// Redacted returns the database URL without its password.
func (c Config) Redacted() string { return redact(c.DatabaseURL) }

// Logger builds the process logger.
func (c Config) Logger() *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}
