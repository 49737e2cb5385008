package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"

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
