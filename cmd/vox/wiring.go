package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"vox/internal/adaptation"
	"vox/internal/alert"
	"vox/internal/analytics"
	"vox/internal/channel/email"
	"vox/internal/channel/notify"
	"vox/internal/channel/sms"
	"vox/internal/channel/telegram"
	"vox/internal/channel/webhook"
	"vox/internal/config"
	"vox/internal/ingest"
	"vox/internal/jobs"
	"vox/internal/privacy"
	"vox/internal/report"
	"vox/internal/store"
	"vox/internal/survey"
)

// env is what most commands need: settings, logger, a migrated database,
// the ingestion service with the text analyzer, and the services whose
// feedback hooks must see every stored item (rules, survey responses) —
// also items written by `vox import`, whose jobs run when a server runs.
type env struct {
	cfg     config.Config
	log     *slog.Logger
	db      *store.DB
	ingest  *ingest.Service
	worker  *jobs.Worker
	alerts  *alert.Service
	surveys *survey.Service
	mailer  *notify.Mailer // nil without --smtp-addr
	reports *report.Scheduler
	// analyzers apply each workspace's sentiment adaptation; adapt fits them.
	analyzers *ingest.AdaptedAnalyzer
	adapt     *adaptation.Service
}

// newFlags returns a flag set with the common settings registered.
func newFlags(name string, stderr io.Writer) (*flag.FlagSet, func() (config.Config, error)) {
	fs := flag.NewFlagSet("vox "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs, config.Register(fs)
}

// openOptions adjust wiring for one command.
type openOptions struct {
	allowLoopbackWebhooks bool // vox demo: a local receiver works
}

// openWorkspace opens the database as open does and finds the workspace a
// command's --workspace names; the caller closes e.db.
func openWorkspace(ctx context.Context, load func() (config.Config, error), slug string) (*env, store.Workspace, error) {
	e, err := open(ctx, load)
	if err != nil {
		return nil, store.Workspace{}, err
	}
	ws, err := e.db.WorkspaceBySlug(ctx, slug)
	if err != nil {
		e.db.Close()
		return nil, store.Workspace{}, fmt.Errorf("--workspace %q: %w", slug, err)
	}
	return e, ws, nil
}

// open validates the settings, opens and migrates the database and builds
// the services.
func open(ctx context.Context, load func() (config.Config, error), opts ...openOptions) (*env, error) {
	cfg, err := load()
	if err != nil {
		return nil, fmt.Errorf("invalid settings:\n%w", err)
	}
	var o openOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	log := cfg.Logger()
	db, err := store.Open(ctx, cfg.DatabaseURL, store.Options{SyncFull: cfg.SQLiteSyncFul})
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", cfg.Redacted(), err)
	}
	e, err := wire(ctx, cfg, log, db, o)
	if err != nil {
		db.Close()
		return nil, err
	}
	return e, nil
}

func wire(ctx context.Context, cfg config.Config, log *slog.Logger, db *store.DB, o openOptions) (*env, error) {
	applied, err := db.Migrate(ctx)
	if err != nil {
		return nil, err
	}
	if len(applied) > 0 {
		log.Info("migrations applied", "migrations", applied)
	}
	base, err := analytics.New()
	if err != nil {
		return nil, err
	}
	e := &env{cfg: cfg, log: log, db: db, worker: &jobs.Worker{DB: db, Log: log, Lease: cfg.JobLease}}
	e.analyzers = ingest.NewAdaptedAnalyzer(base, db)
	e.adapt = adaptation.New(db, e.analyzers, log)
	e.ingest = &ingest.Service{DB: db, Analyzer: e.analyzers, OnStored: func(int64, []store.FeedbackItem) { e.worker.Notify() }}

	guard := &webhook.Guard{}
	if o.allowLoopbackWebhooks {
		guard.Allow = append(guard.Allow, webhook.LoopbackOnly...)
	}
	if cfg.WebhookAllow != "" {
		allow, err := webhook.ParseAllow(cfg.WebhookAllow)
		if err != nil {
			return nil, fmt.Errorf("--webhook-allow: %w", err)
		}
		guard.Allow = append(guard.Allow, allow...)
	}
	alertOpts := alert.Options{Log: log, Webhooks: &webhook.Sender{Guard: guard}, Wake: e.worker.Notify, BaseURL: cfg.PublicURL}
	if cfg.SMTPAddr != "" {
		e.mailer = &notify.Mailer{Addr: cfg.SMTPAddr, From: cfg.SMTPFrom, Username: cfg.SMTPUser, Password: cfg.SMTPPassword}
		alertOpts.Mailer = e.mailer
	}
	tg := &telegram.Client{BaseURL: cfg.TelegramAPI}
	if cfg.TelegramBot != "" {
		alertOpts.Telegram = &notify.Telegram{Token: cfg.TelegramBot, BaseURL: cfg.TelegramAPI}
	}
	e.alerts = alert.New(db, alertOpts)
	e.alerts.Register(e.worker)
	db.AddFeedbackHook(e.alerts.OnFeedback)

	secret, err := surveySecret(cfg)
	if err != nil {
		return nil, err
	}
	signer, err := survey.NewSigner(secret)
	if err != nil {
		return nil, err
	}
	e.surveys = survey.New(db, e.ingest, signer, cfg.PublicURL)
	e.surveys.Log = log
	if cfg.SMTPAddr != "" {
		e.surveys.Senders[survey.ChannelEmail] = &email.Sender{Addr: cfg.SMTPAddr, Username: cfg.SMTPUser,
			Password: cfg.SMTPPassword, From: cfg.SMTPFrom}
	}
	if cfg.SMSBaseURL != "" {
		e.surveys.Senders[survey.ChannelSMS] = &sms.Client{BaseURL: cfg.SMSBaseURL, User: cfg.SMSUser, Token: cfg.SMSToken}
	}
	e.surveys.Senders[survey.ChannelTelegram] = &telegram.Sender{Client: tg}
	e.surveys.Register(e.worker)

	e.reports = &report.Scheduler{DB: db, BaseURL: cfg.PublicURL, Log: log, Wake: e.worker.Notify}
	if e.mailer != nil {
		e.reports.Mailer = e.mailer
	}
	e.reports.Register(e.worker)
	return e, nil
}

// surveySecret returns --secret, or a random secret kept in the data
// directory so that survey links stay valid across restarts.
func surveySecret(cfg config.Config) ([]byte, error) {
	if cfg.Secret != "" {
		return []byte(cfg.Secret), nil
	}
	path := filepath.Join(cfg.DataDir, "secret")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 16 {
		return []byte(strings.TrimSpace(string(b))), nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return nil, err
	}
	s := base64.RawURLEncoding.EncodeToString(buf)
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, []byte(s+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return []byte(s), nil
}

// runBackground starts the job worker, the spike scanner, the digest and
// weekly report schedulers, the daily workspace adaptation fits, the daily
// retention runs and housekeeping until ctx ends.
func (e *env) runBackground(ctx context.Context) {
	go func() { _ = e.worker.Run(ctx) }()
	go e.alerts.RunSpikeTicker(ctx, time.Minute)
	go e.alerts.RunDigestTicker(ctx, 5*time.Minute)
	go e.reports.RunTicker(ctx, 5*time.Minute)
	go e.adapt.Run(ctx)
	go (&privacy.Retention{DB: e.db, Log: e.log}).Run(ctx)
	go e.runHousekeeping(ctx, time.Hour)
}

// runHousekeeping deletes expired sessions, idle login counters and old
// idempotency keys now and then every interval, so no table grows without
// bound.
func (e *env) runHousekeeping(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		now := time.Now()
		if n, err := e.db.DeleteExpiredSessions(ctx, now); err != nil {
			e.log.Error("housekeeping: sessions", "err", err)
		} else if n > 0 {
			e.log.Info("housekeeping: expired sessions deleted", "count", n)
		}
		if _, err := e.db.PruneLoginThrottle(ctx, now, 24*time.Hour); err != nil {
			e.log.Error("housekeeping: login counters", "err", err)
		}
		if n, err := e.db.PruneIdempotencyKeys(ctx, now.Add(-store.IdempotencyKeyRetention)); err != nil {
			e.log.Error("housekeeping: idempotency keys", "err", err)
		} else if n > 0 {
			e.log.Info("housekeeping: old idempotency keys deleted", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
