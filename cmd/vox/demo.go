package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
	"vox/internal/business"

	"vox/internal/demo"
	"vox/internal/importer"
)

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, load := newFlags("demo", stderr)
	items := fs.Int("items", 24000, "feedback items to generate on the first run")
	seed := fs.Int64("seed", 1, "random seed of the demo data (same seed, same data)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *items < 100 {
		return fmt.Errorf("--items %d: want at least 100", *items)
	}
	e, err := open(ctx, load, openOptions{allowLoopbackWebhooks: true})
	if err != nil {
		return err
	}
	defer e.db.Close()
	start := time.Now()
	progress := importer.TerminalProgress(stderr, *items)
	creds, err := demo.Seed(ctx, e.db, e.ingest, demo.Options{Seed: *seed, Items: *items,
		Now: time.Now().UTC().Truncate(24 * time.Hour)}, progress)
	if err != nil {
		return fmt.Errorf("seed demo data: %w", err)
	}
	if err := trainDemoChurnModels(ctx, e); err != nil {
		return err
	}
	e.log.Info("demo data ready", "workspace", creds.Workspace, "took", time.Since(start).Round(time.Millisecond))
	ln, err := net.Listen("tcp", e.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", e.cfg.Addr, err)
	}
	fmt.Fprintf(stdout, "URL: http://%s\n", ln.Addr().String())
	fmt.Fprintf(stdout, "Login: %s / %s\n", creds.Email, creds.Password)
	fmt.Fprintf(stdout, "API key: %s\n", creds.APIKey)
	srv, err := newServer(e)
	if err != nil {
		return err
	}
	e.runBackground(ctx)
	return srv.Serve(ctx, ln)
}

// trainDemoChurnModels trains the churn-risk model of every workspace that
// has none yet, so that revenue at risk shows on the first look at the demo
// (a real workspace trains through the API once it has history).
func trainDemoChurnModels(ctx context.Context, e *env) error {
	wss, err := e.db.Workspaces(ctx)
	if err != nil {
		return err
	}
	biz := &business.Service{DB: e.db}
	for _, ws := range wss {
		if _, err := biz.Model(ctx, ws.ID); !errors.Is(err, business.ErrNoModel) {
			if err != nil {
				return fmt.Errorf("churn model of %s: %w", ws.Slug, err)
			}
			continue
		}
		m, err := biz.Train(ctx, ws.ID, business.TrainOptions{})
		if errors.Is(err, business.ErrInsufficientHistory) {
			continue // a tiny --items demo: revenue at risk says why it is empty
		}
		if err != nil {
			return fmt.Errorf("train the churn model of %s: %w", ws.Slug, err)
		}
		auc := "undefined"
		if m.AUC != nil {
			auc = fmt.Sprintf("%.3f", *m.AUC)
		}
		e.log.Info("churn model trained", "workspace", ws.Slug, "auc", auc)
	}
	return nil
}
