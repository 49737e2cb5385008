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
}

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
	c := Config{Addr: get("addr"), DatabaseURL: get("db"), DataDir: get("data-dir"), LogFormat: get("log-format")}
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
