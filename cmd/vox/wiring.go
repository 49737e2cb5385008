package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"vox/internal/config"
	"vox/internal/ingest"
	"vox/internal/store"
)

// env is what most commands need: settings, logger, a migrated database and
// the ingestion service with the text analyzer.
type env struct {
	cfg    config.Config
	log    *slog.Logger
	db     *store.DB
	ingest *ingest.Service
}

// newFlags returns a flag set with the common settings registered.
func newFlags(name string, stderr io.Writer) (*flag.FlagSet, func() (config.Config, error)) {
	fs := flag.NewFlagSet("vox "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs, config.Register(fs)
}

// open validates the settings, opens and migrates the database and builds
// the ingestion service.
func open(ctx context.Context, load func() (config.Config, error)) (*env, error) {
	cfg, err := load()
	if err != nil {
		return nil, fmt.Errorf("invalid settings:\n%w", err)
	}
	log := cfg.Logger()
	db, err := store.Open(ctx, cfg.DatabaseURL, store.Options{SyncFull: cfg.SQLiteSyncFul})
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", cfg.Redacted(), err)
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if len(applied) > 0 {
		log.Info("migrations applied", "migrations", applied)
	}
	analyzer, err := ingest.NewTextAnalyzer()
	if err != nil {
		db.Close()
		return nil, err
	}
	return &env{cfg: cfg, log: log, db: db, ingest: &ingest.Service{DB: db, Analyzer: analyzer}}, nil
}
